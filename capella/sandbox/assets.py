"""Downloadable assets of the sandbox catalog: names, sizes and deterministic content.

Nothing large is stored: binary assets (rasters, previews, masks) are generated on the fly from
one 1 MiB pseudo-random block per (STAC id, asset key), rotated by a per-chunk offset, so that
serving any byte range costs one memcpy per MiB. Small assets (extended metadata JSON, PNG
thumbnails, licences, analytic GeoJSON) are real encoded documents built from the item.

The data raster and the preview of GEO and GEC products are real GeoTIFFs (see ``geotiff.py``):
256x256 uint16 and 128x128 uint8, one band, georeferenced to the item's bbox in EPSG:4326,
pixels deterministic from the STAC id, so rasterio or QGIS can open them. Their size stays the
configured one (``raster_size``, ``raster_size // 8`` for previews) whenever that is larger than
the GeoTIFF, which it is by default: the GeoTIFF comes first and the rest of the file is the
usual noise, bytes no IFD points to (TIFF readers ignore them), so benchmarks still get files of
any size. When the configured size is smaller, the file is exactly the GeoTIFF.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from typing import Any, Final

from capella.sandbox.asset_documents import (
    CLASS_TABLES,
    LRU,
    asset_bytes,
    memo_key,
    parse_dt,
    rng_for,
    small_bytes,
    small_size,
)
from capella.sandbox.asset_specs import (
    BINARY_KINDS,
    CHUNK_SIZE,
    GEOTIFF_PRODUCTS,
    MAGIC,
    AssetFile,
    AssetSpec,
    asset_specs,
    item_assets,
    item_spec,
    spec_filename,
)
from capella.sandbox.geotiff import geotiff_size, write_geotiff

__all__ = [
    "CHUNK_SIZE",
    "AssetFile",
    "asset_by_filename",
    "asset_bytes",
    "asset_files",
    "asset_size",
    "content_sha256",
    "item_assets",
    "read_range",
]

# ---------------------------------------------------------------------------------------------
# large, binary content

_GOLDEN: Final = 0x9E3779B97F4A7C15  # odd multiplier: consecutive chunks get unrelated offsets


def _binary_size(kind: str, raster_size: int) -> int:
    """Return the size of a binary asset given the configured raster size."""
    if kind == "preview":
        return max(raster_size // 8, 1)
    if kind == "landmask":
        return max(raster_size // 4, 1)
    return raster_size


@functools.lru_cache(maxsize=8)
def _doubled_block(stac_id: str, key: str, fmt: str) -> tuple[bytes, int]:
    """Return (block + block, salt): the 1 MiB block of (id, key), twice, for cheap rotations.

    Pure memoisation (a few MiB), so it is safe to keep module-wide: a rotation of the block is
    then a single slice of the doubled copy.
    """
    seed = hashlib.sha256(f"{stac_id}/{key}".encode()).digest()
    magic = MAGIC[fmt]
    block = magic + hashlib.shake_256(seed).digest(CHUNK_SIZE - len(magic))
    return block + block, int.from_bytes(seed[:8], "big")


def _binary_chunks(stac_id: str, key: str, fmt: str, start: int, end: int) -> Iterator[bytes]:
    """Yield bytes [start, end) of a binary asset, one piece per overlapping 1 MiB chunk."""
    doubled, salt = _doubled_block(stac_id, key, fmt)
    first, last = start // CHUNK_SIZE, (end - 1) // CHUNK_SIZE
    for index in range(first, last + 1):
        base = index * CHUNK_SIZE
        # Chunk 0 is the block itself, so the format magic sits at offset 0 of the file.
        offset = 0 if index == 0 else (index * _GOLDEN + salt) % CHUNK_SIZE
        lo = max(start, base) - base
        hi = min(end, base + CHUNK_SIZE) - base
        yield doubled[offset + lo : offset + hi]


# ---------------------------------------------------------------------------------------------
# real GeoTIFFs (GEO / GEC data rasters and previews)

# (width, height, bits per pixel) of each GeoTIFF asset kind
_GEOTIFF_SHAPES: Final = {"raster": (256, 256, 16), "preview": (128, 128, 8)}
_TIFF_CACHE = LRU[bytes](32)  # ~130 KiB each; a download reads one file in several ranges


def _geotiff_shape(item: dict[str, Any], spec: AssetSpec) -> tuple[int, int, int] | None:
    """(width, height, bits) when this asset of ``item`` is a real GeoTIFF, else None."""
    if item["properties"]["sar:product_type"] not in GEOTIFF_PRODUCTS:
        return None
    return _GEOTIFF_SHAPES.get(spec.kind)


def _geotiff_pixels(stac_id: str, key: str, width: int, height: int, bits: int) -> bytes:
    """Row-major pixels: speckle over a coarse terrain map, like the thumbnail's."""
    rng = rng_for(stac_id, f"{key}/geotiff")
    tile = 32
    cols = width // tile
    classes = [[rng.choice((0, 1, 1, 2, 3)) for _ in range(cols)] for _ in range(height // tile)]
    noise = hashlib.shake_256(f"{stac_id}/{key}/geotiff".encode()).digest(2 * width * height)
    bright = bytearray()
    for y in range(height):
        base = y * width
        for tx, cls in enumerate(classes[y // tile]):
            bright += noise[base + tx * tile : base + (tx + 1) * tile].translate(CLASS_TABLES[cls])
    if bits == 8:
        return bytes(bright)
    # uint16 little-endian: the terrain brightness is the high byte, fine speckle the low byte.
    pixels = bytearray(2 * width * height)
    pixels[0::2] = noise[width * height :]
    pixels[1::2] = bright
    return bytes(pixels)


def _geotiff_bounds(item: dict[str, Any]) -> tuple[float, float, float, float]:
    """The item's bbox as (west, south, east, north), east past 180 across the antimeridian."""
    west, south, east, north = (float(v) for v in item["bbox"][:4])
    if west > east:
        east += 360.0
    return west, south, east, north


def _geotiff_bytes(item: dict[str, Any], spec: AssetSpec, shape: tuple[int, int, int]) -> bytes:
    """The GeoTIFF of an asset, memoised."""

    def make() -> bytes:
        width, height, bits = shape
        pixels = _geotiff_pixels(item["id"], spec.key, width, height, bits)
        bounds = _geotiff_bounds(item)
        return write_geotiff(width, height, bits, bounds, pixels, description=item["id"])

    return _TIFF_CACHE.get_or_make(memo_key(item, spec), make)


def _binary_asset_size(item: dict[str, Any], spec: AssetSpec, raster_size: int) -> int:
    """The size of a binary asset: the configured size, at least the GeoTIFF's when it is one."""
    size = _binary_size(spec.kind, raster_size)
    shape = _geotiff_shape(item, spec)
    if shape is None:
        return size
    return max(size, geotiff_size(*shape, description=item["id"]))


def _geotiff_chunks(
    item: dict[str, Any], spec: AssetSpec, shape: tuple[int, int, int], start: int, end: int
) -> Iterator[bytes]:
    """Yield bytes [start, end) of a GeoTIFF asset: the GeoTIFF, then the noise padding."""
    tiff = _geotiff_bytes(item, spec, shape)
    for lo in range(start, min(end, len(tiff)), CHUNK_SIZE):
        yield tiff[lo : min(lo + CHUNK_SIZE, end, len(tiff))]
    if end > len(tiff):
        yield from _binary_chunks(item["id"], spec.key, spec.fmt, max(start, len(tiff)), end)


def asset_files(item: dict[str, Any], raster_size: int) -> dict[str, AssetFile]:
    """Return every downloadable file of ``item``, keyed by asset key."""
    props = item["properties"]
    pols = props.get("sar:polarizations") or ["HH"]
    modified = parse_dt(props.get("created") or props["datetime"])
    collect_id = str(props.get("capella:collect_id", ""))
    out: dict[str, AssetFile] = {}
    for spec in asset_specs(props["sar:product_type"], pols[0]):
        if spec.kind in BINARY_KINDS:
            size = _binary_asset_size(item, spec, raster_size)
        else:
            size = small_size(item, spec)
        digest = hashlib.sha256(f"{item['id']}/{collect_id}/{spec.key}/{size}".encode())
        out[spec.key] = AssetFile(
            key=spec.key,
            filename=spec_filename(item["id"], spec),
            size=size,
            media_type=spec.media_type,
            etag=f'"{digest.hexdigest()[:32]}"',
            last_modified=modified,
        )
    return out


def asset_by_filename(item: dict[str, Any], filename: str, raster_size: int) -> AssetFile | None:
    """Return the asset of ``item`` stored under ``filename``, or None."""
    for asset in asset_files(item, raster_size).values():
        if asset.filename == filename:
            return asset
    return None


def asset_size(item: dict[str, Any], key: str, raster_size: int) -> int:
    """Return the size in bytes of one asset of ``item``."""
    spec = item_spec(item, key)
    if spec.kind in BINARY_KINDS:
        return _binary_asset_size(item, spec, raster_size)
    return small_size(item, spec)


def read_range(
    item: dict[str, Any], key: str, raster_size: int, start: int, end: int
) -> Iterator[bytes]:
    """Yield the bytes [start, end) of an asset in pieces of at most 1 MiB.

    ``end`` is clamped to the asset size; ValueError when ``start`` is negative or past
    ``end``. KeyError when the item has no asset ``key``.
    """
    spec = item_spec(item, key)
    size = asset_size(item, key, raster_size)
    end = min(end, size)
    if start < 0 or start > end:
        raise ValueError(f"bad byte range [{start}, {end}) for an asset of {size} bytes")
    if start == end:
        return iter(())
    if spec.kind in BINARY_KINDS:
        shape = _geotiff_shape(item, spec)
        if shape is not None:
            return _geotiff_chunks(item, spec, shape, start, end)
        return _binary_chunks(item["id"], key, spec.fmt, start, end)
    data = small_bytes(item, spec)
    return (data[i : min(i + CHUNK_SIZE, end)] for i in range(start, end, CHUNK_SIZE))


def content_sha256(item: dict[str, Any], key: str, raster_size: int) -> str:
    """Return the hex SHA-256 of the whole content of an asset."""
    digest = hashlib.sha256()
    for piece in read_range(item, key, raster_size, 0, asset_size(item, key, raster_size)):
        digest.update(piece)
    return digest.hexdigest()
