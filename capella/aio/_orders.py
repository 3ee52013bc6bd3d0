"""The names the async downloads use for the order operations (one class serves both clients)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from capella.orders import OrderApi
from capella.results import StacSearchResult

AsyncOrderApi = OrderApi
AsyncSearchFn = Callable[..., Awaitable[StacSearchResult]]
