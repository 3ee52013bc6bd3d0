"""Where downloads go: safe file names inside a target folder, and the work files beside them."""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from pathlib import Path, PurePosixPath, PureWindowsPath

from capella.errors import AssetDownloadError, InvalidInputError

# Work files (part, resume record, lock) are named ``.capella~<hash of the name><suffix>``: asset
# names with this prefix are refused, so no asset collides with another's work file, and the
# name is 50 characters whatever the asset's length, so it never pushes a long name over the
# file system's limit.
WORK_PREFIX = ".capella~"
PART_SUFFIX = ".part"
META_SUFFIX = ".meta"
NAME_MAX = 255  # bytes of one file name on the common file systems (ext4, XFS, APFS, NTFS)


def filename_from_url(url: str) -> str:
    """The last segment of the URL's path (percent-decoded), without the query string."""
    path = urllib.parse.urlsplit(url).path
    return urllib.parse.unquote(path.rsplit("/", 1)[-1])


def safe_join(directory: str | Path, filename: str) -> Path:
    """``directory / filename``, refusing names that are empty, absolute or could leave it."""
    return Path(directory) / check_filename(filename, directory)


def check_filename(filename: str, directory: object) -> str:
    """``filename`` if it is a plain name that stays inside ``directory`` (local or S3)."""
    if (
        not filename
        or filename in (".", "..")
        or "/" in filename
        or "\\" in filename
        or "\x00" in filename
        or PurePosixPath(filename).is_absolute()
        or PureWindowsPath(filename).drive
        or PureWindowsPath(filename).anchor
        or filename.startswith(WORK_PREFIX)
    ):
        raise InvalidInputError(
            f"refusing unsafe file name {filename!r}: it must be a plain name inside {directory}"
            f" that does not start with {WORK_PREFIX!r} (reserved for work files)"
        )
    return filename


def work_name(name: str, suffix: str) -> str:
    """The hidden name of a work file of the asset ``name`` (no asset may be named so)."""
    return WORK_PREFIX + hashlib.sha256(name.encode()).hexdigest()[:32] + suffix


def part_path(path: Path) -> Path:
    """The work file an asset is written to until it is complete, beside the final path."""
    return path.with_name(work_name(path.name, PART_SUFFIX))


def meta_path(path: Path) -> Path:
    """The resume record beside the work file (size, validator, ranges)."""
    return path.with_name(work_name(path.name, META_SUFFIX))


def check_name_length(path: Path) -> None:
    """AssetDownloadError (for this asset alone) when the file system cannot hold its name."""
    try:
        limit = os.pathconf(path.parent, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        limit = NAME_MAX
    size = len(os.fsencode(path.name))
    if size > limit:
        raise AssetDownloadError(
            f"cannot write {path.name[:40]}...: its name is {size} bytes long and the file "
            f"system of {path.parent} allows {limit}; save it under a shorter name",
            "NAME_TOO_LONG",
        )
