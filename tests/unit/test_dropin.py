"""Code written for the reference SDK keeps working: its calls and its ``except`` clauses.

Each test is the migrating user's view of one item of issue 14, through the public API.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from capella import CapellaConsoleClient
from capella.download import DownloadError, DownloadJob, DownloadOutcome
from capella.exceptions import (
    AuthenticationError,
    CapellaConsoleClientError,
    ConnectError,
)
from capella.fields import GROUPABLE, UNKNOWN_GROUP

ROOT = Path(__file__).resolve().parents[2]
USER_ID = "5b6a3c0e-8d51-4a7f-9c1e-2f4d6a8b0c11"
ASSETS = "https://assets.test"
STAC_ID = "CAPELLA_C05_SP_GEO_HH_20240101000001_20240101000011"
Handler = Callable[[httpx.Request], httpx.Response]


def item(stac_id: str = STAC_ID, **properties: Any) -> dict[str, Any]:
    base = f"{ASSETS}/capella-geo/{stac_id}"
    return {
        "type": "Feature",
        "id": stac_id,
        "collection": "capella-geo",
        "geometry": None,
        "properties": properties,
        "assets": {
            "HH": {"href": f"{base}/{stac_id}.tif?sig=1"},
            "metadata": {"href": f"{base}/{stac_id}_extended.json?sig=1"},
        },
    }


def refused(request: httpx.Request) -> httpx.Response:
    """An asset host that refuses every connection."""
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def make_client(assets: Handler, **answers: Any) -> CapellaConsoleClient:
    """A client: its API answers from ``answers`` (path -> JSON), its asset host is ``assets``."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "assets.test":
            return assets(request)
        if request.url.path == "/user":
            return httpx.Response(200, json={"id": USER_ID, "organizationId": "o", "email": "e"})
        body = answers.get(request.url.path.strip("/").replace("/", "_"))
        if body is None:
            raise AssertionError(f"unexpected {request.method} {request.url.path}")
        return httpx.Response(200, json=body)

    return CapellaConsoleClient(
        api_key="k",
        base_url="https://api.test",
        transport=httpx.MockTransport(handle),
        max_retries=0,
    )


@pytest.fixture(autouse=True)
def no_retry_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed transfers are still retried, without the backoff pauses between attempts."""
    from capella._http import RetrySettings

    monkeypatch.setattr(RetrySettings, "backoff", lambda self, attempt, rng: 0.0)


@pytest.fixture
def refusing_client() -> Iterator[CapellaConsoleClient]:
    with make_client(refused) as client:
        yield client


# -- 1. download failures are the reference's exception types ----------------------------------


def test_a_refused_connection_in_download_asset_is_caught_by_except_connect_error(
    refusing_client: CapellaConsoleClient, tmp_path: Path
) -> None:
    href = item()["assets"]["HH"]["href"]
    try:
        refusing_client.download_asset(href, local_path=tmp_path / "hh.tif")
    except ConnectError as exc:  # what a reference user wrote around download_asset
        caught: CapellaConsoleClientError = exc
    assert "Connection refused" in str(caught)
    assert not (tmp_path / "hh.tif").exists()


def test_download_products_whose_every_asset_is_refused_is_caught_by_except_connect_error(
    refusing_client: CapellaConsoleClient, tmp_path: Path
) -> None:
    products = [item(), item(STAC_ID.replace("01_", "02_"))]
    with pytest.raises(ConnectError) as info:
        refusing_client.download_products(items_presigned=products, local_dir=tmp_path)
    # Still the aggregate: every asset was tried and every failure is listed.
    assert isinstance(info.value, DownloadError)
    assert len(info.value.failures) == 4
    assert "4 of 4 downloads failed" in str(info.value)


def test_download_products_with_mixed_causes_is_no_connect_error_but_lists_both(
    tmp_path: Path,
) -> None:
    def host(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(".json"):
            return httpx.Response(404, content=b"<Error>NoSuchKey</Error>")
        return refused(request)

    with make_client(host) as client, pytest.raises(CapellaConsoleClientError) as info:
        client.download_products(items_presigned=[item()], local_dir=tmp_path)
    assert not isinstance(info.value, ConnectError)
    assert "404" in str(info.value)
    assert "Connection refused" in str(info.value)


def outcome(error: BaseException) -> DownloadOutcome:
    return DownloadOutcome(DownloadJob(ASSETS, Path("a.tif")), "failed", 0, error)


def test_the_aggregate_carries_the_reference_bases_every_failure_shares() -> None:
    from capella.errors import (
        AssetConnectError,
        AssetDownloadError,
        IncompleteDownloadError,
        download_failure,
    )

    connect = AssetConnectError("refused", "CONNECTION_ERROR")
    short = IncompleteDownloadError("3 bytes written, the server announced 5", "SIZE_MISMATCH")
    missing = AssetDownloadError("not found (404)", "ASSET_NOT_FOUND", 404)

    both_connect = download_failure([outcome(connect), outcome(connect)])
    assert isinstance(both_connect, DownloadError) and isinstance(both_connect, ConnectError)
    # The reference's size check raised ValueError; so does the aggregate of size failures.
    both_short = download_failure([outcome(short), outcome(short)])
    assert isinstance(both_short, DownloadError) and isinstance(both_short, ValueError)
    mixed = download_failure([outcome(connect), outcome(short), outcome(missing)])
    assert type(mixed) is DownloadError
    # One asset through download_asset: its own error, not a wrapper.
    assert download_failure([outcome(short)], single_asset=True) is short
    assert isinstance(short, ValueError)
    done = DownloadOutcome(DownloadJob(ASSETS, Path("a.tif")), "downloaded", 5)
    assert download_failure([done]) is None


# -- 2. missing credentials are a ValueError, a 401 is not -------------------------------------


def test_missing_credentials_are_a_value_error_and_an_authentication_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CAPELLA_API_KEY", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # nothing to prompt on
    with pytest.raises(ValueError, match="CAPELLA_API_KEY") as info:
        CapellaConsoleClient()
    assert isinstance(info.value, AuthenticationError)


def test_a_401_is_an_authentication_error_but_not_a_value_error() -> None:
    def deny(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": "Unauthorized"})

    with pytest.raises(AuthenticationError) as info:
        CapellaConsoleClient(
            api_key="wrong", base_url="https://api.test", transport=httpx.MockTransport(deny)
        )
    assert not isinstance(info.value, ValueError)


# -- 3. every item property can be grouped on --------------------------------------------------


def item_properties() -> dict[str, Any]:
    """The properties an item may carry, from the API spec's ``StacItemProperties``."""
    spec = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    props: dict[str, Any] = spec["components"]["schemas"]["StacItemProperties"]["properties"]
    return props


def test_the_field_table_holds_every_property_of_the_item_schema() -> None:
    groupable_wires = {f.wire for f in GROUPABLE.values()}
    assert set(item_properties()) - groupable_wires == set()


@pytest.mark.parametrize("name", sorted(item_properties()))
def test_search_results_group_by_every_item_property(name: str) -> None:
    features = [item(**{name: "a"}), item(STAC_ID.replace("01_", "02_"), **{name: "b"}), item("x")]
    with make_client(refused, catalog_search={"features": features, "numberMatched": 3}) as c:
        groups = c.search(collections=["capella-geo"]).groupby(name)
    assert groups.value_counts() == {"a": 1, "b": 1, UNKNOWN_GROUP: 1}


@pytest.mark.parametrize("name", ["start_datetime", "end_datetime"])
def test_group_by_start_and_end_datetime(name: str) -> None:
    features = [
        item(start_datetime="2024-01-01T00:00:01Z", end_datetime="2024-01-01T00:00:11Z"),
        item("y", start_datetime="2024-01-01T00:00:01Z", end_datetime="2024-01-01T00:00:11Z"),
        item("z", start_datetime="2024-02-01T00:00:00Z", end_datetime="2024-02-01T00:00:10Z"),
    ]
    with make_client(refused, catalog_search={"features": features, "numberMatched": 3}) as c:
        groups = c.search(collections=["capella-geo"]).groupby(name)
    assert sorted(groups.value_counts().values()) == [1, 2]


# -- 4. active orders: latest expiration first, ties in reverse listing order ------------------


def test_active_orders_with_the_same_expiration_come_later_listed_first() -> None:
    orders = [
        {"orderId": "a", "expirationDate": "2999-01-01T00:00:00Z"},
        {"orderId": "b", "expirationDate": "2999-06-01T00:00:00Z"},
        {"orderId": "c", "expirationDate": "2999-01-01T00:00:00Z"},
        {"orderId": "old", "expirationDate": "2000-01-01T00:00:00Z"},
        {"orderId": "d", "expirationDate": "2999-01-01T00:00:00Z"},
    ]
    with make_client(refused, orders=orders) as client:
        active = client.list_orders(is_active=True)
    assert [o["orderId"] for o in active] == ["b", "d", "c", "a"]
