"""``with`` and ``async with`` for objects that own connections: written once, used by all.

A class with a ``close()`` (or ``async aclose()``) inherits the context manager from here, so
the client, the API sessions and the download engines close the same way.
"""

from __future__ import annotations

from typing import Self


class Closing:
    """``with obj:`` returns ``obj`` and calls ``obj.close()`` on the way out."""

    def close(self) -> None:
        """Release what the object holds (connections, handlers)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClosing:
    """``async with obj:`` returns ``obj`` and awaits ``obj.aclose()`` on the way out."""

    async def aclose(self) -> None:
        """Release what the object holds (connections, handlers)."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
