"""Downloads into S3, end to end: the sandbox's asset host on one side, moto's S3 on the other.

moto runs in server mode on 127.0.0.1 (started and stopped by this module); the AWS environment
points boto3 at it. Every object is checked by sha256 against the sandbox's content, and every
failure must leave no object and no unfinished multipart upload behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from _moto import moto_s3, point_aws_at
from cloudpathlib import S3Client, S3Path

from capella import CapellaConsoleClient
from capella.aio import AsyncCapellaConsoleClient
from capella.download import Downloader, filename_from_url
from capella.download import s3 as s3mod
from capella.download.s3 import MIN_PART_SIZE, S3Job, S3Uploader, s3_path
from capella.download.wire import Response
from capella.errors import AssetDownloadError, InvalidInputError, PresignedUrlExpiredError
from capella.sandbox import DEMO_API_KEY, Sandbox
from capella.sandbox.assets import content_sha256

pytestmark = pytest.mark.e2e

MiB = 1 << 20
BIG_RASTER = 24 * MiB
RESUME_WARNING = "limited resume support"


# -- the S3 server -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 in server mode on 127.0.0.1 (a free port), for this module."""
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The standard AWS environment, pointing at moto (nothing read from ~/.aws)."""
    point_aws_at(monkeypatch, moto_endpoint)
    return moto_endpoint


@pytest.fixture
def s3(aws: str) -> Any:
    """A plain boto3 client of the moto server (for looking at what the SDK wrote)."""
    return boto3.client("s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    """A new, empty bucket for one test."""
    name = f"capella-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name


def object_sha256(s3: Any, bucket: str, key: str) -> str:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    digest = hashlib.sha256()
    for block in iter(lambda: body.read(MiB), b""):
        digest.update(block)
    return digest.hexdigest()


def keys(s3: Any, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def open_uploads(s3: Any, bucket: str) -> list[Any]:
    return list(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def warnings_about_resume(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("capella") and RESUME_WARNING in r.getMessage()
    ]


# -- the sandbox's orders ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def module_client(sandbox: Sandbox) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
        yield c


def order_geo(client: CapellaConsoleClient, limit: int) -> str:
    items = client.search(product_type="GEO", limit=limit)
    assert len(items) == limit
    return client.submit_order(items=items)


@pytest.fixture(scope="module")
def order_id(module_client: CapellaConsoleClient) -> str:
    """An order of two GEO products (rasters, metadata, preview, thumbnail)."""
    return order_geo(module_client, 2)


def raster_href(client: CapellaConsoleClient, order: str) -> tuple[dict[str, Any], str, str]:
    """(item, asset key, presigned href) of the first product's raster."""
    item = client.get_presigned_items(order)[0]
    key = next(k for k in ("HH", "VV") if k in item["assets"])
    return item, key, item["assets"][key]["href"]


def assert_intact(
    s3: Any, sandbox: Sandbox, bucket: str, paths: dict[str, dict[str, Any]], prefix: str
) -> int:
    """Every object is whole and where the local layout would put it; no upload is left open."""
    count = 0
    for stac_id, assets in paths.items():
        item = sandbox.state.catalog.get(stac_id)
        assert item is not None
        for key, path in assets.items():
            assert isinstance(path, S3Path)
            assert path.bucket == bucket
            assert path.key == f"{prefix}/{stac_id}/{path.name}"
            expected = content_sha256(item, key, sandbox.config.raster_size)
            assert object_sha256(s3, bucket, path.key) == expected, path
            count += 1
    assert not open_uploads(s3, bucket)
    return count


# -- the seed's downloads, into a bucket -------------------------------------------------------


@pytest.mark.parametrize(
    ("threaded", "show_progress"), [(True, False), (False, True)], ids=["threaded", "serial"]
)
def test_download_products_of_an_order_into_a_bucket(
    client, sandbox, s3, bucket, order_id, threaded, show_progress
):
    product_paths = client.download_products(
        order_id=order_id,
        local_dir=f"s3://{bucket}/x",
        threaded=threaded,
        show_progress=show_progress,
    )
    assert len(product_paths) == 2
    count = assert_intact(s3, sandbox, bucket, product_paths, "x")
    assert count == len(keys(s3, bucket)) >= 8
    some = next(iter(next(iter(product_paths.values())).values()))
    assert some.read_bytes()  # the returned S3Path works as it is


def test_download_products_flat_into_the_bucket_root(client, sandbox, s3, bucket, order_id):
    product_paths = client.download_products(
        order_id=order_id, local_dir=f"s3://{bucket}", separate_dirs=False, include="thumbnail"
    )
    assert keys(s3, bucket) == sorted(
        p.key for assets in product_paths.values() for p in assets.values()
    )
    assert all("/" not in k for k in keys(s3, bucket))


def test_download_asset_to_an_s3path_uses_its_client(
    client, sandbox, bucket, order_id, moto_endpoint, monkeypatch
):
    item, key, href = raster_href(client, order_id)
    # The environment is useless now: only the S3Path's own client can reach the bucket.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    own = S3Client(
        aws_access_key_id="testing", aws_secret_access_key="testing", endpoint_url=moto_endpoint
    )
    sent: list[dict[str, str]] = []
    own.client.meta.events.register(
        "before-send.s3", lambda request, **_: sent.append(dict(request.headers))
    )
    target = own.CloudPath(f"s3://{bucket}/single/raster.tif")

    path = client.download_asset(href, local_path=target)

    assert path == target
    digest = hashlib.sha256(
        own.client.get_object(Bucket=bucket, Key="single/raster.tif")["Body"].read()
    )
    assert digest.hexdigest() == content_sha256(item, key, sandbox.config.raster_size)
    assert sent
    for headers in sent:
        assert DEMO_API_KEY not in " ".join(str(v) for v in headers.values())
        auth = headers.get("Authorization")
        auth = auth.decode() if isinstance(auth, bytes) else auth
        assert auth is not None and auth.startswith("AWS4-HMAC-SHA256 Credential=testing/")


def test_download_asset_into_an_s3_folder_takes_the_url_file_name(
    client, sandbox, s3, bucket, order_id
):
    _, _, href = raster_href(client, order_id)
    path = client.download_asset(href, local_path=f"s3://{bucket}/folder/")
    assert path.key == f"folder/{filename_from_url(href)}"
    s3.put_object(Bucket=bucket, Key="existing/other.txt", Body=b"x")
    path = client.download_asset(href, local_path=f"s3://{bucket}/existing")
    assert path.key == f"existing/{filename_from_url(href)}"
    assert keys(s3, bucket) == sorted(
        [f"folder/{path.name}", "existing/other.txt", f"existing/{path.name}"]
    )


# -- large assets ------------------------------------------------------------------------------


@pytest.fixture
def big(sandbox_factory) -> Sandbox:
    """A sandbox whose rasters are 24 MiB (five 5 MiB parts)."""
    return sandbox_factory(raster_size=BIG_RASTER)


@pytest.fixture
def big_client(big: Sandbox) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=big.url) as c:
        yield c


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> int:
    """Uploads made by the client use S3's smallest part size."""
    monkeypatch.setattr(s3mod, "DEFAULT_PART_SIZE", MIN_PART_SIZE)
    return MIN_PART_SIZE


def test_a_large_asset_is_uploaded_as_several_parts(big, big_client, s3, bucket, small_parts):
    item, key, href = raster_href(big_client, order_geo(big_client, 1))
    path = big_client.download_asset(href, local_path=f"s3://{bucket}/big/")
    head = s3.head_object(Bucket=bucket, Key=path.key)
    assert head["ContentLength"] == BIG_RASTER
    assert head["ETag"].endswith('-5"')  # a multipart object of five parts
    assert object_sha256(s3, bucket, path.key) == content_sha256(item, key, BIG_RASTER)
    assert not open_uploads(s3, bucket)


def test_a_cut_connection_resumes_into_the_current_part(
    big, big_client, s3, bucket, small_parts, caplog
):
    item, key, href = raster_href(big_client, order_geo(big_client, 1))
    cut = 7 * MiB + 4321
    big.faults.add(route="assets", kind="cut", after_bytes=cut, times=1)
    caplog.set_level(logging.INFO, logger="capella")

    path = big_client.download_asset(href, local_path=f"s3://{bucket}/cut/")

    assert object_sha256(s3, bucket, path.key) == content_sha256(item, key, BIG_RASTER)
    retries = [r.getMessage() for r in caplog.records if "retry 1/" in r.getMessage()]
    assert len(retries) == 1
    resumed_at = int(retries[0].split("from byte ")[1].split()[0])
    assert 5 * MiB < resumed_at <= cut  # inside part 2: neither from zero nor from the part start
    assert not any("starting over" in r.getMessage() for r in caplog.records)
    assert s3.head_object(Bucket=bucket, Key=path.key)["ETag"].endswith('-5"')
    assert not open_uploads(s3, bucket)


class ExpireAfterFirstRequest:
    """A wire whose presigned URLs expire (403, no refresh) once the first request is answered."""

    def __init__(self, wire: Any, sandbox: Sandbox) -> None:
        self.wire = wire
        self.sandbox = sandbox
        self.requests = 0

    def get(self, url: str, headers: Any) -> Response:
        response = self.wire.get(url, headers)
        self.requests += 1
        if self.requests == 1:
            self.sandbox.faults.add(route="assets", kind="expired")
        return response

    def close(self) -> None:
        self.wire.close()


def test_a_failure_after_some_parts_aborts_the_upload(big, big_client, s3, bucket, caplog):
    _, _, href = raster_href(big_client, order_geo(big_client, 1))
    big.faults.add(route="assets", kind="cut", after_bytes=12 * MiB, times=1)
    caplog.set_level(logging.INFO, logger="capella")
    target = s3_path(f"s3://{bucket}/failed/raster.tif")
    parts: list[int] = []
    s3mod._boto3_client(target).meta.events.register(
        "after-call.s3.UploadPart", lambda **kwargs: parts.append(1)
    )
    with Downloader(timeout=10, sleep=lambda seconds: None) as downloader:
        uploader = S3Uploader(downloader, part_size=MIN_PART_SIZE)
        uploader.wire = ExpireAfterFirstRequest(uploader.wire, big)
        outcome = uploader.run([S3Job(href, target)])[0]

    assert outcome.status == "failed"
    assert isinstance(outcome.error, PresignedUrlExpiredError)
    assert len(parts) == 2  # two parts were stored before the URL expired
    assert keys(s3, bucket) == []
    assert not open_uploads(s3, bucket)
    assert any("aborted the unfinished upload" in r.getMessage() for r in caplog.records)


def test_a_permanent_failure_leaves_no_object_and_no_upload(
    client, sandbox, s3, bucket, order_id, caplog
):
    _, _, href = raster_href(client, order_id)
    sandbox.faults.add(route="assets", kind="status", status=503, retry_after=0)
    with pytest.raises(AssetDownloadError) as info:  # one asset: its own error (issue 14)
        client.download_asset(href, local_path=f"s3://{bucket}/gone/raster.tif")
    assert "503" in str(info.value)
    assert keys(s3, bucket) == []
    assert not open_uploads(s3, bucket)


# -- existing objects, warnings, refusals ------------------------------------------------------


# -- the async client, same destinations and sink --------------------------------------------


def test_the_async_client_downloads_an_order_into_a_bucket(sandbox, s3, bucket, order_id):
    async def go() -> dict[str, dict[str, Any]]:
        async with AsyncCapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
            return await c.download_products(order_id=order_id, local_dir=f"s3://{bucket}/a")

    product_paths = asyncio.run(go())
    assert len(product_paths) == 2
    assert assert_intact(s3, sandbox, bucket, product_paths, "a") == len(keys(s3, bucket)) >= 8


def test_the_async_client_refreshes_an_expired_link_for_an_s3_object(sandbox, s3, bucket, order_id):
    sandbox.faults.add(route="assets", kind="expired", times=1)

    async def go() -> dict[str, dict[str, Any]]:
        async with AsyncCapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
            # The refresh is a coroutine of the event loop; the S3 sink calls it from a thread.
            return await c.download_products(
                order_id=order_id, local_dir=f"s3://{bucket}/r", include="thumbnail"
            )

    product_paths = asyncio.run(go())
    assert not sandbox.faults.active()
    assert assert_intact(s3, sandbox, bucket, product_paths, "r") == 2


def test_the_async_client_writes_one_asset_to_an_s3_folder(client, sandbox, s3, bucket, order_id):
    _item, _key, href = raster_href(client, order_id)

    async def go() -> Any:
        async with AsyncCapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
            return await c.download_asset(href, local_path=f"s3://{bucket}/one/")

    path = asyncio.run(go())
    assert isinstance(path, S3Path) and path.key == f"one/{filename_from_url(href)}"
    assert keys(s3, bucket) == [path.key]


def test_an_existing_object_is_skipped_unless_override(client, sandbox, s3, bucket, order_id):
    items = client.get_presigned_items(order_id)
    stac_id = items[0]["id"]
    thumb = f"x/{stac_id}/{filename_from_url(items[0]['assets']['thumbnail']['href'])}"
    s3.put_object(Bucket=bucket, Key=thumb, Body=b"kept")

    paths = client.download_products(
        items_presigned=items, local_dir=f"s3://{bucket}/x", include="thumbnail"
    )
    assert s3.get_object(Bucket=bucket, Key=thumb)["Body"].read() == b"kept"
    other = paths[items[1]["id"]]["thumbnail"]
    item = sandbox.state.catalog.get(items[1]["id"])
    assert object_sha256(s3, bucket, other.key) == content_sha256(
        item, "thumbnail", sandbox.config.raster_size
    )

    client.download_products(
        items_presigned=items, local_dir=f"s3://{bucket}/x", include="thumbnail", override=True
    )
    first = sandbox.state.catalog.get(stac_id)
    assert object_sha256(s3, bucket, thumb) == content_sha256(
        first, "thumbnail", sandbox.config.raster_size
    )


def test_the_cli_reports_a_fresh_upload_as_downloaded_and_a_second_run_as_skipped(
    sandbox, s3, bucket, order_id, tmp_path
):
    # S3 keeps an object's time to the second: a status read from it called fresh uploads
    # "skipped". The records carry what the transfer did.
    from typer.testing import CliRunner

    from capella.cli import app

    env = {
        "CAPELLA_API_KEY": DEMO_API_KEY,
        "CAPELLA_API_URL": sandbox.url,
        "CAPELLA_CONFIG_DIR": str(tmp_path / "config"),
    }
    args = [
        "download",
        "--order",
        order_id,
        "--dir",
        f"s3://{bucket}/cli",
        "--include",
        "thumbnail",
    ]

    def statuses() -> tuple[list[str], dict[str, Any]]:
        done = CliRunner().invoke(app, args, env=env)
        assert done.exit_code == 0, done.stderr
        *records, summary = [json.loads(line) for line in done.stdout.splitlines()]
        assert all(r["path"].startswith(f"s3://{bucket}/cli/") for r in records)
        return [r["status"] for r in records], summary["summary"]

    fresh, summary = statuses()
    assert fresh == ["downloaded", "downloaded"]
    assert summary["downloaded"] == 2 and summary["received"] > 0
    again, summary = statuses()
    assert again == ["skipped", "skipped"]
    assert summary["skipped"] == 2 and summary["received"] == 0


def test_limited_resume_is_said_once_per_call(client, bucket, order_id, caplog):
    caplog.set_level(logging.WARNING, logger="capella")
    client.download_products(order_id=order_id, local_dir=f"s3://{bucket}/x")
    assert len(warnings_about_resume(caplog)) == 1
    caplog.clear()
    client.download_products(order_id=order_id, local_dir=f"s3://{bucket}/x")  # all skipped
    assert len(warnings_about_resume(caplog)) == 1
    caplog.clear()
    _, _, href = raster_href(client, order_id)
    client.download_asset(href, local_path=f"s3://{bucket}/one/")
    assert len(warnings_about_resume(caplog)) == 1
    caplog.clear()
    client.download_products(order_id=order_id, local_dir=f"s3://{bucket}/y", enable_resume=False)
    assert warnings_about_resume(caplog) == []


def test_traversal_file_names_are_refused_before_anything_is_written(client, s3, bucket, order_id):
    items = client.get_presigned_items(order_id)
    evil = [dict(items[0], assets=dict(items[0]["assets"]))]
    href = evil[0]["assets"]["thumbnail"]["href"]
    base, query = href.split("?", 1)
    evil[0]["assets"]["thumbnail"] = {"href": base.rsplit("/", 1)[0] + "/..%2F..%2Fx.png?" + query}
    with pytest.raises(InvalidInputError, match="unsafe file name"):
        client.download_products(items_presigned=evil, local_dir=f"s3://{bucket}/x")
    with pytest.raises(InvalidInputError, match="unsafe file name"):
        client.download_products(
            items_presigned=[dict(items[0], id="..")], local_dir=f"s3://{bucket}/x"
        )
    with pytest.raises(InvalidInputError, match="unsafe file name"):
        client.download_asset(base.rsplit("/", 1)[0] + "/..?" + query, f"s3://{bucket}/x/")
    assert keys(s3, bucket) == []


def test_a_missing_bucket_is_refused_before_anything_is_ordered(client, aws):
    with pytest.raises(InvalidInputError, match="does not exist"):
        client.download_products(
            collect_id=str(uuid.uuid4()), local_dir="s3://no-such-bucket-here/x"
        )


def test_missing_credentials_are_refused_with_a_hint(client, aws, bucket, order_id, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(InvalidInputError, match="no AWS credentials"):
        client.download_products(order_id=order_id, local_dir=f"s3://{bucket}/x")


def test_the_readme_s3_example_runs(
    client: CapellaConsoleClient,
    s3: Any,
    bucket: str,
    order_id: str,
    readme_code: Callable[[str], list[str]],
) -> None:
    (code,) = readme_code("Downloading to S3")
    namespace: dict[str, Any] = {"client": client, "order_id": order_id}
    exec(compile(code.replace("my-bucket", bucket), "README.md", "exec"), namespace)
    written = keys(s3, bucket)
    assert written and all(key.startswith("capella/") for key in written)
    assert sum(len(assets) for assets in namespace["paths"].values()) == len(written)


def test_a_key_another_process_is_streaming_is_waited_for_then_skipped(
    client, s3, bucket, order_id, monkeypatch
):
    # Another process of this machine holds the key's lock (as while it streams the object).
    # This download must wait for it, then find that process's object and keep it.
    import threading

    from capella.download import lock

    item = client.get_presigned_items(order_id)[0]
    href = item["assets"]["thumbnail"]["href"]
    target = f"s3://{bucket}/locked/{filename_from_url(href)}"
    waiting = threading.Event()
    try_lock = lock._try_lock

    def watched(path: Any) -> int | None:
        fd = try_lock(path)
        if fd is None:
            waiting.set()
        return fd

    monkeypatch.setattr(lock, "_try_lock", watched)
    outcome: list[Any] = []
    with lock.asset_lock(target, wait=None):
        worker = threading.Thread(
            target=lambda: outcome.append(client.download_asset(href, target))
        )
        worker.start()
        assert waiting.wait(30), "the download did not wait for the key's lock"
        key = target.removeprefix(f"s3://{bucket}/")
        s3.put_object(Bucket=bucket, Key=key, Body=b"the other process's object")
    worker.join(30)
    assert not worker.is_alive()
    assert [str(p) for p in outcome] == [target]
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"the other process's object"
    assert not open_uploads(s3, bucket)
