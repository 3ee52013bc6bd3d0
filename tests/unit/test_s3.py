"""S3 destinations without a server: part buffering, completion, aborts and destination rules.

The asset host is an ``httpx.MockTransport`` (Range, If-Range, scripted cuts and statuses); the
S3 side is a fake boto3 client that records every call and assembles objects like S3 does.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from cloudpathlib import S3Client, S3Path

from capella.download import Downloader, DownloadError, raise_for_failures
from capella.download import s3 as s3mod
from capella.download.s3 import MIN_PART_SIZE, S3Job, S3Uploader, s3_join, s3_path
from capella.errors import InvalidInputError, PresignedUrlExpiredError

MiB = 1 << 20
HOST = "https://assets.test"
URL = f"{HOST}/capella/CAPELLA_X/image.tif?Expires=1&Signature=secret"


def payload(size: int, seed: int = 1) -> bytes:
    block = hashlib.sha256(f"{seed}".encode()).digest()
    return (block * (size // len(block) + 1))[:size]


# -- the asset host ----------------------------------------------------------------------------


@dataclass
class Fault:
    """One scripted misbehaviour for the next request."""

    status: int | None = None
    cut: int | None = None  # the body breaks after this many bytes
    ignore_range: bool = False


class _CutStream(httpx.SyncByteStream):
    def __init__(self, data: bytes, cut: int | None) -> None:
        self.data = data
        self.cut = cut

    def __iter__(self) -> Iterator[bytes]:
        end = len(self.data) if self.cut is None else min(self.cut, len(self.data))
        for i in range(0, end, 256 * 1024):
            yield self.data[i : min(i + 256 * 1024, end)]
        if self.cut is not None:
            raise httpx.ReadError("connection reset by peer")


@dataclass
class AssetHost:
    """Serves ``data`` at ``URL`` like S3 does (Range, If-Range, ETag), with scripted faults."""

    data: bytes
    etag: str = '"v1"'
    faults: list[Fault] = field(default_factory=list)
    # (after this many requests, new data and ETag): the asset is replaced on the server
    change: tuple[int, bytes, str] | None = None
    ranges: list[str | None] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.change is not None and len(self.ranges) == self.change[0]:
            _, self.data, self.etag = self.change
        self.ranges.append(request.headers.get("Range"))
        self.headers_seen.append(dict(request.headers))
        fault = self.faults.pop(0) if self.faults else Fault()
        if fault.status is not None:
            return httpx.Response(fault.status, content=b"<Error><Code>X</Code></Error>")
        size = len(self.data)
        common = {"ETag": self.etag, "Content-Type": "image/tiff", "Accept-Ranges": "bytes"}
        wanted = request.headers.get("Range")
        if_range = request.headers.get("If-Range")
        if wanted and not fault.ignore_range and if_range in (None, self.etag):
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= size:
                return httpx.Response(416, headers={"Content-Range": f"bytes */{size}"})
            body = self.data[start:]
            headers = {
                **common,
                "Content-Range": f"bytes {start}-{size - 1}/{size}",
                "Content-Length": str(len(body)),
            }
            return httpx.Response(206, headers=headers, stream=_CutStream(body, fault.cut))
        headers = {**common, "Content-Length": str(size)}
        return httpx.Response(200, headers=headers, stream=_CutStream(self.data, fault.cut))


# -- the S3 side -------------------------------------------------------------------------------


def client_error(status: int, code: str, operation: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


class FakeS3:
    """A boto3 S3 client that keeps objects and multipart uploads in memory."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.uploads: dict[str, dict[int, bytes]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_part: int | None = None
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def _record(self, name: str, **kwargs: Any) -> None:
        with self.lock:
            self.calls.append((name, {k: v for k, v in kwargs.items() if k != "Body"}))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def head_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        self._record("head_object", Bucket=Bucket, Key=Key)
        if (Bucket, Key) not in self.objects:
            raise client_error(404, "404", "HeadObject")
        return {"ContentLength": len(self.objects[(Bucket, Key)])}

    def put_object(self, Bucket: str, Key: str, Body: Any, ContentLength: int, **kw: Any) -> Any:
        self._record("put_object", Bucket=Bucket, Key=Key, ContentLength=ContentLength, **kw)
        data = Body.read()
        assert len(data) == ContentLength
        self.objects[(Bucket, Key)] = data
        return {}

    def create_multipart_upload(self, Bucket: str, Key: str, **kw: Any) -> dict[str, Any]:
        self._record("create_multipart_upload", Bucket=Bucket, Key=Key, **kw)
        upload_id = f"upload-{len(self.uploads) + 1}"
        self.uploads[upload_id] = {}
        return {"UploadId": upload_id}

    def upload_part(self, UploadId: str, PartNumber: int, Body: Any, **kw: Any) -> Any:
        self._record("upload_part", UploadId=UploadId, PartNumber=PartNumber, **kw)
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.fail_part == PartNumber:
                raise client_error(500, "InternalError", "UploadPart")
            data = Body.read()
            Body.seek(0)  # botocore rewinds to retry: the body must allow it
            assert Body.read() == data
            assert len(data) == kw["ContentLength"]
            self.uploads[UploadId][PartNumber] = data
            return {"ETag": f'"{hashlib.md5(data).hexdigest()}"'}  # S3's ETag of a part
        finally:
            with self.lock:
                self.in_flight -= 1

    def complete_multipart_upload(
        self, Bucket: str, Key: str, UploadId: str, MultipartUpload: dict[str, Any]
    ) -> Any:
        self._record("complete_multipart_upload", Bucket=Bucket, Key=Key, UploadId=UploadId)
        parts = self.uploads.pop(UploadId)
        numbers = [p["PartNumber"] for p in MultipartUpload["Parts"]]
        assert numbers == sorted(parts)
        sizes = [len(parts[n]) for n in numbers]
        assert all(size >= MIN_PART_SIZE for size in sizes[:-1])
        self.objects[(Bucket, Key)] = b"".join(parts[n] for n in numbers)
        return {}

    def abort_multipart_upload(self, Bucket: str, Key: str, UploadId: str) -> Any:
        self._record("abort_multipart_upload", Bucket=Bucket, Key=Key, UploadId=UploadId)
        del self.uploads[UploadId]
        return {}

    def part_sizes(self) -> list[int]:
        return [kw["ContentLength"] for name, kw in self.calls if name == "upload_part"]


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture(autouse=True)
def _offline_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, so that boto3 never asks the EC2 metadata service for real ones."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def fake_s3() -> FakeS3:
    return FakeS3()


@pytest.fixture(scope="module")
def s3_client() -> S3Client:
    """One cloudpathlib client for the module (building one takes a few tenths of a second)."""
    return S3Client(aws_access_key_id="x", aws_secret_access_key="y")


@pytest.fixture
def target(s3_client: S3Client, fake_s3: FakeS3) -> S3Path:
    client = s3_client
    client.client = fake_s3  # every S3 request of the uploader goes to the fake
    path = client.CloudPath("s3://bucket/prefix/image.tif")
    assert isinstance(path, S3Path)
    return path


def uploader(host: AssetHost, sleeps: Sleeps | None = None, **kwargs: Any) -> S3Uploader:
    downloader = Downloader(
        transport=httpx.MockTransport(host),
        sleep=Sleeps() if sleeps is None else sleeps,
        buffer_size=64 * 1024,
    )
    return S3Uploader(downloader, part_size=MIN_PART_SIZE, **kwargs)


def stored(fake_s3: FakeS3) -> bytes:
    return fake_s3.objects[("bucket", "prefix/image.tif")]


# -- part buffering ----------------------------------------------------------------------------


def test_a_large_asset_goes_up_in_full_parts_and_a_short_last_one(fake_s3, target):
    data = payload(23 * MiB)
    outcome = uploader(AssetHost(data)).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded" and outcome.bytes == len(data)
    assert outcome.transferred == len(data)
    assert fake_s3.part_sizes() == [5 * MiB] * 4 + [3 * MiB]
    assert stored(fake_s3) == data
    assert fake_s3.names()[-1] == "complete_multipart_upload"
    assert "put_object" not in fake_s3.names() and not fake_s3.uploads


def test_at_most_max_in_flight_parts_upload_and_buffers_stay_bounded(fake_s3, target, monkeypatch):
    allocated: list[int] = []
    real_take = s3mod._Buffers.take

    def take(self: Any, size: int) -> bytearray:
        before = len(self.free)
        buffer = real_take(self, size)
        if not before:
            allocated.append(len(buffer))
        return buffer

    monkeypatch.setattr(s3mod._Buffers, "take", take)
    data = payload(41 * MiB)
    outcome = uploader(AssetHost(data), max_in_flight=2).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded"
    assert stored(fake_s3) == data
    assert len(fake_s3.part_sizes()) == 9
    assert fake_s3.max_in_flight <= 2
    assert len(allocated) <= 3  # max_in_flight uploading + the one filling, whatever the size


def test_a_small_asset_is_one_put_of_the_whole_body(fake_s3, target):
    data = payload(3 * MiB + 17)
    outcome = uploader(AssetHost(data)).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded"
    assert fake_s3.names() == ["head_object", "put_object"]
    assert fake_s3.calls[1][1]["ContentType"] == "image/tiff"
    assert stored(fake_s3) == data


def test_an_asset_of_exactly_one_part_is_one_put(fake_s3, target):
    data = payload(MIN_PART_SIZE)
    uploader(AssetHost(data)).run([S3Job(URL, target)])
    assert fake_s3.names() == ["head_object", "put_object"]
    assert stored(fake_s3) == data


def test_an_empty_asset_answered_416_becomes_an_empty_object(fake_s3, target):
    host = AssetHost(b"")
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded" and outcome.bytes == 0
    assert stored(fake_s3) == b""


def test_huge_assets_get_parts_large_enough_for_10000_parts(fake_s3, target):
    transfer = s3mod._Transfer(uploader(AssetHost(b"")), S3Job(URL, target), 0)

    class Head:
        def header(self, name: str) -> str | None:
            return None

    transfer._begin(200 * 1024 * MiB, Head())  # type: ignore[arg-type]
    assert transfer.part_size % MiB == 0
    assert transfer.part_size * 10_000 >= 200 * 1024 * MiB
    transfer._begin(100 * MiB, Head())  # type: ignore[arg-type]
    assert transfer.part_size == MIN_PART_SIZE


def test_the_part_body_reads_and_rewinds_without_copying():
    view = memoryview(bytearray(b"0123456789"))[2:8]
    body = s3mod._PartBody(view)
    assert body.read(4) == b"2345"
    assert body.tell() == 4
    assert body.read() == b"67"
    assert body.seek(0) == 0
    assert body.read() == b"234567"
    assert body.seek(-2, 2) == 4 and body.read() == b"67"


# -- the HTTP side -----------------------------------------------------------------------------


def test_a_cut_resumes_the_range_into_the_current_part(fake_s3, target):
    data = payload(12 * MiB)
    cut = 7 * MiB + 12_345  # inside part 2
    host = AssetHost(data, faults=[Fault(cut=cut)])
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded"
    assert stored(fake_s3) == data
    assert host.ranges[0] == "bytes=0-"
    resumed_at = int(host.ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 5 * MiB < resumed_at <= cut  # not from zero, not from the part's start
    assert outcome.transferred == len(data)  # no byte fetched twice
    assert host.headers_seen[1]["if-range"] == '"v1"'
    assert fake_s3.part_sizes() == [5 * MiB, 5 * MiB, 2 * MiB]


def test_a_cut_in_a_small_asset_resumes_into_its_single_buffer(fake_s3, target):
    data = payload(2 * MiB)
    host = AssetHost(data, faults=[Fault(cut=MiB + 5), Fault(cut=100_000)])
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded" and outcome.transferred == len(data)
    assert stored(fake_s3) == data
    assert len(host.ranges) == 3


def test_retryable_statuses_are_retried_with_backoff(fake_s3, target):
    data = payload(MiB)
    sleeps = Sleeps()
    host = AssetHost(data, faults=[Fault(status=503), Fault(status=500)])
    outcome = uploader(host, sleeps).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded"
    assert len(sleeps) == 2
    assert stored(fake_s3) == data


def test_404_fails_at_once_and_creates_nothing(fake_s3, target):
    host = AssetHost(payload(MiB), faults=[Fault(status=404)])
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "failed" and outcome.bytes == 0
    assert "404" in str(outcome.error)
    assert fake_s3.names() == ["head_object"]
    assert not fake_s3.objects and not fake_s3.uploads


def test_a_permanent_failure_after_some_parts_aborts_the_upload(fake_s3, target, caplog):
    data = payload(16 * MiB)
    host = AssetHost(data, faults=[Fault(cut=11 * MiB), Fault(status=404)])
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "failed"
    names = fake_s3.names()
    assert names.count("upload_part") == 2
    assert "complete_multipart_upload" not in names
    assert names[-1] == "abort_multipart_upload"
    assert not fake_s3.objects and not fake_s3.uploads
    with pytest.raises(DownloadError) as info:
        raise_for_failures([outcome])
    assert "image.tif" in str(info.value)


def test_a_failed_part_upload_aborts_and_says_so(fake_s3, target):
    fake_s3.fail_part = 2
    outcome = uploader(AssetHost(payload(16 * MiB))).run([S3Job(URL, target)])[0]
    assert outcome.status == "failed"
    assert outcome.error.code == "S3_WRITE_ERROR"
    assert "UploadPart 2" in str(outcome.error)
    assert "complete_multipart_upload" not in fake_s3.names()
    assert "abort_multipart_upload" in fake_s3.names()
    assert not fake_s3.objects and not fake_s3.uploads


def test_repeated_cuts_give_up_after_max_retries_and_abort(fake_s3, target):
    data = payload(12 * MiB)
    host = AssetHost(data, faults=[Fault(cut=6 * MiB)] + [Fault(cut=0)] * 10)
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "failed"
    assert "attempts" in str(outcome.error)
    assert "abort_multipart_upload" in fake_s3.names()
    assert not fake_s3.objects and not fake_s3.uploads


def test_an_asset_that_changes_mid_stream_starts_over(fake_s3, target):
    old, new = payload(12 * MiB, seed=1), payload(12 * MiB, seed=2)
    host = AssetHost(old, faults=[Fault(cut=7 * MiB)], change=(1, new, '"v2"'))
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded"
    assert stored(fake_s3) == new
    names = fake_s3.names()
    assert names.count("create_multipart_upload") == 2
    assert names.count("abort_multipart_upload") == 1
    assert host.headers_seen[1]["if-range"] == '"v1"'  # answered 200: the new version, whole


def test_a_host_that_ignores_range_restarts_with_the_full_body(fake_s3, target):
    data = payload(12 * MiB)
    host = AssetHost(data, faults=[Fault(cut=6 * MiB), Fault(ignore_range=True)])
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "downloaded"
    assert stored(fake_s3) == data


def test_a_403_asks_the_job_for_a_fresh_url(fake_s3, target):
    data = payload(MiB)
    host = AssetHost(data, faults=[Fault(status=403)])
    fresh = URL.replace("secret", "fresh")
    outcome = uploader(host).run([S3Job(URL, target, refresh=lambda: fresh)])[0]
    assert outcome.status == "downloaded"
    assert stored(fake_s3) == data


def test_a_403_without_refresh_fails_as_expired(fake_s3, target):
    host = AssetHost(payload(MiB), faults=[Fault(status=403)])
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert isinstance(outcome.error, PresignedUrlExpiredError)


def test_the_asset_host_never_sees_credentials(fake_s3, target):
    host = AssetHost(payload(MiB))
    uploader(host).run([S3Job(URL, target)])
    for headers in host.headers_seen:
        assert "authorization" not in {k.lower() for k in headers}


# -- existing objects --------------------------------------------------------------------------


def test_an_existing_object_is_skipped_without_any_asset_request(fake_s3, target):
    fake_s3.objects[("bucket", "prefix/image.tif")] = b"old"
    host = AssetHost(payload(MiB))
    outcome = uploader(host).run([S3Job(URL, target)])[0]
    assert outcome.status == "skipped" and outcome.bytes == 3
    assert host.ranges == []
    assert stored(fake_s3) == b"old"


def test_override_replaces_an_existing_object_without_a_head(fake_s3, target):
    fake_s3.objects[("bucket", "prefix/image.tif")] = b"old"
    data = payload(MiB)
    outcome = uploader(AssetHost(data)).run([S3Job(URL, target)], override=True)[0]
    assert outcome.status == "downloaded"
    assert "head_object" not in fake_s3.names()
    assert stored(fake_s3) == data


def test_two_jobs_for_one_key_fail_the_second(fake_s3, target):
    data = payload(MiB)
    outcomes = uploader(AssetHost(data)).run([S3Job(URL, target), S3Job(URL, target)])
    assert [o.status for o in outcomes] == ["downloaded", "failed"]
    assert isinstance(outcomes[1].error, InvalidInputError)


# -- destinations ------------------------------------------------------------------------------


def test_s3_destinations_are_recognised():
    assert s3mod.is_s3_destination("s3://bucket/x")
    assert s3mod.is_s3_destination("S3://bucket/x")
    assert s3mod.is_s3_destination(S3Path("s3://bucket/x"))
    assert not s3mod.is_s3_destination("/tmp/s3://x")
    assert not s3mod.is_s3_destination(__import__("pathlib").Path("s3"))


def test_a_string_gets_an_s3path_with_its_own_client():
    path = s3_path("S3://my-bucket/some/prefix")
    assert isinstance(path, S3Path)
    assert (path.bucket, path.key) == ("my-bucket", "some/prefix")


@pytest.mark.parametrize("url", ["s3://b/x", "s3://-bad-/x", "s3://a" + "b" * 70 + "/x"])
def test_invalid_bucket_names_are_refused(url):
    with pytest.raises(InvalidInputError, match="S3 bucket name"):
        s3_path(url)


def test_other_cloud_paths_are_refused():
    class GSPathLike:
        cloud_prefix = "gs://"

    assert s3mod.is_s3_destination(GSPathLike())
    with pytest.raises(InvalidInputError, match="cannot download to"):
        s3_path(GSPathLike())


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "a/b", "a\\b", "/abs", "C:x", "a\x00"])
def test_keys_follow_the_local_file_name_rules(name):
    with pytest.raises(InvalidInputError, match="unsafe file name"):
        s3_join(S3Path("s3://bucket/prefix"), name)


def test_keys_join_under_the_prefix():
    assert s3_join(S3Path("s3://bucket/prefix"), "a.tif").key == "prefix/a.tif"
    assert s3_join(S3Path("s3://bucket/prefix/"), "a.tif").key == "prefix/a.tif"
    assert s3_join(S3Path("s3://bucket"), "a.tif").key == "a.tif"
    with pytest.raises(InvalidInputError, match="1024-byte"):
        s3_join(S3Path("s3://bucket/p"), "x" * 1100)


def test_part_size_below_the_s3_minimum_is_refused():
    with pytest.raises(InvalidInputError, match="at least"):
        S3Uploader(Downloader(), part_size=MIN_PART_SIZE - 1)


def test_a_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "cloudpathlib", None)
    with pytest.raises(ImportError, match=r"pip install 'capella-sar\[s3\]'"):
        s3_path("s3://bucket/x")
