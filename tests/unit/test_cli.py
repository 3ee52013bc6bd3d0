"""The ``capella`` commands against a fake client: options become the right client calls,
output goes to stdout in the asked format, errors become one stderr line and an exit code."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
import typer
from typer.testing import CliRunner

from capella.cli import app
from capella.cli._context import State
from capella.download.jobs import DownloadJob, DownloadOutcome, Status
from capella.download.progress import FileProgress, RunProgress
from capella.errors import (
    AssetDownloadError,
    CapellaConsoleClientError,
    InvalidInputError,
    OrderExpiredError,
)

SECRET = "unit-test-secret-key-0123456789abcdef"

ITEM_A = {
    "type": "Feature",
    "id": "CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010",
    "collection": "capella-geo",
    "geometry": {"type": "Point", "coordinates": [1.0, 2.0]},
    "properties": {
        "datetime": "2024-01-01T00:00:05Z",
        "sar:product_type": "GEO",
        "sar:instrument_mode": "spotlight",
        "sar:polarizations": ["HH"],
        "view:look_angle": 31.256,
        "platform": "capella-13",
    },
    "assets": {},
}
ITEM_B = {**ITEM_A, "id": "CAPELLA_C13_SP_SLC_HH_20240101000000_20240101000010"}
TR_ID = "34c78a57-2d68-4b4a-a7ba-c188f9e2645d"
TR_ID_2 = "44c78a57-2d68-4b4a-a7ba-c188f9e2645d"
ORDER_ID = "6c2f1c8e-0d36-4a55-9b0a-3c8f35f2f1d2"


class FakeClient:
    """Records calls; answers with canned values (or raises what ``fail`` holds)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.answers: dict[str, Any] = {}
        self.fail: BaseException | None = None

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def method(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            if self.fail is not None:
                raise self.fail
            answer = self.answers.get(name)
            return answer(*args, **kwargs) if callable(answer) else answer

        return method

    def called(self, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
        matches = [(a, k) for n, a, k in self.calls if n == name]
        assert matches, f"{name} was not called; calls: {self.calls}"
        return matches[-1]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeClient]:
    client = FakeClient()
    monkeypatch.setattr(State, "client", lambda self: client)
    monkeypatch.setenv("CAPELLA_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CAPELLA_API_KEY", SECRET)
    monkeypatch.delenv("CAPELLA_PROFILE", raising=False)
    monkeypatch.delenv("CAPELLA_API_URL", raising=False)
    yield client


def run(*args: str, input: str | None = None) -> Any:
    result = CliRunner().invoke(app, list(args), input=input)
    assert SECRET not in result.stdout
    assert SECRET not in result.stderr
    return result


def lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines()]


# -- help ----------------------------------------------------------------------------------------


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*prefix, name))


ALL_COMMANDS = list(_command_paths(typer.main.get_command(app)))


def test_the_command_tree() -> None:
    assert set(ALL_COMMANDS) >= {
        ("whoami",), ("search",), ("download",), ("sandbox",),
        ("order", "review"), ("order", "create"), ("order", "list"), ("order", "show"),
        ("tasks", "create"), ("tasks", "show"), ("tasks", "search"), ("tasks", "cancel"),
        ("tasks", "update"), ("repeats", "create"), ("repeats", "search"),
        ("repeats", "cancel"), ("repeats", "update"),
        ("auth", "login"), ("auth", "logout"), ("auth", "status"),
    }  # fmt: skip


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "capella")
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout or "usage" in result.stdout
    if path and path[0] in ("order", "tasks", "repeats", "auth") and len(path) == 1:
        return  # a group lists its commands; the examples are on each command
    assert "capella " in result.stdout.split("Example", 1)[-1], result.stdout


def test_help_never_shows_the_key_from_the_environment(fake: FakeClient) -> None:
    result = run("--help")
    assert "CAPELLA_API_KEY" in result.stdout


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("capella ")


def test_no_arguments_shows_help() -> None:
    result = CliRunner().invoke(app, [])
    assert "Usage" in result.stdout + result.stderr


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in CliRunner().invoke(app, ["--help"]).stdout


# -- whoami and error reporting --------------------------------------------------------------------


def test_whoami_prints_one_json_object(fake: FakeClient) -> None:
    fake.answers["whoami"] = {"id": "u1", "email": "a@b.c"}
    result = run("whoami")
    assert result.exit_code == 0
    assert lines(result.stdout) == [{"id": "u1", "email": "a@b.c"}]
    assert result.stderr == ""


def test_an_api_error_is_one_line_on_stderr_and_exit_1(fake: FakeClient) -> None:
    fake.fail = OrderExpiredError("Order expired", "ORDER_EXPIRED")
    result = run("whoami")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: Order expired [ORDER_EXPIRED]\n"


def test_debug_adds_the_traceback(fake: FakeClient) -> None:
    fake.fail = CapellaConsoleClientError("boom")
    result = run("--debug", "whoami")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().endswith("Error: boom")


def test_a_key_inside_an_error_message_is_redacted(fake: FakeClient) -> None:
    fake.fail = CapellaConsoleClientError(f"server said: bad key {SECRET}")
    result = run("--debug", "whoami")
    assert "[REDACTED]" in result.stderr


def test_an_unexpected_exception_is_one_line_and_exit_1(fake: FakeClient) -> None:
    fake.fail = KeyError("properties")
    result = run("whoami")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: unexpected KeyError: 'properties' (run with --debug for the traceback)\n"
    )


def test_invalid_input_from_the_client_is_a_usage_error(fake: FakeClient) -> None:
    fake.fail = InvalidInputError("window_close must be after window_open")
    result = run("tasks", "create", "--name", "x", "-g", '{"type":"Point","coordinates":[1,2]}')
    assert result.exit_code == 2
    assert result.stderr == "Error: window_close must be after window_open\n"


def test_an_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["search", "--bogus"])
    assert result.exit_code == 2


# -- search --------------------------------------------------------------------------------------


def test_search_maps_options_to_filters(fake: FakeClient) -> None:
    fake.answers["search"] = [ITEM_A]
    result = run(
        "search", "-p", "geo", "-p", "SLC", "--instrument-mode", "spotlight",
        "--bbox", "-122.5,37.7,-122.3,37.8", "--datetime", "2024-01-01/2024-02-01",
        "--look-angle", "25/35", "--polarization", "hh", "--collection", "capella-geo",
        "--filter", "resolution_range__lte=0.5", "--filter", "orbital_plane=45,53",
        "--sortby", "-datetime", "--limit", "10", "--threaded",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    _, keywords = fake.called("search")
    assert keywords == {
        "resolution_range__lte": 0.5,
        "orbital_plane": [45, 53],
        "product_type": ["GEO", "SLC"],
        "instrument_mode": "spotlight",
        "polarizations": "HH",
        "collections": ["capella-geo"],
        "bbox": [-122.5, 37.7, -122.3, 37.8],
        "datetime__gte": "2024-01-01",
        "datetime__lte": "2024-02-01",
        "look_angle__gte": 25,
        "look_angle__lte": 35,
        "sortby": ["-datetime"],
        "limit": 10,
        "threaded": True,
    }
    assert lines(result.stdout) == [ITEM_A]


def test_search_open_intervals(fake: FakeClient) -> None:
    fake.answers["search"] = []
    run("search", "--datetime", "../2024-02-01", "--incidence-angle", "30/")
    _, keywords = fake.called("search")
    assert keywords == {"datetime__lte": "2024-02-01", "incidence_angle__gte": 30}


def test_search_intersects_reads_a_geometry_from_stdin(fake: FakeClient) -> None:
    fake.answers["search"] = []
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}
    run("search", "--intersects", "-", input=json.dumps(feature))
    assert fake.called("search")[1] == {"intersects": {"type": "Point", "coordinates": [1, 2]}}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "look_angl__gt=3"], "did you mean 'look_angle'"),
        (["--filter", "look_angle__gtt=3"], "unknown operator"),
        (["--filter", "no-equals-sign"], "expected FIELD__OP=VALUE"),
        (["--bbox", "1,2,3"], "expected four numbers"),
        (["--bbox", "1,80,3,20"], "south (80.0) is greater than north (20.0)"),
        (["--bbox", "1,2,nan,4"], "no NaN or inf"),
        (["--bbox", "1,2,inf,4"], "no NaN or inf"),
        (["--bbox", "-200,2,3,4"], "longitudes must be between -180 and 180"),
        (["--datetime", "/"], "at least one side"),
        (["--datetime", "yesterday"], "ISO 8601"),
        (["--look-angle", "40/20"], "minimum is greater"),
        (["--look-angle", "a/b"], "not a number"),
        (["--product-type", "GEOC"], "invalid value 'GEOC'"),
        (["--sortby", "-dattime"], "did you mean 'datetime'"),
        (["-p", "GEO", "--filter", "product_type=SLC"], "both set product_type"),
        (["--bbox", "1,2,3,4", "--filter", "bbox=5,6,7,8"], "--bbox and --filter both set bbox"),
        (["--datetime", "2024-01-01/..", "-f", "datetime__gte=2023"], "both set datetime__gte"),
        (["--intersects", "missing.geojson"], "no such file"),
        (["--limit", "0"], "Invalid value"),
    ],
)
def test_search_usage_errors_need_no_credentials(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CAPELLA_API_KEY", raising=False)
    monkeypatch.setenv("CAPELLA_CONFIG_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["search", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("ids", f"{ITEM_A['id']}\n{ITEM_B['id']}\n"),
        ("geojson", json.dumps({"type": "FeatureCollection", "features": [ITEM_A, ITEM_B]})),
    ],
)
def test_search_formats(fake: FakeClient, fmt: str, expected: str) -> None:
    fake.answers["search"] = [ITEM_A, ITEM_B]
    result = run("search", "--format", fmt)
    if fmt == "geojson":
        assert json.loads(result.stdout) == json.loads(expected)
    else:
        assert result.stdout == expected


def test_search_table_is_for_people(fake: FakeClient) -> None:
    fake.answers["search"] = [ITEM_A]
    result = run("search", "-o", "table")
    header, row = result.stdout.splitlines()[:2]
    assert header.split() == [
        "id", "datetime", "product", "mode", "pol", "look", "platform", "collection",
    ]  # fmt: skip
    assert row.split() == [
        ITEM_A["id"], "2024-01-01T00:00:05Z", "GEO", "spotlight", "HH", "31.26", "capella-13",
        "capella-geo",
    ]  # fmt: skip


def test_search_says_on_stderr_when_the_default_limit_is_reached(
    fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("capella.cli.search.DEFAULT_LIMIT", 2)
    fake.answers["search"] = [ITEM_A, ITEM_B]
    result = run("search", "-o", "ids")
    assert len(result.stdout.splitlines()) == 2
    assert "default limit" in result.stderr


# -- orders --------------------------------------------------------------------------------------


def test_order_create_prints_only_the_order_id(fake: FakeClient) -> None:
    fake.answers["submit_order"] = ORDER_ID
    result = run("order", "create", ITEM_A["id"], "--contract-id", "c1", "--check-active")
    assert result.exit_code == 0
    assert result.stdout == ORDER_ID + "\n"
    assert fake.called("submit_order")[1] == {
        "stac_ids": [ITEM_A["id"]],
        "check_active_orders": True,
        "omit_review": False,
        "contract_id": "c1",
    }


def test_order_create_takes_ndjson_items_on_stdin(fake: FakeClient) -> None:
    fake.answers["submit_order"] = ORDER_ID
    run("order", "create", "-", input=json.dumps(ITEM_A) + "\n" + json.dumps(ITEM_B) + "\n")
    assert fake.called("submit_order")[1]["items"] == [ITEM_A, ITEM_B]


@pytest.mark.parametrize(
    "stdin",
    [
        f"{ITEM_A['id']}\n{ITEM_B['id']}\n",
        json.dumps({"type": "FeatureCollection", "features": [{"id": ITEM_A["id"]}, ITEM_B]}),
        json.dumps([ITEM_A["id"], ITEM_B["id"]]),
    ],
    ids=["ids", "feature-collection", "json-list"],
)
def test_order_review_reads_ids_in_several_shapes(fake: FakeClient, stdin: str) -> None:
    fake.answers["review_order"] = {"authorized": True}
    result = run("order", "review", "-", input=stdin)
    assert result.exit_code == 0
    _, keywords = fake.called("review_order")
    got = keywords.get("stac_ids") or [i["id"] for i in keywords["items"]]
    assert got == [ITEM_A["id"], ITEM_B["id"]]
    assert lines(result.stdout) == [{"authorized": True}]


def test_order_create_with_empty_stdin_is_a_usage_error(fake: FakeClient) -> None:
    result = run("order", "create", "-", input="")
    assert result.exit_code == 2
    assert fake.calls == []


def test_order_list_active_as_ids(fake: FakeClient) -> None:
    fake.answers["list_orders"] = [{"orderId": ORDER_ID, "items": []}]
    result = run("order", "list", "--active", "-o", "ids")
    assert result.stdout == ORDER_ID + "\n"
    assert fake.called("list_orders")[1] == {"is_active": True}


def test_order_show_passes_ids(fake: FakeClient) -> None:
    fake.answers["list_orders"] = [{"orderId": ORDER_ID}]
    result = run("order", "show", ORDER_ID)
    assert fake.called("list_orders")[0] == (ORDER_ID,)
    assert lines(result.stdout) == [{"orderId": ORDER_ID}]


# -- download ------------------------------------------------------------------------------------


def _outcome(asset: str, path: Path, status: Status, error: str | None = None) -> Any:
    job = DownloadJob("https://assets.test/a.tif?sig=1", path, ITEM_A["id"], asset)
    failure = AssetDownloadError(error) if error else None
    return DownloadOutcome(job, status, 2, failure, transferred=2)


def _reports(*outcomes: Any) -> Callable[..., Any]:
    """A download_products that reports these outcomes to the CLI's progress, as a run does."""
    from capella.errors import DownloadError

    def download_products(*, show_progress: RunProgress, **kwargs: Any) -> Any:
        show_progress.start(lambda: [FileProgress.decided(o) for o in outcomes])
        show_progress.stop()
        if any(o.status == "failed" for o in outcomes):
            raise DownloadError(list(outcomes))
        return {}

    return download_products


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exactly one of"),
        (["--order", ORDER_ID, "--task", TR_ID], "exactly one of"),
        (["somefile"], "unexpected argument"),
    ],
)
def test_download_needs_exactly_one_source(fake: FakeClient, args: list[str], message: str) -> None:
    result = run("download", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_download_maps_options(fake: FakeClient, tmp_path: Path) -> None:
    fake.answers["download_products"] = {}
    run(
        "download", "--task", TR_ID, "--dir", str(tmp_path / "out"), "--include", "HH,thumbnail",
        "--exclude", "metadata", "-p", "GEO", "--flat", "--override", "--no-resume", "--quiet",
        "--contract-id", "c9",
    )  # fmt: skip
    assert fake.called("download_products")[1] == {
        "tasking_request_id": TR_ID,
        "local_dir": str(tmp_path / "out"),
        "include": ["HH", "thumbnail"],
        "exclude": ["metadata"],
        "product_types": ["GEO"],
        "override": True,
        "threaded": True,
        "show_progress": ANY,
        "separate_dirs": False,
        "enable_resume": False,
        "contract_id": "c9",
    }


def test_download_reads_an_order_id_from_stdin(fake: FakeClient, tmp_path: Path) -> None:
    fake.answers["download_products"] = {}
    run("download", "-", "--dir", str(tmp_path), input=ORDER_ID + "\n")
    assert fake.called("download_products")[1]["order_id"] == ORDER_ID


def test_download_reads_presigned_items_from_stdin(fake: FakeClient, tmp_path: Path) -> None:
    fake.answers["download_products"] = {}
    item = {**ITEM_A, "assets": {"HH": {"href": "https://x/a.tif?sig=1"}}}
    run("download", "-", "--dir", str(tmp_path), input=json.dumps(item) + "\n")
    assert fake.called("download_products")[1]["items_presigned"] == [item]


def test_download_records_carry_the_core_status_and_a_summary(
    fake: FakeClient, tmp_path: Path
) -> None:
    fake.answers["download_products"] = _reports(
        _outcome("HH", tmp_path / "a.tif", "downloaded"),
        _outcome("VV", tmp_path / "b.tif", "resumed"),
        _outcome("thumbnail", tmp_path / "t.png", "skipped"),
    )
    result = run("download", "--order", ORDER_ID, "--dir", str(tmp_path))
    assert result.exit_code == 0
    *records, summary = lines(result.stdout)
    assert records == [
        {"stac_id": ITEM_A["id"], "asset": "HH", "path": str(tmp_path / "a.tif"), "bytes": 2,
         "status": "downloaded"},
        {"stac_id": ITEM_A["id"], "asset": "VV", "path": str(tmp_path / "b.tif"), "bytes": 2,
         "status": "resumed"},
        {"stac_id": ITEM_A["id"], "asset": "thumbnail", "path": str(tmp_path / "t.png"),
         "bytes": 2, "status": "skipped"},
    ]  # fmt: skip
    counts = {k: summary["summary"][k] for k in ("downloaded", "resumed", "skipped", "failed")}
    assert counts == {"downloaded": 1, "resumed": 1, "skipped": 1, "failed": 0}
    assert summary["summary"]["received"] == 6
    assert "3 files: 1 downloaded, 1 resumed, 1 skipped" in result.stderr


def test_download_of_two_orders_ends_with_one_summary_of_both(
    fake: FakeClient, tmp_path: Path
) -> None:
    fake.answers["download_products"] = _reports(_outcome("HH", tmp_path / "a.tif", "resumed"))
    other = ORDER_ID.replace("6c2f", "7c2f")
    result = run("download", "-", "--dir", str(tmp_path), input=f"{ORDER_ID}\n{other}\n")
    assert result.exit_code == 0, result.stderr
    *records, summary = lines(result.stdout)
    assert [r["status"] for r in records] == ["resumed", "resumed"]
    assert (summary["summary"]["resumed"], summary["summary"]["received"]) == (2, 4)


def test_download_quiet_keeps_the_summary_record_but_not_the_line(
    fake: FakeClient, tmp_path: Path
) -> None:
    fake.answers["download_products"] = _reports(_outcome("HH", tmp_path / "a.tif", "downloaded"))
    result = run("download", "--order", ORDER_ID, "--dir", str(tmp_path), "--quiet")
    assert "summary" in lines(result.stdout)[-1]
    assert result.stderr == ""


def test_download_partial_failure_exits_3_with_the_successes_listed(
    fake: FakeClient, tmp_path: Path
) -> None:
    fake.answers["download_products"] = _reports(
        _outcome("HH", tmp_path / "good.tif", "downloaded"),
        _outcome("thumbnail", tmp_path / "t.png", "failed", "HTTP 500"),
    )
    result = run("download", "--order", ORDER_ID, "--dir", str(tmp_path))
    assert result.exit_code == 3
    *records, summary = lines(result.stdout)
    assert [r["status"] for r in records] == ["downloaded", "failed"]
    assert records[0]["bytes"] == 2
    assert records[1]["error"] == "HTTP 500"
    assert summary["summary"]["failed"] == 1
    assert "1 of 2 files failed" in result.stderr


def test_download_total_failure_exits_1(fake: FakeClient, tmp_path: Path) -> None:
    fake.answers["download_products"] = _reports(
        _outcome("HH", tmp_path / "x", "failed", "HTTP 403")
    )
    result = run("download", "--order", ORDER_ID, "--dir", str(tmp_path))
    assert result.exit_code == 1


# -- tasks and repeats ---------------------------------------------------------------------------


def test_tasks_create_passes_only_given_options(fake: FakeClient, tmp_path: Path) -> None:
    geometry = tmp_path / "aoi.geojson"
    geometry.write_text(json.dumps({"type": "Point", "coordinates": [11.1, 49.6]}))
    fake.answers["create_tasking_request"] = {"properties": {"taskingrequestId": TR_ID}}
    result = run(
        "tasks", "create", "--name", "harbour", "-g", str(geometry), "--collection-tier",
        "priority", "--local-time", "[[0, 3600]]", "--orbital-plane", "45,53", "-p", "GEO",
        "--pre-approval", "--off-nadir-min", "5",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert fake.called("create_tasking_request")[1] == {
        "geometry": {"type": "Point", "coordinates": [11.1, 49.6]},
        "name": "harbour",
        "collection_tier": "priority",
        "local_time": [[0, 3600]],
        "orbital_planes": [45, 53],
        "product_types": ["GEO"],
        "pre_approval": True,
        "off_nadir_min": 5.0,
    }
    assert lines(result.stdout) == [{"properties": {"taskingrequestId": TR_ID}}]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"type":"FeatureCollection","features":[]}', "expected one feature"),
        ('{"type":"Point"}', "no coordinates"),
        ('{"type":"Circle","coordinates":[1,2]}', "expected a GeoJSON geometry"),
    ],
)
def test_tasks_create_rejects_bad_geometry(fake: FakeClient, geometry: str, message: str) -> None:
    result = run("tasks", "create", "--name", "x", "-g", "-", input=geometry)
    assert result.exit_code == 2
    assert message in result.stderr


def test_repeats_create_options(fake: FakeClient) -> None:
    fake.answers["create_repeat_request"] = {}
    run(
        "repeats", "create", "--name", "weekly", "-g", '{"type":"Point","coordinates":[1,2]}',
        "--repetition-interval", "7", "--repetition-count", "5", "--no-maintain-scene-framing",
        "--insar-orbit", "MIO_53_2P95",
    )  # fmt: skip
    assert fake.called("create_repeat_request")[1] == {
        "geometry": {"type": "Point", "coordinates": [1, 2]},
        "name": "weekly",
        "repetition_interval": 7,
        "repetition_count": 5,
        "maintain_scene_framing": False,
        "insar_orbit": "MIO_53_2P95",
    }


def test_tasks_search_filters(fake: FakeClient) -> None:
    fake.answers["search_tasking_requests"] = [{"properties": {"taskingrequestId": TR_ID}}]
    result = run(
        "tasks", "search", "--status", "completed,accepted", "--submission-time", "2024-01-01/..",
        "--filter", "window_close__lt=2025-01-01", "--no-threaded", "-o", "ids",
    )  # fmt: skip
    assert result.stdout == TR_ID + "\n"
    assert fake.called("search_tasking_requests")[1] == {
        "status": ["completed", "accepted"],
        "submission_time__gte": "2024-01-01",
        "window_close__lt": "2025-01-01",
        "for_org": False,
        "threaded": False,
        "page_size": 250,
    }


def test_tasks_search_unknown_filter_is_a_usage_error(fake: FakeClient) -> None:
    result = run("tasks", "search", "--filter", "colour=red")
    assert result.exit_code == 2
    assert "unknown filter 'colour'" in result.stderr


def test_repeats_search_parses_numbers_for_numeric_filters(fake: FakeClient) -> None:
    fake.answers["search_repeat_requests"] = []
    run("repeats", "search", "--filter", "repetition_interval__lte=7")
    assert fake.called("search_repeat_requests")[1]["repetition_interval__lte"] == 7


def test_tasks_show_reads_ids_from_json_records_on_stdin(fake: FakeClient) -> None:
    fake.answers["get_task"] = lambda i: {"properties": {"taskingrequestId": i}}
    stdin = json.dumps({"properties": {"taskingrequestId": TR_ID}}) + "\n" + TR_ID_2 + "\n"
    result = run("tasks", "show", "-", input=stdin)
    assert [r["properties"]["taskingrequestId"] for r in lines(result.stdout)] == [TR_ID, TR_ID_2]


def test_cancel_all_ok_exits_0(fake: FakeClient) -> None:
    fake.answers["cancel_tasking_requests"] = {TR_ID: {"success": True}}
    result = run("tasks", "cancel", TR_ID)
    assert result.exit_code == 0
    assert lines(result.stdout) == [{"id": TR_ID, "success": True}]


def test_cancel_some_failed_exits_3(fake: FakeClient) -> None:
    fake.answers["cancel_repeat_requests"] = {
        TR_ID: {"success": True},
        TR_ID_2: {"success": False, "error": {"code": "UNABLE"}},
    }
    result = run("repeats", "cancel", TR_ID, TR_ID_2, "--yes")
    assert result.exit_code == 3
    assert lines(result.stdout)[1] == {"id": TR_ID_2, "success": False, "error": {"code": "UNABLE"}}
    assert "1 of 2 failed" in result.stderr


def test_cancel_all_failed_exits_1(fake: FakeClient) -> None:
    fake.answers["cancel_tasking_requests"] = {TR_ID: {"success": False, "error": {}}}
    assert run("tasks", "cancel", TR_ID).exit_code == 1


def test_update_wraps_the_updated_request(fake: FakeClient) -> None:
    fake.answers["update_tasking_requests"] = {TR_ID: {"properties": {"taskingrequestName": "n"}}}
    result = run("tasks", "update", TR_ID, "--name", "n", "-p", "GEO,SLC")
    assert fake.called("update_tasking_requests") == (
        (TR_ID,),
        {"name": "n", "product_types": ["GEO", "SLC"]},
    )
    assert lines(result.stdout) == [
        {"id": TR_ID, "success": True, "request": {"properties": {"taskingrequestName": "n"}}}
    ]


def test_update_with_nothing_to_change_is_a_usage_error(fake: FakeClient) -> None:
    result = run("repeats", "update", TR_ID)
    assert result.exit_code == 2
    assert "nothing to update" in result.stderr
    assert fake.calls == []


def test_ids_are_required(fake: FakeClient) -> None:
    assert run("tasks", "cancel").exit_code == 2
    assert run("tasks", "cancel", "-", input="").exit_code == 2
