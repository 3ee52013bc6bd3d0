"""The ``capella`` command line against the sandbox, through typer's test runner and through a
real ``python -m capella.cli`` process; the API key never appears in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from typer.testing import CliRunner

from capella import CapellaConsoleClient
from capella.cli import app
from capella.sandbox import DEMO_API_KEY, Sandbox

pytestmark = pytest.mark.e2e

POINT = '{"type":"Point","coordinates":[11.148,49.597]}'
WRONG_KEY = "e2e-wrong-key-do-not-print-0123456789"
SECRETS = (DEMO_API_KEY, WRONG_KEY)


@attrs.frozen
class Result:
    """What one command did: its exit code and both streams."""

    exit_code: int
    stdout: str
    stderr: str

    def records(self) -> list[Any]:
        return [json.loads(line) for line in self.stdout.splitlines()]

    def files(self) -> list[Any]:
        """A download's file records, without its closing summary record."""
        *files, summary = self.records()
        assert set(summary) == {"summary"}
        return files


Cli = Callable[..., Result]


def _check_no_secret(result: Result) -> Result:
    for secret in SECRETS:
        assert secret not in result.stdout, "a key was printed on stdout"
        assert secret not in result.stderr, "a key was printed on stderr"
    return result


def _env(sandbox: Sandbox, tmp_path: Path, key: str = DEMO_API_KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPELLA_")}
    env.update(
        CAPELLA_API_KEY=key,
        CAPELLA_API_URL=sandbox.url,
        CAPELLA_CONFIG_DIR=str(tmp_path / "config"),
        # Rich would otherwise size tables to a terminal the test does not have.
        COLUMNS="200",
    )
    return env


def _runner_cli(env: dict[str, str]) -> Cli:
    def cli(
        *args: str, input: str | None = None, extra_env: dict[str, str] | None = None
    ) -> Result:
        merged = {**env, **(extra_env or {})}
        # CliRunner only sets variables; the ones not in `merged` must be unset explicitly.
        unset = {k: None for k in os.environ if k.startswith("CAPELLA_") and k not in merged}
        done = CliRunner().invoke(app, list(args), input=input, env={**merged, **unset})
        if done.exception is not None and not isinstance(done.exception, SystemExit):
            raise done.exception
        return _check_no_secret(Result(done.exit_code, done.stdout, done.stderr))

    return cli


def _process_cli(env: dict[str, str]) -> Cli:
    def cli(
        *args: str, input: str | None = None, extra_env: dict[str, str] | None = None
    ) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "capella.cli", *args],
            input=input,
            capture_output=True,
            text=True,
            env={**env, **(extra_env or {})},
            timeout=120,
            check=False,
        )
        return _check_no_secret(Result(done.returncode, done.stdout, done.stderr))

    return cli


@pytest.fixture(params=["runner", "process"])
def cli(request: pytest.FixtureRequest, sandbox: Sandbox, tmp_path: Path) -> Cli:
    """The command line, once through CliRunner and once as a real process."""
    env = _env(sandbox, tmp_path)
    return _runner_cli(env) if request.param == "runner" else _process_cli(env)


@pytest.fixture
def fresh_cli(request: pytest.FixtureRequest, fresh_sandbox: Sandbox, tmp_path: Path) -> Cli:
    """A real-process command line against a sandbox of its own (for state-changing tests)."""
    return _process_cli(_env(fresh_sandbox, tmp_path))


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
        yield c


def pipeline(env: dict[str, str], *commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Run ``capella A | capella B | ...`` with real pipes; return each stage's result."""
    procs: list[subprocess.Popen[str]] = []
    previous = None
    for args in commands:
        proc = subprocess.Popen(
            [sys.executable, "-m", "capella.cli", *args],
            stdin=previous.stdout if previous is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        if previous is not None and previous.stdout is not None:
            previous.stdout.close()  # the next stage owns the read end now
        procs.append(proc)
        previous = proc
    results = []
    for i, proc in enumerate(procs):
        out = proc.stdout.read() if i == len(procs) - 1 and proc.stdout is not None else ""
        err = proc.stderr.read() if proc.stderr is not None else ""
        proc.wait(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    for done in results:
        _check_no_secret(Result(done.returncode, done.stdout, done.stderr))
    return results


# -- whoami, auth, errors --------------------------------------------------------------------


def test_whoami(cli: Cli, client: CapellaConsoleClient) -> None:
    result = cli("whoami")
    assert result.exit_code == 0, result.stderr
    assert result.records() == [client.whoami()]


def test_a_wrong_key_is_exit_1_and_says_where_the_key_came_from(cli: Cli, sandbox: Sandbox) -> None:
    result = cli("whoami", extra_env={"CAPELLA_API_KEY": WRONG_KEY})
    assert result.exit_code == 1
    assert result.stdout == ""
    error, hint = result.stderr.strip().splitlines()
    assert error == "Error: Unauthorized [INVALID_API_KEY]"
    assert hint.startswith(
        f"Hint: the API key from the environment (CAPELLA_API_KEY) was refused by {sandbox.url};"
    )


def test_a_failed_first_stage_is_named_by_the_next_one(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {**_env(sandbox, tmp_path), "CAPELLA_API_KEY": WRONG_KEY}
    search, order = pipeline(
        env, ["search", "--limit", "1", "--format", "ids"], ["order", "create", "-"]
    )
    assert search.returncode == 1
    assert order.returncode == 2
    assert "the command before '|' produced nothing" in order.stderr


def test_a_wrong_key_with_debug_shows_a_traceback_but_not_the_key(cli: Cli) -> None:
    result = cli("--debug", "--verbose", "whoami", extra_env={"CAPELLA_API_KEY": WRONG_KEY})
    assert result.exit_code == 1
    assert "Traceback" in result.stderr


@pytest.mark.parametrize("flag", ["--verbose", "--debug"])
def test_logging_goes_to_stderr_without_the_key(cli: Cli, flag: str) -> None:
    result = cli(flag, "search", "--limit", "1")
    assert result.exit_code == 0
    assert len(result.records()) == 1
    assert result.stderr  # the log lines


def test_no_credentials_is_exit_1(cli: Cli) -> None:
    result = cli("whoami", extra_env={"CAPELLA_API_KEY": ""})
    assert result.exit_code == 1
    assert "No credentials" in result.stderr


def test_auth_status_masks_the_key(cli: Cli) -> None:
    result = cli("auth", "status", "--check")
    assert result.exit_code == 0
    record = result.records()[0]
    assert record["api_key"] == "****" + DEMO_API_KEY[-4:]
    assert record["authenticated"] is True


def test_auth_login_then_use_the_profile_then_logout(sandbox: Sandbox, tmp_path: Path) -> None:
    # A file-backed keyring in a module of its own, so that the child processes share it.
    backend = tmp_path / "filekeyring.py"
    backend.write_text(
        "import json, pathlib, keyring.backend, keyring.errors\n"
        f"STORE = pathlib.Path({str(tmp_path / 'keys.json')!r})\n"
        "class FileKeyring(keyring.backend.KeyringBackend):\n"
        "    priority = 1\n"
        "    def _load(self):\n"
        "        return json.loads(STORE.read_text()) if STORE.exists() else {}\n"
        "    def get_password(self, service, username):\n"
        "        return self._load().get(service + '/' + username)\n"
        "    def set_password(self, service, username, password):\n"
        "        data = self._load(); data[service + '/' + username] = password\n"
        "        STORE.write_text(json.dumps(data))\n"
        "    def delete_password(self, service, username):\n"
        "        data = self._load()\n"
        "        if data.pop(service + '/' + username, None) is None:\n"
        "            raise keyring.errors.PasswordDeleteError('none')\n"
        "        STORE.write_text(json.dumps(data))\n"
    )
    env = _env(sandbox, tmp_path)
    del env["CAPELLA_API_KEY"], env["CAPELLA_API_URL"]
    env["PYTHON_KEYRING_BACKEND"] = "filekeyring.FileKeyring"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    cli = _process_cli(env)

    login = cli("auth", "login", "--profile", "sb", "--base-url", sandbox.url, input=DEMO_API_KEY)
    assert login.exit_code == 0, login.stderr
    assert DEMO_API_KEY not in (tmp_path / "config" / "profiles.json").read_text()
    assert cli("whoami").exit_code == 0  # the default profile: its key and its base URL
    assert cli("--profile", "sb", "auth", "status").records()[0]["source"] == "keyring"
    assert cli("auth", "logout", "--profile", "sb").exit_code == 0
    assert cli("whoami").exit_code == 1
    assert json.loads((tmp_path / "keys.json").read_text()) == {}


def test_login_never_prompts_when_stdin_is_not_a_terminal(sandbox: Sandbox, tmp_path: Path) -> None:
    env = _env(sandbox, tmp_path)
    del env["CAPELLA_API_KEY"]
    done = subprocess.run(
        [sys.executable, "-m", "capella.cli", "auth", "login", "--no-verify"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "no API key on stdin" in done.stderr


# -- search ----------------------------------------------------------------------------------


def test_search_ndjson_matches_the_client(cli: Cli, client: CapellaConsoleClient) -> None:
    result = cli("search", "-p", "GEO", "--instrument-mode", "spotlight", "--limit", "7")
    assert result.exit_code == 0, result.stderr
    expected = client.search(product_type="GEO", instrument_mode="spotlight", limit=7)
    assert result.records() == list(expected)


def test_search_ranges_filters_and_sorting(cli: Cli, client: CapellaConsoleClient) -> None:
    result = cli(
        "search", "--look-angle", "20/40", "--datetime", "2020-01-01T00:00:00Z/..",
        "--filter", "polarizations=HH", "--sortby", "-datetime", "--limit", "20", "-o", "ids",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    expected = client.search(
        look_angle__gte=20,
        look_angle__lte=40,
        datetime__gte="2020-01-01T00:00:00Z",
        polarizations="HH",
        sortby="-datetime",
        limit=20,
    )
    assert result.stdout.split() == expected.stac_ids


def test_search_geojson_and_table(cli: Cli) -> None:
    collection = json.loads(cli("search", "--limit", "3", "-o", "geojson").stdout)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 3
    table = cli("search", "--limit", "3", "-o", "table").stdout.splitlines()
    assert table[0].split()[0] == "id"
    assert [row.split()[0] for row in table[1:]] == [f["id"] for f in collection["features"]]


def test_search_intersects_from_stdin(cli: Cli, client: CapellaConsoleClient) -> None:
    item = client.search(limit=1)[0]
    result = cli(
        "search", "--intersects", "-", "--limit", "500", "-o", "ids", input=json.dumps(item)
    )
    assert result.exit_code == 0, result.stderr
    assert item["id"] in result.stdout.split()


def test_search_usage_error_is_exit_2(cli: Cli) -> None:
    result = cli("search", "--filter", "look_angel__gt=30")
    assert result.exit_code == 2
    assert "did you mean 'look_angle'" in result.stderr


def test_a_closed_pipe_ends_quietly(sandbox: Sandbox, tmp_path: Path) -> None:
    env = _env(sandbox, tmp_path)
    first, _head = pipeline(
        env, ["search", "--limit", "2000", "-o", "ids"], ["--version"]
    )  # the second stage reads nothing and exits at once
    assert "Traceback" not in first.stderr
    assert first.returncode == 0, first.stderr


# -- orders ----------------------------------------------------------------------------------


def test_order_review_create_list_show_items(cli: Cli, client: CapellaConsoleClient) -> None:
    ids = client.search(product_type="GEO", limit=2).stac_ids
    review = cli("order", "review", *ids)
    assert review.exit_code == 0, review.stderr
    assert review.records()[0]["authorized"] is True

    created = cli("order", "create", "--check-active", *ids)
    assert created.exit_code == 0, created.stderr
    order_id = created.stdout.strip()
    assert len(created.stdout.splitlines()) == 1

    listed = cli("order", "list", "--active", "-o", "ids")
    assert order_id in listed.stdout.split()
    shown = cli("order", "show", order_id).records()
    assert [i["granuleId"] for i in shown[0]["items"]] == ids
    items = cli("order", "items", order_id).records()
    assert sorted(i["id"] for i in items) == sorted(ids)
    assert all("Signature=" in a["href"] for i in items for a in i["assets"].values()
               if a.get("roles") != ["license"] and "license" not in a["href"])  # fmt: skip


def test_order_unknown_ids_is_exit_1(cli: Cli) -> None:
    result = cli("order", "create", "CAPELLA_C99_SP_GEO_HH_20000101000000_20000101000010")
    assert result.exit_code == 1
    assert "No valid STAC IDs" in result.stderr


def test_search_then_order_through_a_pipe(sandbox: Sandbox, tmp_path: Path) -> None:
    search, order = pipeline(
        _env(sandbox, tmp_path),
        ["search", "-p", "GEO", "--limit", "2"],
        ["order", "create", "-"],
    )
    assert (search.returncode, order.returncode) == (0, 0), order.stderr
    assert len(order.stdout.split()) == 1


# -- download --------------------------------------------------------------------------------


def test_search_order_download_pipeline(sandbox: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "imagery"
    stages = pipeline(
        _env(sandbox, tmp_path),
        ["search", "-p", "GEO", "--limit", "2", "--format", "ids"],
        ["order", "create", "-"],
        ["download", "-", "--dir", str(out), "--include", "HH,thumbnail"],
    )
    assert [s.returncode for s in stages] == [0, 0, 0], stages[-1].stderr
    *records, summary = [json.loads(line) for line in stages[-1].stdout.splitlines()]
    assert len(records) == 4
    assert summary["summary"]["downloaded"] == 4
    for record in records:
        assert set(record) >= {"stac_id", "asset", "path", "bytes", "status"}
        assert record["asset"] in ("HH", "thumbnail")
        assert Path(record["path"]).stat().st_size == record["bytes"]
        assert Path(record["path"]).parent.parent == out  # one folder per product


def test_download_again_skips_existing_files(
    cli: Cli, client: CapellaConsoleClient, tmp_path: Path
) -> None:
    order_id = client.submit_order(stac_ids=client.search(product_type="GEO", limit=1).stac_ids)
    args = ("download", "--order", order_id, "--dir", str(tmp_path / "d"), "--flat", "--quiet")
    first = cli(*args, "--include", "thumbnail")
    assert first.exit_code == 0, first.stderr
    again = cli(*args, "--include", "thumbnail")
    assert [r["status"] for r in again.files()] == ["skipped"]
    assert again.files()[0]["path"] == first.files()[0]["path"]


def test_download_presigned_items_from_order_items(
    cli: Cli, client: CapellaConsoleClient, tmp_path: Path
) -> None:
    order_id = client.submit_order(stac_ids=client.search(product_type="GEO", limit=1).stac_ids)
    items = cli("order", "items", order_id).stdout
    result = cli("download", "-", "--dir", str(tmp_path), "--include", "metadata", input=items)
    assert result.exit_code == 0, result.stderr
    assert [r["asset"] for r in result.files()] == ["metadata"]


def test_download_when_every_file_fails_is_exit_1(
    cli: Cli, client: CapellaConsoleClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    order_id = client.submit_order(stac_ids=client.search(product_type="GEO", limit=1).stac_ids)
    sandbox.faults.add(route="assets", kind="status", status=503, retry_after=0)
    result = cli("download", "--order", order_id, "--dir", str(tmp_path), "--include", "thumbnail")
    assert result.exit_code == 1
    assert [r["status"] for r in result.files()] == ["failed"]


def test_download_a_fault_on_one_file_is_exit_3(
    cli: Cli, client: CapellaConsoleClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    order_id = client.submit_order(stac_ids=client.search(product_type="GEO", limit=2).stac_ids)
    # One file at a time: the first exhausts its retries on the 503s (6 attempts with the
    # default 5 retries); the second meets the last fault, retries and succeeds.
    sandbox.faults.add(route="assets", kind="status", status=503, retry_after=0, times=7)
    result = cli(
        "download", "--order", order_id, "--dir", str(tmp_path), "--include", "thumbnail",
        "--no-threaded",
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    assert [r["status"] for r in result.files()] == ["failed", "downloaded"]
    assert "503" in result.files()[0]["error"]


def test_download_partial_failure_is_exit_3_with_the_successes_printed(
    cli: Cli, client: CapellaConsoleClient, tmp_path: Path
) -> None:
    order_id = client.submit_order(stac_ids=client.search(product_type="GEO", limit=2).stac_ids)
    items = client.get_presigned_items(order_id)
    # One asset's signature is spoilt: the asset host refuses it (403), the others download.
    thumb = items[0]["assets"]["thumbnail"]
    thumb["href"] = thumb["href"].replace("Signature=", "Signature=spoilt")
    stdin = "".join(json.dumps(i) + "\n" for i in items)
    result = cli("download", "-", "--dir", str(tmp_path), "--include", "thumbnail", input=stdin)
    assert result.exit_code == 3, result.stderr
    statuses = sorted(r["status"] for r in result.files())
    assert statuses == ["downloaded", "failed"]
    assert "1 of 2 files failed" in result.stderr


def test_download_usage_error(cli: Cli) -> None:
    assert cli("download").exit_code == 2


# -- tasking ---------------------------------------------------------------------------------


def test_tasks_create_show_search_update_cancel(fresh_cli: Cli) -> None:
    cli = fresh_cli
    created = cli("tasks", "create", "--name", "e2e harbour", "-g", "-", "-p", "GEO", input=POINT)
    assert created.exit_code == 0, created.stderr
    request_id = created.records()[0]["properties"]["taskingrequestId"]

    shown = cli("tasks", "show", "-", input=created.stdout)
    assert shown.records()[0]["properties"]["taskingrequestName"] == "e2e harbour"
    found = cli("tasks", "search", "--id", request_id, "-o", "ids")
    assert found.stdout.split() == [request_id]

    updated = cli("tasks", "update", request_id, "--name", "renamed")
    assert updated.exit_code == 0, updated.stderr
    assert updated.records()[0]["request"]["properties"]["taskingrequestName"] == "renamed"

    cancelled = cli("tasks", "cancel", request_id)
    assert cancelled.records() == [{"id": request_id, "success": True}]


def test_tasks_cancel_partial_failure_is_exit_3(fresh_cli: Cli) -> None:
    cli = fresh_cli
    created = cli("tasks", "create", "--name", "to cancel", "-g", POINT)
    request_id = created.records()[0]["properties"]["taskingrequestId"]
    unknown = "00000000-0000-4000-8000-000000000000"
    result = cli("tasks", "cancel", request_id, unknown)
    assert result.exit_code == 3
    assert [r["success"] for r in result.records()] == [True, False]


def test_tasks_search_table(cli: Cli) -> None:
    result = cli("tasks", "search", "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split()[0] == "taskingrequestId"


def test_tasks_create_bad_geometry_is_exit_2(cli: Cli) -> None:
    result = cli("tasks", "create", "--name", "x", "-g", '{"type":"Point"}')
    assert result.exit_code == 2


def test_tasks_collects_of_a_completed_request(cli: Cli, client: CapellaConsoleClient) -> None:
    completed = client.search_tasking_requests(status="completed")
    if not len(completed):
        pytest.skip("the sandbox has no completed tasking request")
    request_id = completed[0]["properties"]["taskingrequestId"]
    result = cli("tasks", "collects", request_id)
    assert result.exit_code == 0, result.stderr
    assert all("collectId" in c for c in result.records())


def test_repeats_create_search_update_cancel(fresh_cli: Cli) -> None:
    cli = fresh_cli
    created = cli(
        "repeats", "create", "--name", "e2e weekly", "-g", POINT, "--repetition-interval", "7",
        "--repetition-count", "4",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    request_id = created.records()[0]["properties"]["repeatrequestId"]
    found = cli("repeats", "search", "--id", request_id, "-o", "ids")
    assert found.stdout.split() == [request_id]
    updated = cli("repeats", "update", "-", "--description", "updated", input=created.stdout)
    assert updated.records()[0]["request"]["properties"]["repeatrequestDescription"] == "updated"
    cancelled = cli("repeats", "cancel", request_id)
    assert cancelled.exit_code == 0
    assert cancelled.records() == [{"id": request_id, "success": True}]


def test_repeats_conflicting_options_are_exit_2(cli: Cli) -> None:
    result = cli(
        "repeats", "create", "--name", "x", "-g", POINT, "--repeat-end", "2030-01-01",
        "--repetition-count", "3",
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr


# -- sandbox ---------------------------------------------------------------------------------


def test_sandbox_help_lists_its_options_and_examples(cli: Cli) -> None:
    result = cli("sandbox", "--help")
    assert result.exit_code == 0
    assert "--port" in result.stdout
    assert "capella sandbox --port" in result.stdout


def test_sandbox_bad_option_is_exit_2(cli: Cli) -> None:
    assert cli("sandbox", "--port", "not-a-number").exit_code == 2


def test_sandbox_runs_until_terminated(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPELLA_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "capella.cli", "sandbox", "--port", "0", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Capella sandbox running at http://127.0.0.1:")
        url = first.split(" at ")[1].split()[0]
        with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=url) as c:
            assert c.whoami()["email"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # The sandbox prints its own demo key on purpose; nothing else is checked for secrets here.
    assert proc.returncode == 0
