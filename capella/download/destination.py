"""Where downloads go, chosen once at the edge: a local folder or an S3 prefix.

A ``Destination`` knows how to join names safely under its root, check it before anything is
ordered or fetched, and which sink stages and commits the bytes: ``<name>.part`` renamed into
place for a local folder (``localfile.py``), a multipart upload completed only once whole for S3
(``s3.py``). The product orchestration plans against it and never asks "is this S3?" again.

boto3 and cloudpathlib are optional (``capella-sar[s3]``): they are imported only when an S3
destination is used.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from capella._logging import ClientLog
from capella._redact import redact
from capella.download.jobs import DownloadJob, S3Job
from capella.download.paths import check_filename, filename_from_url, safe_join
from capella.errors import ConnectError, InvalidInputError
from capella.interop import DISTRIBUTION

if TYPE_CHECKING:
    from cloudpathlib import S3Path

EXTRA = f"{DISTRIBUTION}[s3]"
MAX_KEY_BYTES = 1024
# 3 to 63 characters; legacy and S3-compatible stores allow capitals and underscores.
_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$")
Refresh = Callable[[], str]


def local_directory(local_dir: str | os.PathLike[str]) -> Path:
    """The target folder as a Path (created if missing)."""
    directory = Path(local_dir).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InvalidInputError(f"{directory} exists and is not a folder") from None
    except OSError as exc:  # a file on the way, no permission, a read-only disk...
        raise InvalidInputError(
            f"cannot create the download folder {directory}: {exc.strerror or exc}; "
            "choose a folder you can write to"
        ) from None
    return directory


J = TypeVar("J", DownloadJob, S3Job)
P = TypeVar("P", Path, "S3Path")


class _Root(Generic[P, J]):
    """What a destination does, by the kind of job it writes (``job_type``)."""

    root: P
    job_type: type[J]

    @property
    def is_s3(self) -> bool:
        """Whether objects go to S3 (the caller says so once, e.g. for resume)."""
        return self.job_type is S3Job

    def join(self, directory: Path | S3Path, name: str) -> P:
        """``directory / name``, refusing names that would leave it (and keys S3 refuses)."""
        joined: P = _JOIN[self.job_type](directory, name)
        return joined

    def job(
        self,
        url: str,
        path: Path | S3Path,
        *,
        stac_id: str | None = None,
        asset_key: str | None = None,
        refresh: Refresh | None = None,
    ) -> J:
        """The job that writes ``url`` to ``path`` (a path this destination joined)."""
        where: Any = path  # the job type says which: a Path here, an S3Path there
        return self.job_type(url, where, stac_id=stac_id, asset_key=asset_key, refresh=refresh)

    def warn_resume(self, log: ClientLog, enable_resume: bool) -> None:
        """Say what resume cannot do here (nothing: local parts resume)."""


@attrs.frozen
class LocalFolder(_Root[Path, DownloadJob]):
    """A local folder: files are staged as ``.part`` and renamed into place when whole."""

    root: Path
    job_type = DownloadJob


@attrs.frozen
class S3Prefix(_Root["S3Path", S3Job]):
    """An S3 prefix: objects are streamed as multipart uploads, completed only when whole."""

    root: S3Path
    job_type = S3Job

    def warn_resume(self, log: ClientLog, enable_resume: bool) -> None:
        """Say once per call that resume is limited for S3 destinations (the seeds promise it)."""
        if enable_resume:
            log.warning(
                "%s: S3 destinations have limited resume support: objects already in the bucket "
                "are skipped, but an upload interrupted in an earlier call starts over from byte 0",
                self.root,
            )


Destination = LocalFolder | S3Prefix


def destination_for(local_dir: object, log: ClientLog) -> Destination:
    """The target folder: a local folder (created if missing), or an S3 prefix (bucket checked)."""
    if is_s3_destination(local_dir):
        prefix = s3_path(local_dir)
        check_destination(prefix, log)
        return S3Prefix(prefix)
    if not isinstance(local_dir, str | os.PathLike):
        raise InvalidInputError(f"cannot download to {local_dir!r}: not a folder or S3 prefix")
    return LocalFolder(local_directory(local_dir))


def asset_destination(
    local_path: object, url: str, log: ClientLog
) -> tuple[Destination, Path | S3Path]:
    """Where ``download_asset`` writes: a file or object, or a folder that gets the URL's name."""
    if is_s3_destination(local_path):
        target = s3_path(local_path)
        check_destination(target, log)
        prefix = S3Prefix(target)
        if names_folder(target):
            return prefix, s3_join(target, filename_from_url(url))
        return prefix, target
    if not isinstance(local_path, str | os.PathLike):
        raise InvalidInputError(f"cannot download to {local_path!r}: not a path or S3 prefix")
    path = Path(local_path).expanduser()
    is_folder = isinstance(local_path, str) and local_path.endswith(("/", os.sep))
    if is_folder or path.is_dir():
        folder = local_directory(path)
        return LocalFolder(folder), safe_join(folder, filename_from_url(url))
    return LocalFolder(local_directory(path.parent)), path


# -- S3 names and access -----------------------------------------------------------------------


def is_s3_destination(value: object) -> bool:
    """Whether ``value`` names a cloud destination: an ``s3://`` string or a cloudpathlib path."""
    if isinstance(value, str):
        return value[:5].lower() == "s3://"
    return getattr(type(value), "cloud_prefix", None) is not None


def _require_extra() -> None:
    try:
        importlib.import_module("boto3")
        importlib.import_module("cloudpathlib")
    except ImportError as exc:
        raise ImportError(
            f"S3 destinations need the optional extra {EXTRA}: pip install '{EXTRA}'"
        ) from exc


def s3_path(value: object) -> S3Path:
    """The destination as a cloudpathlib ``S3Path`` (a string gets a client of its own)."""
    _require_extra()
    from cloudpathlib import CloudPath, S3Client, S3Path

    if isinstance(value, str):
        # A new client reads the AWS environment now (AWS_ENDPOINT_URL, AWS_PROFILE, keys...);
        # cloudpathlib's process-wide default client would keep the first environment it saw.
        path = S3Client().CloudPath("s3://" + value[5:])
        assert isinstance(path, S3Path)
    elif isinstance(value, S3Path):
        path = value
    elif isinstance(value, CloudPath):
        raise InvalidInputError(
            f"cannot download to {value}: only s3:// cloud destinations are supported"
        )
    else:
        raise InvalidInputError(f"cannot download to {value!r}: not an S3 path")
    if not _BUCKET.match(path.bucket):
        raise InvalidInputError(
            f"cannot download to {path}: {path.bucket!r} is not a valid S3 bucket name"
        )
    return path


def _boto3_client(path: S3Path) -> Any:
    # The boto3 client of the path's cloudpathlib S3Client: its session, credentials, endpoint
    # and config are the caller's (or, for an s3:// string, the AWS environment's).
    client: Any = path.client
    return client.client


def _botocore_errors() -> tuple[type[Exception], ...]:
    exceptions = importlib.import_module("botocore.exceptions")
    return exceptions.ClientError, exceptions.BotoCoreError


def _s3_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if isinstance(status, int):
        return status
    code = str(response.get("Error", {}).get("Code", ""))
    return int(code) if code.isdigit() else None


def _s3_text(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        text = ": ".join(str(v) for k in ("Code", "Message") if (v := error.get(k)))
        if text:
            return redact(text)
    return redact(f"{type(exc).__name__}: {exc}")


def check_destination(path: S3Path, log: ClientLog) -> None:
    """Fail before anything is ordered or fetched when the bucket cannot be reached at all."""
    client = _boto3_client(path)
    botocore = importlib.import_module("botocore")
    unsigned = client.meta.config.signature_version is botocore.UNSIGNED
    session: Any = getattr(path.client, "sess", None)
    if not unsigned and session is not None and session.get_credentials() is None:
        raise InvalidInputError(
            f"cannot write to {path}: no AWS credentials for S3; set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or pass an S3Path whose cloudpathlib "
            "S3Client has them"
        )
    client_error, botocore_error = _botocore_errors()
    try:
        client.head_bucket(Bucket=path.bucket)
    except client_error as exc:
        if _s3_status(exc) == 404:
            raise InvalidInputError(
                f"cannot write to {path}: S3 bucket {path.bucket!r} does not exist"
            ) from None
        # 403 and the like: a role may put objects without being allowed to look at the bucket.
        log.debug("HEAD bucket %s: %s (going on)", path.bucket, _s3_text(exc))
    except botocore_error as exc:
        raise ConnectError(
            f"cannot reach S3 for {path}: {_s3_text(exc)}", "S3_UNREACHABLE"
        ) from None


def s3_join(directory: S3Path, name: str) -> S3Path:
    """``directory / name`` in S3, with the file-name rules of local folders (``safe_join``)."""
    child = directory / check_filename(name, directory)
    if len(child.key.encode()) > MAX_KEY_BYTES:
        raise InvalidInputError(f"{child} is longer than S3's {MAX_KEY_BYTES}-byte key limit")
    return child


def names_folder(path: S3Path) -> bool:
    """Whether an S3 ``local_path`` is a folder: the bucket, a trailing ``/``, or a used prefix."""
    if not path.key or path.key.endswith("/"):
        return True
    try:
        answer = _boto3_client(path).list_objects_v2(
            Bucket=path.bucket, Prefix=path.key + "/", MaxKeys=1
        )
    except _botocore_errors():
        return False  # not allowed to list: take the name as written, an object key
    return bool(answer.get("KeyCount"))


# How each kind of destination joins a name under a folder (read by ``_Root.join``).
_JOIN: dict[type[DownloadJob | S3Job], Callable[[Any, str], Any]] = {
    DownloadJob: safe_join,
    S3Job: s3_join,
}
