"""Named profiles: metadata (base URL) in a JSON file, the API key itself only in the keyring.

The file lives under the platform config dir (``typer.get_app_dir("capella")``, or
``$CAPELLA_CONFIG_DIR``) and never holds a secret. Keys are stored with the ``keyring`` library
under the service ``capella``, one entry per profile name.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import attrs
import typer

from capella.errors import InvalidInputError

CONFIG_DIR_ENV = "CAPELLA_CONFIG_DIR"
CONFIG_FILE = "profiles.json"
KEYRING_SERVICE = "capella"
DEFAULT_PROFILE = "default"

# Profile names are dictionary keys and keyring user names, never paths; the pattern keeps them
# readable and free of separators anyway (the reference wizard let "../x" escape its directory).
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class CredentialStoreError(Exception):
    """The OS keyring is unavailable or refused an operation."""


def validate_profile_name(name: str) -> str:
    """Return ``name`` if it is a valid profile name; InvalidInputError otherwise."""
    if not _PROFILE_NAME.match(name):
        raise InvalidInputError(
            f"invalid profile name {name!r}: use letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit)"
        )
    return name


def config_dir() -> Path:
    """The directory holding ``profiles.json`` (``$CAPELLA_CONFIG_DIR`` overrides it)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(typer.get_app_dir("capella"))


def mask(secret: str) -> str:
    """A masked form of a secret: ``****abcd`` (only the last 4 characters of a long one)."""
    return "****" + secret[-4:] if len(secret) >= 12 else "****"


@attrs.frozen
class Profile:
    """A profile's metadata (no secrets)."""

    name: str
    base_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The profile as stored in the file."""
        return {"base_url": self.base_url} if self.base_url else {}


@attrs.define
class ProfileStore:
    """Reads and writes ``profiles.json``; created lazily, only when a profile is saved."""

    path: Path

    @classmethod
    def default(cls) -> ProfileStore:
        """The store in the platform config dir."""
        return cls(config_dir() / CONFIG_FILE)

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise CredentialStoreError(f"cannot read {self.path}: {exc}") from exc
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write then rename, so that a crash never leaves a half-written file behind.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".profiles.", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=True)
                fh.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def profiles(self) -> list[Profile]:
        """Every stored profile, by name."""
        raw = self._load().get("profiles") or {}
        return [
            Profile(name, (meta or {}).get("base_url"))
            for name, meta in sorted(raw.items())
            if isinstance(meta, dict | type(None))
        ]

    def get(self, name: str) -> Profile | None:
        """The profile called ``name``, if stored."""
        return next((p for p in self.profiles() if p.name == name), None)

    def default_name(self) -> str:
        """The name of the default profile (``default`` unless another was chosen)."""
        name = self._load().get("default_profile")
        return name if isinstance(name, str) and name else DEFAULT_PROFILE

    def save(self, profile: Profile, *, make_default: bool = False) -> None:
        """Add or replace a profile (the first one saved becomes the default)."""
        data = self._load()
        profiles = data.setdefault("profiles", {})
        if make_default or not profiles:
            data["default_profile"] = profile.name
        profiles[profile.name] = profile.to_json()
        self._save(data)

    def remove(self, name: str) -> bool:
        """Remove a profile; return whether it existed."""
        data = self._load()
        profiles = data.get("profiles") or {}
        if name not in profiles:
            return False
        del profiles[name]
        if data.get("default_profile") == name:
            data.pop("default_profile")
        self._save(data)
        return True


# -- keyring ------------------------------------------------------------------------------------


def _keyring_call(action: str, fn: Any, *args: str) -> Any:
    # keyring is imported on use: importing it selects a backend, which may touch the OS.
    import keyring
    import keyring.errors

    try:
        return fn(keyring, *args)
    except keyring.errors.PasswordDeleteError:
        return None
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        raise CredentialStoreError(
            f"cannot {action} the OS keyring ({type(exc).__name__}: {exc}); "
            "use --api-key or CAPELLA_API_KEY instead"
        ) from exc


def get_key(profile: str) -> str | None:
    """The API key stored for ``profile``, or None."""
    value = _keyring_call("read", lambda kr, u: kr.get_password(KEYRING_SERVICE, u), profile)
    return str(value) if value else None


def set_key(profile: str, key: str) -> None:
    """Store the API key of ``profile``."""
    _keyring_call("write to", lambda kr, u, k: kr.set_password(KEYRING_SERVICE, u, k), profile, key)


def delete_key(profile: str) -> None:
    """Delete the API key of ``profile`` (no error if none is stored)."""
    _keyring_call("delete from", lambda kr, u: kr.delete_password(KEYRING_SERVICE, u), profile)
