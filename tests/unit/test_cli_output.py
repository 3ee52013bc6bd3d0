"""Output writers: compact ndjson, streamed GeoJSON, ids and tables, all on stdout."""

from __future__ import annotations

import enum
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from capella.cli import output


class Colour(enum.Enum):
    RED = "red"


def test_ndjson_is_one_compact_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert output.ndjson([{"a": 1, "b": [1, 2]}, {"c": "é"}]) == 2
    out, err = capsys.readouterr()
    assert out == '{"a":1,"b":[1,2]}\n{"c":"é"}\n'
    assert err == ""


def test_json_serialises_paths_datetimes_and_enums(capsys: pytest.CaptureFixture[str]) -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    output.json_record({"p": Path("/tmp/x"), "t": moment, "e": Colour.RED, "s": (1, 2)})
    assert json.loads(capsys.readouterr().out) == {
        "p": "/tmp/x",
        "t": "2024-01-02T03:04:05+00:00",
        "e": "red",
        "s": [1, 2],
    }


def test_feature_collection_streams_valid_geojson(capsys: pytest.CaptureFixture[str]) -> None:
    assert output.feature_collection(iter([{"id": "a"}, {"id": "b"}])) == 2
    assert json.loads(capsys.readouterr().out) == {
        "type": "FeatureCollection",
        "features": [{"id": "a"}, {"id": "b"}],
    }


def test_an_empty_feature_collection(capsys: pytest.CaptureFixture[str]) -> None:
    output.feature_collection([])
    assert json.loads(capsys.readouterr().out) == {"type": "FeatureCollection", "features": []}


def test_ids_one_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    output.ids([{"orderId": "o1"}, {"orderId": "o2"}], output.order_id)
    assert capsys.readouterr().out == "o1\no2\n"


def test_table_has_a_header_and_formats_cells(capsys: pytest.CaptureFixture[str]) -> None:
    columns = [output.Column("name", lambda r: r["n"]), output.Column("value", lambda r: r["v"])]
    output.table([{"n": "pi", "v": 3.14159}, {"n": "list", "v": ["HH", "VV"]}], columns)
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows == [["name", "value"], ["pi", "3.14"], ["list", "HH,VV"]]


def test_a_missing_cell_is_blank(capsys: pytest.CaptureFixture[str]) -> None:
    output.table([{"properties": {}}], output.TASK_COLUMNS)
    assert capsys.readouterr().out.splitlines()[0].split()[0] == "taskingrequestId"


def test_messages_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    output.message("hello")
    assert capsys.readouterr() == ("", "hello\n")


@pytest.mark.parametrize(
    ("record", "getter", "expected"),
    [
        ({"id": "x"}, output.item_id, "x"),
        ({"properties": {"taskingrequestId": "t"}}, output.tasking_request_id, "t"),
        ({"properties": {"repeatrequestId": "r"}}, output.repeat_request_id, "r"),
        ({"properties": None}, output.repeat_request_id, None),
    ],
)
def test_record_ids(record: dict[str, object], getter: object, expected: object) -> None:
    assert getter(record) == expected  # type: ignore[operator]


def test_records_dispatches_on_format(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"id": "a"}]
    output.records(rows, output.ListFormat.IDS, id_of=output.item_id, columns=())
    output.records(rows, output.Format.NDJSON, id_of=output.item_id, columns=())
    assert capsys.readouterr().out == 'a\n{"id":"a"}\n'
