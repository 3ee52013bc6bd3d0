"""The collector pause around large JSON bodies: shared by threads, restoring what it found."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import httpx
import orjson
import pytest

from capella import CapellaConsoleClient, _http
from capella._gcpause import PAUSE_FROM as GC_PAUSE_FROM
from capella._gcpause import gc_paused
from capella._http import decode_json
from capella.results import GC_PAUSE_ITEMS, StacSearchResult


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_on_after():
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_last_of_several_threads_switches_it_back_on():
    first_in = threading.Event()
    second_in = threading.Event()
    first_out = threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with gc_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with gc_paused():
            second_in.set()
            first_out.wait(5)
            seen["after the first left"] = gc.isenabled()
        seen["after both left"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"after the first left": False, "after both left": True}


def test_a_collector_switched_off_by_the_application_stays_off():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_objects_frozen_by_the_application_stay_frozen():
    kept = [{"n": i} for i in range(100)]
    gc.freeze()
    try:
        with gc_paused():
            more = [[i] for i in range(100)]
        # Frozen objects are in no generation (other threads may free some of theirs meanwhile,
        # so the freeze count is no fixed number); thawed ones would be back in one.
        assert gc.get_freeze_count() > 0
        assert not any(obj is kept for obj in gc.get_objects())
        assert len(more) == len(kept)
    finally:
        gc.unfreeze()


def test_an_exception_inside_still_switches_it_back_on():
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def _spy_on_loads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    states: list[bool] = []
    original = orjson.loads

    def loads(content: bytes) -> object:
        states.append(gc.isenabled())
        return original(content)

    monkeypatch.setattr(_http.orjson, "loads", loads)
    return states


def test_a_large_body_is_decoded_with_the_collector_paused(monkeypatch):
    states = _spy_on_loads(monkeypatch)
    features = [{"id": f"item-{i}", "properties": {}} for i in range(GC_PAUSE_FROM // 20)]
    body = orjson.dumps({"features": features})
    assert len(body) >= GC_PAUSE_FROM
    page = decode_json(httpx.Response(200, content=body))
    assert len(page["features"]) == len(features)
    assert states == [False]
    assert gc.isenabled()


def test_a_small_body_leaves_the_collector_alone(monkeypatch):
    states = _spy_on_loads(monkeypatch)
    assert decode_json(httpx.Response(200, content=b'{"id": "x"}')) == {"id": "x"}
    assert states == [True]


def test_a_large_page_is_added_with_the_collector_paused(monkeypatch):
    states: list[bool] = []
    original = StacSearchResult._accept

    def accept(self, items, keep_duplicates):  # type: ignore[no-untyped-def]
        states.append(gc.isenabled())
        return original(self, items, keep_duplicates)

    monkeypatch.setattr(StacSearchResult, "_accept", accept)
    result = StacSearchResult(request_body={"limit": 10_000})
    big = {"features": [{"id": f"a{i}"} for i in range(GC_PAUSE_ITEMS)]}
    small = {"features": [{"id": f"b{i}"} for i in range(GC_PAUSE_ITEMS - 1)]}
    assert result.add(big) == GC_PAUSE_ITEMS
    assert result.add(small) == GC_PAUSE_ITEMS - 1
    assert states == [False, True]
    assert gc.isenabled()


class _Node:
    pass


def test_the_applications_young_garbage_is_collected_not_filed_old():
    # Garbage of the application, made just before a decode, is found by the young collection
    # the pause starts with; filed old unexamined, it would live on until a full collection.
    node = _Node()
    node.self = node  # type: ignore[attr-defined]
    gone = weakref.ref(node)
    del node
    with gc_paused():
        pass
    assert gone() is None


def _big_page() -> bytes:
    features = [{"id": f"item-{i}", "type": "Feature"} for i in range(GC_PAUSE_ITEMS * 40)]
    return orjson.dumps({"features": features, "numberMatched": len(features)})


@pytest.mark.parametrize("gc_pause", [True, False])
def test_the_client_option_decides_whether_a_search_pauses_the_collector(
    monkeypatch: pytest.MonkeyPatch, gc_pause: bool
) -> None:
    decoding = _spy_on_loads(monkeypatch)
    adding: list[bool] = []
    original = StacSearchResult._accept

    def accept(self, items, keep_duplicates):  # type: ignore[no-untyped-def]
        adding.append(gc.isenabled())
        return original(self, items, keep_duplicates)

    monkeypatch.setattr(StacSearchResult, "_accept", accept)
    body = _big_page()
    assert len(body) >= GC_PAUSE_FROM
    client = CapellaConsoleClient(
        api_key="k",
        no_token_check=True,
        base_url="https://api.test",
        gc_pause=gc_pause,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body)),
    )
    assert len(client.search(limit=900)) == 900
    assert decoding == [not gc_pause]
    assert adding == [not gc_pause]
