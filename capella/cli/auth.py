"""``capella auth login|logout|status|list``: API keys in the OS keyring, one per profile."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from capella.cli import output
from capella.cli._context import (
    Command,
    KeySource,
    State,
    epilog,
    new_app,
    state_of,
    usage_error,
)
from capella.cli.config import Profile, delete_key, mask, set_key, validate_profile_name
from capella.client import CapellaConsoleClient

app = new_app(
    "auth",
    "Store, inspect and remove API keys (kept in the OS keyring, never in a file).\n\n"
    "Profile names and base URLs are kept in profiles.json in the platform config directory "
    "($CAPELLA_CONFIG_DIR overrides it). Commands use --api-key, else the profile named with "
    "--profile/CAPELLA_PROFILE, else CAPELLA_API_KEY, else the default profile.",
)

ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-P",
        show_default=False,
        help="Profile name (default: the global --profile, else the default profile).",
    ),
]


def _profile(state: State, local: str | None) -> str:
    return validate_profile_name(local or state.selected_profile())


def _read_key(state: State) -> str:
    """The key to store: --api-key, else stdin when piped, else a hidden prompt."""
    if state.api_key and not state.api_key_from_env:
        return state.api_key
    stdin = sys.stdin
    if stdin is not None and not stdin.isatty():
        key = next((ln.strip() for ln in stdin.read().splitlines() if ln.strip()), "")
        if not key:
            usage_error("no API key on stdin")
        return key
    if stdin is None:
        usage_error("no API key: pass --api-key or pipe the key on stdin")
    key = str(typer.prompt("Capella API key", hide_input=True, err=True)).strip()
    if not key:
        usage_error("no API key entered")
    return key


def _status_record(state: State, *, check: bool) -> dict[str, Any]:
    creds = state.credentials()
    record: dict[str, Any] = {
        "profile": creds.profile,
        "source": creds.source.value,
        "api_key": mask(creds.key),
        "base_url": state.resolved_base_url(),
    }
    if check:
        user = state.client().whoami()
        record["authenticated"] = True
        record["user"] = user.get("email") or user.get("id")
    return record


LOGIN_EPILOG = """Examples:

  capella auth login                                   (prompts for the key)

  printf '%s' "$KEY" | capella auth login --profile sandbox --base-url http://127.0.0.1:8000

The key is checked with GET /user before it is stored (skip with --no-verify).
"""


@app.command("login", cls=Command, epilog=epilog(LOGIN_EPILOG))
def login(
    ctx: typer.Context,
    profile: ProfileOption = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", show_default=False, help="API base URL of this profile."),
    ] = None,
    make_default: Annotated[
        bool, typer.Option("--default", help="Make this the default profile.")
    ] = False,
    verify: Annotated[
        bool, typer.Option("--verify/--no-verify", help="Check the key with GET /user first.")
    ] = True,
) -> None:
    """Store an API key in the OS keyring under a profile (read from stdin or a prompt)."""
    state = state_of(ctx)
    name = _profile(state, profile)
    url = (base_url or state.base_url or "").rstrip("/") or None
    key = _read_key(state)
    if verify:
        with CapellaConsoleClient(api_key=key, base_url=url, no_token_check=True) as client:
            user = client.whoami()
        output.message(f"authenticated as {user.get('email') or user.get('id')}")
    set_key(name, key)
    state.store.save(Profile(name, url), make_default=make_default)
    output.message(f"stored the API key of profile {name!r} ({mask(key)}) in the OS keyring")
    output.json_record(
        {
            "profile": name,
            "source": KeySource.PROFILE.value,
            "api_key": mask(key),
            "base_url": url,
            "default": state.store.default_name() == name,
        }
    )


@app.command(
    "logout",
    cls=Command,
    epilog=epilog("Example:\n\n  capella auth logout --profile sandbox\n"),
)
def logout(ctx: typer.Context, profile: ProfileOption = None) -> None:
    """Remove a profile's key from the OS keyring, and the profile."""
    state = state_of(ctx)
    name = _profile(state, profile)
    existed = state.store.get(name) is not None
    delete_key(name)
    state.store.remove(name)
    output.message(
        f"removed profile {name!r}" if existed else f"no profile {name!r}; nothing stored"
    )


STATUS_EPILOG = """Examples:

  capella auth status

  capella --profile sandbox auth status --check
"""


@app.command("status", cls=Command, epilog=epilog(STATUS_EPILOG))
def status(
    ctx: typer.Context,
    profile: ProfileOption = None,
    check: Annotated[
        bool, typer.Option("--check", help="Also call GET /user to check the key.")
    ] = False,
) -> None:
    """Show which key (masked) and base URL commands would use, and where they come from."""
    state = state_of(ctx)
    if profile:
        state.profile = validate_profile_name(profile)
    output.json_record(_status_record(state, check=check))


@app.command("list", cls=Command, epilog=epilog("Example:\n\n  capella auth list\n"))
def list_profiles(ctx: typer.Context) -> None:
    """List the stored profiles (one JSON record each; keys are not read)."""
    state = state_of(ctx)
    default = state.store.default_name()
    profiles = state.store.profiles()
    if not profiles:
        output.message("no profiles stored; run 'capella auth login'")
    output.ndjson(
        {"profile": p.name, "base_url": p.base_url, "default": p.name == default} for p in profiles
    )
