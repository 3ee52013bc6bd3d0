"""The sandbox's synthetic STAC catalog (deterministic from a seed): its items and their pages.

`catalog_generator.py` draws the items, `catalog_search.py` filters and sorts them; this module
holds them, looks them up and answers ``POST /catalog/search``: `Catalog.search_body` joins bytes
from each item's JSON, encoded once on first use.
"""

from __future__ import annotations

import gc
import json
from typing import Any, Final

from capella.sandbox.catalog_generator import HANDMADE, generate
from capella.sandbox.catalog_search import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_RESULTS,
    SearchError,
    SearchIndex,
    int_param,
    invalid,
)

__all__ = ["HANDMADE", "MAX_RESULTS", "Catalog", "SearchError"]

# Stands for the server's base URL in an item's cached JSON: json.dumps writes the NUL character
# as this escape, which no synthetic value contains, so splitting on it finds only link hrefs.
_BASE_MARK: Final = "\x00"
_BASE_MARK_JSON: Final = b"\\u0000"
_PAGE_HEAD: Final = b'{"type":"FeatureCollection","features":['


class Catalog:
    """A deterministic synthetic Capella catalog and its STAC item search."""

    def __init__(self, seed: int = 0, size: int = 12_000, raster_size: int = 262_144) -> None:
        self.seed = seed
        self.size = size
        self.raster_size = raster_size
        # Each item's page JSON, encoded on first use (items never change after the build).
        self._encoded: list[tuple[bytes, ...] | None] = []
        # Building ~250k small containers triggers repeated full GC passes that find nothing to
        # free (a third of the build time), and the first passes after the build would scan them
        # all again (a 0.2-0.3 s pause in the first searches). The catalog holds no reference
        # cycles, so pause the collector while building, then move what exists to the permanent
        # generation (gc.freeze): refcounting still frees it, the cyclic GC stops rescanning it.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(seed, size)
        finally:
            if gc_was_enabled:
                gc.freeze()
                gc.enable()

    def _build(self, seed: int, size: int) -> None:
        """Generate the collects and items, and precompute the search structures."""
        collects, items, footprints, item_collect = generate(seed, size)
        order = sorted(range(len(items)), key=lambda i: items[i]["id"])
        self.items: list[dict[str, Any]] = [items[i] for i in order]
        self._item_collect = [item_collect[i] for i in order]
        self._collects = collects
        self._handmade = {c.name: c.collect_id for c in collects if c.name}
        self._by_id = {item["id"]: n for n, item in enumerate(self.items)}
        if len(self._by_id) != len(self.items):
            raise RuntimeError("duplicate STAC ids in the synthetic catalog")
        self._ownership = [collects[c].ownership for c in self._item_collect]
        self._by_collect: dict[str, list[int]] = {}
        for n, c in enumerate(self._item_collect):
            self._by_collect.setdefault(collects[c].collect_id, []).append(n)
        self._index = SearchIndex(
            self.items, footprints, self._item_collect, self._ownership, self._by_id
        )
        self._encoded = [None] * len(self.items)

    # -- lookups -------------------------------------------------------------------------------

    def get(self, stac_id: str) -> dict[str, Any] | None:
        """Return the item with this STAC id, or None."""
        n = self._by_id.get(stac_id)
        return None if n is None else self.items[n]

    def items_of_collect(self, collect_id: str) -> list[dict[str, Any]]:
        """Return the items (products) of one collect, sorted by id; empty when unknown."""
        return [self.items[n] for n in self._by_collect.get(collect_id, [])]

    def collect_ids(self) -> list[str]:
        """Return every ``capella:collect_id`` of the catalog, sorted."""
        return sorted(self._by_collect)

    def handmade_collects(self) -> dict[str, str]:
        """Return the hand-made collects (name -> collect id), e.g. ``sf-downtown``."""
        return dict(self._handmade)

    def ownership(self, stac_id: str) -> str:
        """Return how the demo organisation relates to an item; KeyError when unknown."""
        return self._ownership[self._by_id[stac_id]]

    # -- search --------------------------------------------------------------------------------

    def search_body(
        self,
        body: dict[str, Any],
        *,
        page: int | None = None,
        limit: int | None = None,
        base_url: str,
    ) -> bytes:
        """Run a STAC item search; return its FeatureCollection page as JSON bytes, ready to send.

        ``page``/``limit`` (the query string) win over the body; SearchError (400
        VALIDATION_ERROR) on bad input. The bytes are built from each item's cached encoding
        instead of encoding 900 items per page.
        """
        base = base_url.rstrip("/")
        indices, envelope = self._page(body, page, limit, base)
        base_json = _dumps(base)[1:-1]  # the URL as it reads inside a JSON string
        encoded = self._encoded
        # One flat list and one join: the 3-4 MB page is copied once (nested joins copy it
        # once per level, and each large copy is a fresh mapping to fault in).
        pieces = [_PAGE_HEAD]
        add = pieces.append
        for n, i in enumerate(indices):
            parts = encoded[i]
            if parts is None:
                parts = encoded[i] = self._encode(i)
            if n:
                add(b",")
            add(parts[0])
            for part in parts[1:]:
                add(base_json)
                add(part)
        add(b"],")
        add(_dumps(envelope)[1:])  # {"numberMatched":...} without its opening brace
        return b"".join(pieces)

    def _page(
        self, body: dict[str, Any], page: int | None, limit: int | None, base: str
    ) -> tuple[list[int], dict[str, Any]]:
        """Return a page's item indices and the rest of its body (counts, links, context)."""
        if not isinstance(body, dict):
            raise invalid("the request body must be a JSON object", "", "invalid_type")
        size = int_param("limit", limit, 1, MAX_LIMIT)
        if size is None:
            size = int_param("limit", body.get("limit"), 1, MAX_LIMIT) or DEFAULT_LIMIT
        number = int_param("page", page, 1)
        if number is None:
            number = int_param("page", body.get("page"), 1) or 1
        offset = (number - 1) * size
        if offset >= MAX_RESULTS:
            raise invalid(
                f"page {number} with limit {size} starts past the maximum of "
                f"{MAX_RESULTS} results a search can return",
                "page",
                "too_big",
            )
        candidates = self._index.filter(body)
        candidates = self._index.sorted_by(candidates, body.get("sortby", body.get("sort")))
        matched = len(candidates)
        stop = min(offset + size, matched, MAX_RESULTS)
        indices = candidates[offset:stop]
        links: list[dict[str, Any]] = []
        if offset + len(indices) < min(matched, MAX_RESULTS):
            href = f"{base}/catalog/search?page={number + 1}"
            if limit is not None:
                href += f"&limit={size}"
            links.append(
                {
                    "rel": "next",
                    "href": href,
                    "type": "application/geo+json",
                    "method": "POST",
                    "body": {**body, "page": number + 1, "limit": size},
                    "merge": False,
                }
            )
        return indices, {
            "numberMatched": matched,
            "numberReturned": len(indices),
            "links": links,
            "context": {
                "page": number,
                "limit": size,
                "matched": matched,
                "returned": len(indices),
            },
        }

    def _feature(self, i: int, base: str) -> dict[str, Any]:
        """Return a shallow copy of item ``i`` with absolute links (nested dicts are shared)."""
        item = self.items[i]
        return {
            **item,
            "links": [{**link, "href": base + link["href"]} for link in item["links"]],
        }

    def _encode(self, i: int) -> tuple[bytes, ...]:
        """Return item ``i``'s JSON as it appears in a page, split where the base URL goes."""
        encoded = _dumps(self._feature(i, _BASE_MARK))
        parts = tuple(encoded.split(_BASE_MARK_JSON))
        if len(parts) != len(self.items[i]["links"]) + 1:  # a value holding NUL would misplace it
            raise RuntimeError(f"item {self.items[i]['id']} cannot be cached as JSON")
        return parts


def _dumps(value: Any) -> bytes:
    """Encode JSON exactly as starlette's JSONResponse does (compact, UTF-8, no NaN)."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")
