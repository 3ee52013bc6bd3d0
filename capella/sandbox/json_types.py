"""The one name the sandbox modules share for a decoded JSON object."""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["Json"]

Json: TypeAlias = dict[str, Any]
