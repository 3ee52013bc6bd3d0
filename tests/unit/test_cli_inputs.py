"""Parsing of command-line inputs: stdin records, geometries, filter values, intervals."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from capella.cli import _inputs as inputs
from capella.cli._context import CliError
from capella.cli.search import parse_filter_value
from capella.fields import BY_NAME

ID_A = "CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010"
ID_B = "CAPELLA_C13_SP_SLC_HH_20240101000000_20240101000010"


@pytest.mark.parametrize(
    "text",
    [
        f"{ID_A}\n{ID_B}\n",
        f"# chosen by hand\n\n{ID_A}\n  {ID_B}  \n",
        json.dumps([ID_A, ID_B]),
        json.dumps({"type": "FeatureCollection", "features": [{"id": ID_A}, {"id": ID_B}]}),
        json.dumps({"id": ID_A}) + "\n" + json.dumps({"id": ID_B}) + "\n",
        json.dumps({"id": ID_A}) + "\n" + ID_B + "\n",
    ],
    ids=["ids", "comments", "json-list", "feature-collection", "ndjson", "mixed"],
)
def test_parse_records_accepts_what_commands_print(text: str) -> None:
    parsed = inputs.parse_records(text)
    assert [p if isinstance(p, str) else p["id"] for p in parsed] == [ID_A, ID_B]


def test_parse_records_of_nothing() -> None:
    assert inputs.parse_records("  \n") == []


def test_stac_ids_and_items_keeps_items_when_all_are_items(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": ID_A, "collection": "c"})))
    assert inputs.stac_ids_and_items(["-"]) == ([], [{"id": ID_A, "collection": "c"}])


def test_stac_ids_and_items_reduces_a_mix_to_unique_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": ID_B}) + "\n"))
    assert inputs.stac_ids_and_items([ID_A, "-", ID_A]) == ([ID_A, ID_B], [])


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"Point","coordinates":[1,2]}',
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}',
        '{"type":"FeatureCollection","features":[{"type":"Feature",'
        '"geometry":{"type":"Point","coordinates":[1,2]}}]}',
    ],
)
def test_read_geometry_unwraps_features(text: str, tmp_path: Path) -> None:
    path = tmp_path / "aoi.geojson"
    path.write_text(text)
    assert inputs.read_geometry(str(path)) == {"type": "Point", "coordinates": [1, 2]}
    assert inputs.read_geometry(text) == {"type": "Point", "coordinates": [1, 2]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("35", 35),
        ("2.5", 2.5),
        ("true", True),
        ('["a","b"]', ["a", "b"]),
        ("GEO,SLC", ["GEO", "SLC"]),
        ("45,53", [45, 53]),
        ("2021-06-01T00:00:00Z", "2021-06-01T00:00:00Z"),
        ("plain", "plain"),
    ],
)
def test_parse_value(text: str, expected: object) -> None:
    assert inputs.parse_value(text) == expected


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("collect_id", "1234", "1234"),  # a string field keeps digits as a string
        ("product_type", "geo", "GEO"),  # enum spelling is normalised
        ("product_type", "geo,slc", ["GEO", "SLC"]),
        ("look_angle", "35", 35),
        ("orbital_plane", "45,53", [45, 53]),
        ("collections", "capella-geo", ["capella-geo"]),
        ("datetime", "2024-01-01", "2024-01-01"),
        ("local_time", "03:00:00", "03:00:00"),
    ],
)
def test_filter_values_follow_the_field_kind(field: str, raw: str, expected: object) -> None:
    assert parse_filter_value(BY_NAME[field], raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01/2024-02-01", ("2024-01-01", "2024-02-01")),
        ("2024-01-01/..", ("2024-01-01", None)),
        ("../2024-02-01", (None, "2024-02-01")),
        ("/2024-02-01", (None, "2024-02-01")),
        ("2024-01-01", ("2024-01-01", "2024-01-01")),
    ],
)
def test_parse_interval(text: str, expected: tuple[str | None, str | None]) -> None:
    assert inputs.parse_interval(text, "--datetime") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("25/35", (25, 35)), ("25.5/", (25.5, None)), ("/35", (None, 35)), ("30", (30, 30))],
)
def test_parse_range(text: str, expected: tuple[float | None, float | None]) -> None:
    assert inputs.parse_range(text, "--look-angle") == expected


def test_parse_bbox() -> None:
    assert inputs.parse_bbox("-122.5, 37.7, -122.3, 37.8") == [-122.5, 37.7, -122.3, 37.8]


def test_request_ids_reads_known_keys_from_records(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = json.dumps({"orderId": "o1"}) + "\no2\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert inputs.request_ids(["-", "o3", "o1"], ("orderId",)) == ["o1", "o2", "o3"]


def test_request_ids_rejects_records_without_an_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"name": "x"}'))
    with pytest.raises(CliError, match="none of orderId"):
        inputs.request_ids(["-"], ("orderId",))


def test_split_csv() -> None:
    assert inputs.split_csv(["a", "b, c", ""]) == ["a", "b", "c"]
    assert inputs.split_csv(None) == []
