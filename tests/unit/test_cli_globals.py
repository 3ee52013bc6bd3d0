"""The first hour at the command line: global options in either place, where the URL comes
from, and errors that say what to do next."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from capella.cli import app
from capella.cli._argv import hoist_global_options
from capella.cli._context import State
from capella.errors import AuthenticationError, ConnectError
from capella.query import build_query

KEY = "unit-test-secret-key-0123456789abcdef"
ITEM = {
    "type": "Feature",
    "id": "CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010",
    "geometry": {"type": "Point", "coordinates": [1.0, 2.0]},
    "properties": {"datetime": "2024-01-01T00:00:05Z"},
    "assets": {},
}


class Recorder:
    """Stands in for the client: remembers the State that built it, answers or fails."""

    def __init__(self) -> None:
        self.state: State | None = None
        self.fail: BaseException | None = None

    def search(self, **filters: Any) -> list[dict[str, Any]]:
        if self.fail is not None:
            raise self.fail
        build_query(filters)  # validates, and warns, as the client's search does
        return [ITEM]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAPELLA_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("CAPELLA_API_KEY", "CAPELLA_API_URL", "CAPELLA_PROFILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> Iterator[Recorder]:
    fake = Recorder()

    def client(self: State) -> Recorder:
        fake.state = self
        return fake

    monkeypatch.setattr(State, "client", client)
    yield fake


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(app, list(args), env=env)
    assert KEY not in result.stderr
    return result


# -- global options after the subcommand -----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--api-key", KEY, "--base-url", "http://127.0.0.1:9", "--debug", "search"],
        ["search", "--api-key", KEY, "--base-url", "http://127.0.0.1:9", "--debug"],
        ["search", f"--api-key={KEY}", "--limit", "1", "--base-url=http://127.0.0.1:9", "--debug"],
        ["--debug", "search", "--limit", "1", "--api-key", KEY, "--base-url", "http://127.0.0.1:9"],
    ],
    ids=["before", "after", "after-with-equals", "both-sides"],
)
def test_global_options_work_before_and_after_the_subcommand(
    recorder: Recorder, args: list[str]
) -> None:
    result = run(*args, "--format", "ids")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == ITEM["id"]
    state = recorder.state
    assert state is not None
    assert state.api_key == KEY and not state.api_key_from_env
    assert state.base_url == "http://127.0.0.1:9"
    assert state.debug


def test_global_options_after_a_nested_subcommand(recorder: Recorder) -> None:
    result = run("auth", "status", "--api-key", KEY, "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["source"] == "--api-key"
    assert record["base_url"] == "http://127.0.0.1:9"


def _root() -> Any:
    return typer.main.get_command(app)


def _hoist(args: list[str]) -> list[str]:
    root = _root()
    with root.make_context("capella", ["--help"], resilient_parsing=True) as ctx:
        return hoist_global_options(root, ctx, args)


def test_an_option_the_subcommand_has_itself_stays_with_the_subcommand() -> None:
    # ``auth login`` has its own --profile and --base-url: they name the profile being stored.
    args = ["auth", "login", "--profile", "p", "--base-url", "http://x", "--api-key", KEY]
    assert _hoist(args) == [
        "--api-key", KEY, "auth", "login", "--profile", "p", "--base-url", "http://x"
    ]  # fmt: skip


def test_help_after_a_subcommand_stays_that_subcommands_help() -> None:
    # ``sandbox`` passes --help on to the sandbox's own parser; the root must not take it.
    assert _hoist(["sandbox", "--help"]) == ["sandbox", "--help"]
    assert _hoist(["search", "-h", "--debug"]) == ["--debug", "search", "-h"]


def test_values_and_arguments_after_double_dash_are_not_moved() -> None:
    assert _hoist(["search", "--bbox", "-1,2,3,4", "--", "--debug"]) == [
        "search", "--bbox", "-1,2,3,4", "--", "--debug"
    ]  # fmt: skip
    assert _hoist(["order", "create", "-", "-v"]) == ["-v", "order", "create", "-"]


# -- the API URL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--base-url", "http://flag:1"], {"CAPELLA_API_URL": "http://env:2"}, "http://flag:1"),
        ([], {"CAPELLA_API_URL": "http://env:2/"}, "http://env:2"),
        ([], {}, "https://api.capellaspace.com"),
    ],
    ids=["option-over-environment", "environment", "default"],
)
def test_the_api_url_is_the_option_then_the_environment_then_the_default(
    recorder: Recorder, args: list[str], env: dict[str, str], expected: str
) -> None:
    result = run("auth", "status", "--api-key", KEY, *args, env=env)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["base_url"] == expected


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        (["--base-url", "127.0.0.1:8080"], {}, "--base-url"),
        ([], {"CAPELLA_API_URL": "127.0.0.1:8080"}, "CAPELLA_API_URL"),
    ],
    ids=["option", "environment"],
)
def test_a_url_without_a_scheme_is_a_usage_error_that_shows_the_fix(
    clean_env: None, args: list[str], env: dict[str, str], source: str
) -> None:
    # The real client: the URL is refused before it is built, so nothing is sent.
    result = run("search", "--api-key", KEY, *args, env=env)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {source} '127.0.0.1:8080' has no scheme; use http://127.0.0.1:8080 for a "
        "local sandbox (or https:// for a remote API)\n"
    )


# -- errors that say what to do next ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "origin"),
    [
        (["--api-key", KEY], {}, "the API key from the --api-key option"),
        ([], {"CAPELLA_API_KEY": KEY}, "the API key from the environment (CAPELLA_API_KEY)"),
    ],
    ids=["option", "environment"],
)
def test_a_refused_key_names_where_it_came_from_and_the_url(
    recorder: Recorder, args: list[str], env: dict[str, str], origin: str
) -> None:
    recorder.fail = AuthenticationError("Unauthorized", "INVALID_API_KEY")
    result = run("search", "--base-url", "http://127.0.0.1:9", *args, env=env)
    assert result.exit_code == 1
    error, hint = result.stderr.splitlines()
    assert error == "Error: Unauthorized [INVALID_API_KEY]"
    assert hint.startswith(f"Hint: {origin} was refused by http://127.0.0.1:9;")


def test_a_refused_key_from_a_profile_names_the_profile(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("capella.cli._context.get_key", lambda name: KEY)
    recorder.fail = AuthenticationError("Unauthorized", "INVALID_API_KEY")
    result = run("search", "--profile", "work", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "Hint: the API key from profile 'work' in the OS keyring was refused" in result.stderr


def test_nothing_listening_names_the_url_and_how_to_start_the_sandbox(recorder: Recorder) -> None:
    recorder.fail = ConnectError(
        "POST http://127.0.0.1:9/catalog/search failed after 4 attempt(s)", "CONNECTION_ERROR"
    )
    result = run("search", "--api-key", KEY, "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 1
    hint = result.stderr.splitlines()[-1]
    assert hint.startswith("Hint: nothing answered at http://127.0.0.1:9;")
    assert "capella sandbox --port 8080" in hint
    assert "CAPELLA_API_URL=http://127.0.0.1:8080" in hint


def test_other_errors_get_no_hint(recorder: Recorder) -> None:
    recorder.fail = AuthenticationError("No credentials", "MISSING_CREDENTIALS")
    result = run("search", "--api-key", KEY)
    assert result.stderr == "Error: No credentials [MISSING_CREDENTIALS]\n"


@pytest.mark.parametrize("debug", [False, True])
def test_the_hint_to_use_debug_is_only_given_without_debug(recorder: Recorder, debug: bool) -> None:
    recorder.fail = KeyError("properties")
    result = run("search", "--api-key", KEY, *(["--debug"] if debug else []))
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: unexpected KeyError: 'properties'")
    assert ("run with --debug" in last) is not debug


# -- library warnings ------------------------------------------------------------------------


def test_a_bbox_around_the_world_is_searched_with_one_note_on_stderr(recorder: Recorder) -> None:
    result = run("search", "--api-key", KEY, "--bbox", "-122.4,46.9,-124.9,48.5")
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1
    assert "crossing the antimeridian" in notes[0]
    assert "pass [-124.9, 46.9, -122.4, 48.5]" in notes[0]


# -- pipelines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["order", "create", "-"], ["download", "-"], ["tasks", "show", "-"]]
)
def test_a_stage_with_nothing_on_stdin_says_the_stage_before_produced_nothing(
    clean_env: None, command: list[str]
) -> None:
    result = CliRunner().invoke(app, ["--api-key", KEY, *command], input="")
    assert result.exit_code == 2
    assert "the command before '|' produced nothing" in result.stderr
    assert "neither" not in result.stderr
