"""A minimal GeoTIFF writer: one band, uncompressed, one strip, georeferenced in EPSG:4326.

Written with ``struct`` so that the sandbox serves real, readable GeoTIFFs without numpy or
GDAL. The layout is cloud-optimised in the way that matters for a file this small: the header
and the only IFD come first, then the georeferencing values, then the pixels, so a reader gets
everything but the pixels from the first few hundred bytes.
"""

from __future__ import annotations

import struct
from typing import Final

# TIFF field types
_SHORT: Final = 3
_LONG: Final = 4
_ASCII: Final = 2
_DOUBLE: Final = 12
_TYPE_CODE: Final = {_ASCII: "s", _SHORT: "H", _LONG: "I", _DOUBLE: "d"}

# GeoKeyDirectory: version 1.1.0; model type geographic, raster pixel-is-area, EPSG:4326
# in degrees. GDAL, rasterio and QGIS read this as EPSG:4326.
_GEO_KEYS: Final = (
    (1024, 0, 1, 2),  # GTModelTypeGeoKey = ModelTypeGeographic
    (1025, 0, 1, 1),  # GTRasterTypeGeoKey = RasterPixelIsArea
    (2048, 0, 1, 4326),  # GeographicTypeGeoKey = WGS 84
    (2054, 0, 1, 9102),  # GeogAngularUnitsGeoKey = degree
)


def _entries(
    width: int, height: int, bits: int, bounds: tuple[float, float, float, float], text: bytes
) -> list[tuple[int, int, tuple[int, ...] | tuple[float, ...] | bytes]]:
    """The IFD's (tag, type, values) in tag order; the strip offset is patched in later."""
    west, south, east, north = bounds
    geokeys = (1, 1, 0, len(_GEO_KEYS), *(v for key in _GEO_KEYS for v in key))
    return [
        (256, _LONG, (width,)),  # ImageWidth
        (257, _LONG, (height,)),  # ImageLength
        (258, _SHORT, (bits,)),  # BitsPerSample
        (259, _SHORT, (1,)),  # Compression: none
        (262, _SHORT, (1,)),  # PhotometricInterpretation: BlackIsZero
        (270, _ASCII, text + b"\x00"),  # ImageDescription
        (273, _LONG, (0,)),  # StripOffsets (patched)
        (277, _SHORT, (1,)),  # SamplesPerPixel
        (278, _LONG, (height,)),  # RowsPerStrip: one strip
        (279, _LONG, (width * height * bits // 8,)),  # StripByteCounts
        (284, _SHORT, (1,)),  # PlanarConfiguration: chunky
        (339, _SHORT, (1,)),  # SampleFormat: unsigned integer
        (33550, _DOUBLE, ((east - west) / width, (north - south) / height, 0.0)),  # PixelScale
        (33922, _DOUBLE, (0.0, 0.0, 0.0, west, north, 0.0)),  # ModelTiepoint: (0, 0) -> NW
        (34735, _SHORT, geokeys),  # GeoKeyDirectory
    ]


def _pack(kind: int, values: tuple[int, ...] | tuple[float, ...] | bytes) -> tuple[int, bytes]:
    """(count, little-endian bytes) of one field's values."""
    if isinstance(values, bytes):
        return len(values), values
    return len(values), struct.pack(f"<{len(values)}{_TYPE_CODE[kind]}", *values)


def geotiff_header(
    width: int,
    height: int,
    bits: int,
    bounds: tuple[float, float, float, float],
    description: str = "",
) -> bytes:
    """Everything of the GeoTIFF before its pixels; the pixels start at ``len(result)``.

    ``bounds`` is (west, south, east, north) in degrees; ``bits`` is 8 or 16 (unsigned).
    """
    if bits not in (8, 16):
        raise ValueError(f"bits must be 8 or 16, got {bits}")
    entries = _entries(width, height, bits, bounds, description.encode("ascii", "replace"))
    ifd_size = 2 + 12 * len(entries) + 4
    extra_at = 8 + ifd_size
    ifd = bytearray(struct.pack("<H", len(entries)))
    extra = bytearray()
    strip_field = 0
    for tag, kind, values in entries:
        count, data = _pack(kind, values)
        if tag == 273:
            strip_field = 8 + len(ifd) + 8  # the value's file offset: header, entry, 8 bytes in
        if len(data) <= 4:
            ifd += struct.pack("<HHI", tag, kind, count) + data.ljust(4, b"\x00")
        else:
            ifd += struct.pack("<HHII", tag, kind, count, extra_at + len(extra))
            extra += data
            extra += b"\x00" * (len(extra) % 2)  # values start on a word boundary
    ifd += struct.pack("<I", 0)  # no next IFD
    header = bytearray(b"II*\x00" + struct.pack("<I", 8) + ifd + extra)
    header += b"\x00" * (-len(header) % 8)  # pixels start 8-byte aligned
    struct.pack_into("<I", header, strip_field, len(header))
    return bytes(header)


def geotiff_size(width: int, height: int, bits: int, description: str = "") -> int:
    """The size in bytes of the GeoTIFF :func:`write_geotiff` makes (bounds do not matter)."""
    return len(geotiff_header(width, height, bits, (0.0, 0.0, 1.0, 1.0), description)) + (
        width * height * bits // 8
    )


def write_geotiff(
    width: int,
    height: int,
    bits: int,
    bounds: tuple[float, float, float, float],
    pixels: bytes,
    description: str = "",
) -> bytes:
    """A whole GeoTIFF of row-major ``pixels`` (little-endian for 16 bits)."""
    if len(pixels) != width * height * bits // 8:
        need = width * height * bits // 8
        raise ValueError(f"{width}x{height} pixels of {bits} bits take {need} bytes")
    return geotiff_header(width, height, bits, bounds, description) + pixels
