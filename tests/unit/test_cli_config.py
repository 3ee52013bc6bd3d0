"""Profiles, the keyring and ``capella auth``: keys live only in the keyring and never print."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from typer.testing import CliRunner

from capella.cli import app
from capella.cli._context import State
from capella.cli.config import (
    KEYRING_SERVICE,
    CredentialStoreError,
    Profile,
    ProfileStore,
    get_key,
    mask,
    validate_profile_name,
)
from capella.errors import InvalidInputError

SECRET = "unit-test-secret-key-0123456789abcdef"
OTHER_SECRET = "another-unit-test-key-fedcba9876543210"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring backend."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class BrokenKeyring(MemoryKeyring):
    """A keyring backend that fails like a locked or missing OS keyring."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAPELLA_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("CAPELLA_API_KEY", "CAPELLA_API_URL", "CAPELLA_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(app, list(args), input=input, env=env)
    for secret in (SECRET, OTHER_SECRET):
        assert secret not in result.stdout
        assert secret not in result.stderr
    return result


# -- masking and names -------------------------------------------------------------------------


def test_mask_shows_only_the_last_four_characters_of_a_long_key() -> None:
    assert mask(SECRET) == "****cdef"


def test_mask_hides_a_short_key_entirely() -> None:
    assert mask("abcdefgh") == "****"


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden", "x" * 65, "sp ace"])
def test_profile_names_that_could_be_paths_are_rejected(name: str) -> None:
    with pytest.raises(InvalidInputError):
        validate_profile_name(name)


def test_profile_names_with_dots_dashes_and_underscores_are_fine() -> None:
    assert validate_profile_name("prod-eu_1.2") == "prod-eu_1.2"


# -- the profile store -------------------------------------------------------------------------


def test_the_store_creates_nothing_until_a_profile_is_saved(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "cfg" / "profiles.json")
    assert store.profiles() == []
    assert store.default_name() == "default"
    assert not (tmp_path / "cfg").exists()


def test_the_first_saved_profile_becomes_the_default(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.save(Profile("sandbox", "http://127.0.0.1:8000"))
    store.save(Profile("prod"))
    assert store.default_name() == "sandbox"
    assert store.get("sandbox") == Profile("sandbox", "http://127.0.0.1:8000")
    store.save(Profile("prod"), make_default=True)
    assert store.default_name() == "prod"


def test_the_profile_file_never_holds_a_key(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    run("auth", "login", "--profile", "p1", "--no-verify", input=SECRET + "\n")
    text = (tmp_path / "config" / "profiles.json").read_text()
    assert SECRET not in text
    assert json.loads(text)["profiles"] == {"p1": {}}


def test_removing_the_default_profile_forgets_the_default(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.save(Profile("a"))
    assert store.remove("a")
    assert not store.remove("a")
    assert store.default_name() == "default"


def test_a_corrupt_profile_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    path.write_text("{not json")
    with pytest.raises(CredentialStoreError, match="cannot read"):
        ProfileStore(path).profiles()


# -- auth login / status / logout / list -------------------------------------------------------


def test_login_reads_the_key_from_stdin_and_stores_it_in_the_keyring(
    memory_keyring: MemoryKeyring,
) -> None:
    result = run(
        "auth",
        "login",
        "--profile",
        "sandbox",
        "--base-url",
        "http://127.0.0.1:9",
        "--no-verify",
        input=SECRET + "\n",
    )
    assert result.exit_code == 0, result.stderr
    assert memory_keyring.store[(KEYRING_SERVICE, "sandbox")] == SECRET
    record = json.loads(result.stdout)
    assert record == {
        "profile": "sandbox",
        "source": "keyring",
        "api_key": "****cdef",
        "base_url": "http://127.0.0.1:9",
        "default": True,
    }


def test_login_with_an_empty_stdin_is_a_usage_error(memory_keyring: MemoryKeyring) -> None:
    result = run("auth", "login", "--no-verify", input="\n")
    assert result.exit_code == 2
    assert "no API key on stdin" in result.stderr
    assert memory_keyring.store == {}


def test_login_takes_an_explicit_api_key_option(memory_keyring: MemoryKeyring) -> None:
    result = run("--api-key", SECRET, "auth", "login", "--no-verify", input="")
    assert result.exit_code == 0, result.stderr
    assert get_key("default") == SECRET


def test_login_checks_the_key_before_storing_it(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from capella.errors import AuthenticationError

    def reject(self: Any) -> dict[str, Any]:
        raise AuthenticationError("Unauthorized", "INVALID_API_KEY")

    monkeypatch.setattr("capella.client.CapellaConsoleClient.whoami", reject)
    result = run("auth", "login", "--profile", "x", input=SECRET)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: Unauthorized [INVALID_API_KEY]"
    assert memory_keyring.store == {}


def test_status_shows_a_masked_key_and_where_it_came_from(memory_keyring: MemoryKeyring) -> None:
    run("auth", "login", "--profile", "sb", "--base-url", "http://h:1", "--no-verify", input=SECRET)
    result = run("auth", "status")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "profile": "sb",
        "source": "keyring",
        "api_key": "****cdef",
        "base_url": "http://h:1",
    }


def test_status_with_the_environment_variable(memory_keyring: MemoryKeyring) -> None:
    result = run("auth", "status", env={"CAPELLA_API_KEY": OTHER_SECRET})
    assert json.loads(result.stdout)["source"] == "CAPELLA_API_KEY"
    assert json.loads(result.stdout)["api_key"] == "****3210"


def test_status_never_prints_the_key_even_with_debug(memory_keyring: MemoryKeyring) -> None:
    result = run("--debug", "--verbose", "--api-key", SECRET, "auth", "status")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["source"] == "--api-key"


def test_status_without_credentials_fails_with_a_hint(memory_keyring: MemoryKeyring) -> None:
    result = run("auth", "status")
    assert result.exit_code == 1
    assert "capella auth login" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_explicit_profile_wins_over_the_environment_variable(
    memory_keyring: MemoryKeyring,
) -> None:
    run("auth", "login", "--profile", "named", "--no-verify", input=SECRET)
    result = run("--profile", "named", "auth", "status", env={"CAPELLA_API_KEY": OTHER_SECRET})
    assert json.loads(result.stdout)["api_key"] == "****cdef"


def test_the_environment_variable_wins_over_the_default_profile(
    memory_keyring: MemoryKeyring,
) -> None:
    run("auth", "login", "--no-verify", input=SECRET)
    result = run("auth", "status", env={"CAPELLA_API_KEY": OTHER_SECRET})
    assert json.loads(result.stdout)["api_key"] == "****3210"


def test_the_api_key_option_wins_over_everything(memory_keyring: MemoryKeyring) -> None:
    run("auth", "login", "--profile", "named", "--no-verify", input=OTHER_SECRET)
    result = run("--profile", "named", "--api-key", SECRET, "auth", "status")
    assert json.loads(result.stdout)["api_key"] == "****cdef"


def test_the_base_url_option_wins_over_the_profile_url(memory_keyring: MemoryKeyring) -> None:
    run("auth", "login", "--base-url", "http://profile:1", "--no-verify", input=SECRET)
    result = run("--base-url", "http://flag:2/", "auth", "status")
    assert json.loads(result.stdout)["base_url"] == "http://flag:2"


def test_a_named_profile_without_a_key_is_an_error(memory_keyring: MemoryKeyring) -> None:
    result = run("--profile", "ghost", "auth", "status")
    assert result.exit_code == 1
    assert "profile 'ghost' has no stored API key" in result.stderr


def test_logout_removes_the_key_and_the_profile(memory_keyring: MemoryKeyring) -> None:
    run("auth", "login", "--profile", "gone", "--no-verify", input=SECRET)
    result = run("auth", "logout", "--profile", "gone")
    assert result.exit_code == 0
    assert memory_keyring.store == {}
    assert run("auth", "list").stdout == ""


def test_logout_of_an_unknown_profile_succeeds_quietly(memory_keyring: MemoryKeyring) -> None:
    result = run("auth", "logout", "--profile", "never")
    assert result.exit_code == 0
    assert "nothing stored" in result.stderr


def test_list_shows_profiles_without_keys(memory_keyring: MemoryKeyring) -> None:
    run("auth", "login", "--profile", "a", "--no-verify", input=SECRET)
    run("auth", "login", "--profile", "b", "--default", "--no-verify", input=OTHER_SECRET)
    records = [json.loads(line) for line in run("auth", "list").stdout.splitlines()]
    assert records == [
        {"profile": "a", "base_url": None, "default": False},
        {"profile": "b", "base_url": None, "default": True},
    ]


def test_a_broken_keyring_is_one_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        result = run("auth", "login", "--no-verify", input=SECRET)
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 1
    assert "cannot write to the OS keyring" in result.stderr
    assert "CAPELLA_API_KEY" in result.stderr


def test_commands_with_an_env_key_never_touch_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        state = State(api_key=SECRET, api_key_from_env=True)
        assert state.credentials().key == SECRET
    finally:
        keyring.set_keyring(previous)


def test_importing_the_cli_creates_no_files_and_reads_no_keyring(tmp_path: Path) -> None:
    config = tmp_path / "never-created"
    code = (
        "import sys, capella.cli; "
        "assert 'keyring' not in sys.modules, 'keyring imported'; "
        "print('ok')"
    )
    env = {**os.environ, "CAPELLA_CONFIG_DIR": str(config)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr
    assert not config.exists()
