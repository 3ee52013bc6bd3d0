"""The small assets of a sandbox item, as real documents: extended metadata JSON, PNG
thumbnail, licence and analytic GeoJSON, built from the item and memoised."""

from __future__ import annotations

import hashlib
import json
import math
import random
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Generic, TypeVar

from capella.sandbox.asset_specs import (
    BINARY_KINDS,
    COMPLEX_PRODUCTS,
    AssetSpec,
    item_spec,
)

__all__ = [
    "CLASS_TABLES",
    "LRU",
    "asset_bytes",
    "memo_key",
    "parse_dt",
    "rng_for",
    "small_bytes",
    "small_size",
]


_V = TypeVar("_V")


class LRU(Generic[_V]):
    """A tiny thread-safe LRU memo (documents and their sizes are pure functions of the item)."""

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[tuple[str, ...], _V] = OrderedDict()
        self._max = maxsize
        self._lock = threading.Lock()

    def get_or_make(self, key: tuple[str, ...], make: Callable[[], _V]) -> _V:
        """Return the cached value of ``key``, making and caching it when absent."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._max:
                self._data.popitem(last=False)
        return value


# Pure memoisation of deterministic documents, bounded; safe to share across threads and apps.
# Sizes are kept far longer than contents: listing an order asks for every size, often twice.
_SMALL_CACHE = LRU[bytes](256)
_SIZE_CACHE = LRU[int](65_536)


def rng_for(stac_id: str, key: str) -> random.Random:
    """Return a Random seeded by (id, key), independent of any global state."""
    return random.Random(hashlib.sha256(f"{stac_id}/{key}".encode()).digest())


def parse_dt(value: str) -> datetime:
    """Parse an ISO 8601 timestamp to an aware UTC datetime (naive means UTC)."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _iso(value: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_A_WGS84: Final = 6_378_137.0
_E2_WGS84: Final = 6.69437999014e-3
_EARTH_RADIUS_M: Final = 6_371_008.8
_ALTITUDE_M: Final = 525_000.0


def _ecef(lat: float, lon: float, alt: float) -> tuple[float, float, float]:
    """Convert geodetic WGS84 coordinates (degrees, metres) to ECEF metres."""
    phi, lam = math.radians(lat), math.radians(lon)
    n = _A_WGS84 / math.sqrt(1 - _E2_WGS84 * math.sin(phi) ** 2)
    return (
        (n + alt) * math.cos(phi) * math.cos(lam),
        (n + alt) * math.cos(phi) * math.sin(lam),
        (n * (1 - _E2_WGS84) + alt) * math.sin(phi),
    )


def _destination(lat: float, lon: float, bearing: float, dist_m: float) -> tuple[float, float]:
    """Return the point ``dist_m`` from (lat, lon) along ``bearing`` on a spherical Earth."""
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    delta = dist_m / _EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    lon2 = (math.degrees(lam2) + 540.0) % 360.0 - 180.0
    return math.degrees(phi2), lon2


def _center(item: dict[str, Any]) -> tuple[float, float]:
    """Return the (lat, lon) centre of the item's bbox, antimeridian-aware."""
    west, south, east, north = item["bbox"][:4]
    if west > east:
        east += 360.0
    lon = (west + east) / 2
    return (south + north) / 2, (lon + 540.0) % 360.0 - 180.0


def _state_vectors(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Return plausible ECEF state vectors (1 s apart) of a satellite imaging the item."""
    props = item["properties"]
    lat, lon = _center(item)
    start = parse_dt(props["start_datetime"])
    end = parse_dt(props["end_datetime"])
    mid = parse_dt(props["datetime"])
    look_az = float(props["view:azimuth"])
    right = props["sar:observation_direction"] == "right"
    heading = (look_az - 90.0) if right else (look_az + 90.0)
    # Earth central angle between target and nadir: incidence minus look angle.
    central = math.radians(float(props["view:incidence_angle"]) - float(props["view:look_angle"]))
    nadir_lat, nadir_lon = _destination(lat, lon, look_az + 180.0, central * _EARTH_RADIUS_M)
    ground_speed = 7_060.0  # m/s of the nadir point for a 525 km orbit

    def position(offset_s: float) -> tuple[float, float, float]:
        plat, plon = _destination(nadir_lat, nadir_lon, heading, offset_s * ground_speed)
        return _ecef(plat, plon, _ALTITUDE_M)

    # Vectors every second from 5 s before the collect to 5 s after it; velocities are central
    # differences over one second, so positions are computed once on a half-second grid.
    first = start.replace(microsecond=0) - timedelta(seconds=5)
    count = int((end - first).total_seconds()) + 6
    base = (first - mid).total_seconds()
    grid = [position(base + k / 2) for k in range(-1, 2 * count)]
    vectors: list[dict[str, Any]] = []
    for n in range(count):
        before, here, after = grid[2 * n], grid[2 * n + 1], grid[2 * n + 2]
        vectors.append(
            {
                "time": _iso(first + timedelta(seconds=n)),
                "position": [round(c, 3) for c in here],
                "velocity": [round(b - a, 4) for a, b in zip(before, after, strict=True)],
            }
        )
    return vectors


def _metadata_doc(item: dict[str, Any]) -> dict[str, Any]:
    """Return the extended metadata of an item (a realistic subset of Capella's schema)."""
    props = item["properties"]
    rng = rng_for(item["id"], "metadata")
    product = props["sar:product_type"]
    complex_ = product in COMPLEX_PRODUCTS
    pol = (props.get("sar:polarizations") or ["HH"])[0]
    lat, lon = _center(item)
    center_time = parse_dt(props["datetime"])
    bandwidth = 299_792_458.0 * 0.886 / (2 * float(props["capella:resolution_ground_range"]))
    spacing_rg = float(props["sar:pixel_spacing_range"])
    spacing_az = float(props["sar:pixel_spacing_azimuth"])
    width_km = max(float(props["capella:billable_area"]) / 1e6, 1.0) ** 0.5
    n_prf = rng.randint(1, 4)
    prf_epochs = [
        parse_dt(props["start_datetime"]) + timedelta(seconds=i * 2.0) for i in range(n_prf)
    ]
    created = props.get("created", props["datetime"])
    return {
        "software_version": f"2.{rng.randint(30, 60)}.{rng.randint(0, 9)}",
        "software_revision": hashlib.sha1(item["id"].encode(), usedforsecurity=False).hexdigest(),
        "processing_time": created,
        "processing_deployment": "sandbox",
        "copyright": f"Copyright {center_time.year} Capella Space. All Rights Reserved.",
        "license": "https://www.capellaspace.com/data-licensing/",
        "product_version": "1.10",
        "product_type": product,
        "collect": {
            "start_timestamp": props["start_datetime"],
            "stop_timestamp": props["end_datetime"],
            "local_datetime": props["locale:datetime"],
            "local_timezone": props["locale:timezone"],
            "platform": props["platform"],
            "mode": props["sar:instrument_mode"],
            "collection_type": props["capella:collection_type"],
            "collect_id": props["capella:collect_id"],
            "image": {
                "data_type": "CInt16" if complex_ else "uint16",
                "length": round(width_km * 1000 / spacing_az),
                "width": round(width_km * 1000 / spacing_rg),
                "pixel_spacing_row": spacing_az,
                "pixel_spacing_column": spacing_rg,
                "algorithm": props["capella:image_formation_algorithm"],
                "scale_factor": round(rng.uniform(0.5, 2.0), 6),
                "range_resolution": props["sar:resolution_range"],
                "ground_range_resolution": props["capella:resolution_ground_range"],
                "azimuth_resolution": props["sar:resolution_azimuth"],
                "enl": props["sar:looks_equivalent_number"],
                "range_looks": props["sar:looks_range"],
                "azimuth_looks": props["sar:looks_azimuth"],
                "image_geometry": (
                    {"type": "slant_plane", "delta_range_sample": spacing_rg}
                    if complex_
                    else {
                        "type": "geographic" if product == "GEC" else "pe",
                        "coordinate_system": {"type": "utm", "epsg": props["proj:epsg"]},
                    }
                ),
                "center_pixel": {
                    "incidence_angle": props["view:incidence_angle"],
                    "look_angle": props["view:look_angle"],
                    "squint_angle": props["capella:squint_angle"],
                    "layover_angle": props["capella:layover_angle"],
                    "target_position": [round(c, 3) for c in _ecef(lat, lon, 0.0)],
                    "center_time": _iso(center_time),
                },
                "nesz_peak": round(rng.uniform(-22.0, -14.0), 3),
            },
            "radar": {
                "rank": rng.randint(5, 12),
                "center_frequency": float(props["sar:center_frequency"]) * 1e9,
                "pointing": props["sar:observation_direction"],
                "sampling_frequency": round(bandwidth * 1.2, 1),
                "transmit_polarization": pol[0],
                "receive_polarization": pol[1],
                "time_varying_parameters": [
                    {
                        "start_timestamps": [_iso(epoch)],
                        "prf": round(rng.uniform(7000.0, 11000.0), 3),
                        "pulse_bandwidth": round(bandwidth, 1),
                        "pulse_duration": round(rng.uniform(20e-6, 50e-6), 9),
                    }
                    for epoch in prf_epochs
                ],
            },
            "state": {
                "source": "precise_determination",
                "direction": props["sat:orbit_state"],
                "orbital_plane": props["capella:orbital_plane"],
                "absolute_orbit": props["sat:absolute_orbit"],
                "coordinate_system": {"type": "ecef", "wkt": "EPSG:4978"},
                "state_vectors": _state_vectors(item),
            },
        },
    }


_STORED_BLOCK: Final = 65_535  # the largest stored (uncompressed) deflate block


def _zlib_stored(data: bytes) -> bytes:
    """Return ``data`` as a zlib stream of stored deflate blocks.

    Speckle noise does not compress anyway, and stored blocks make the encoded size a formula
    of the image size (`_thumbnail_size`), so listing a thumbnail never has to encode it.
    """
    out = bytearray(b"\x78\x01")
    for pos in range(0, max(len(data), 1), _STORED_BLOCK):
        block = data[pos : pos + _STORED_BLOCK]
        final = 1 if pos + _STORED_BLOCK >= len(data) else 0
        out += struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF) + block
    out += struct.pack(">I", zlib.adler32(data))
    return bytes(out)


def _png(width: int, height: int, rows: bytes) -> bytes:
    """Encode 8-bit grayscale pixel rows as a PNG (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + rows[y * width : (y + 1) * width] for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", _zlib_stored(raw))
        + chunk(b"IEND", b"")
    )


def _thumbnail_dims(item: dict[str, Any]) -> tuple[int, int]:
    """Return (width, height) of an item's thumbnail: stripmaps are long and narrow."""
    stripmap = item["properties"]["sar:instrument_mode"] == "stripmap"
    return (128, 512) if stripmap else (256, 256)


def _thumbnail_size(item: dict[str, Any]) -> int:
    """Return the encoded size of an item's thumbnail without encoding it."""
    width, height = _thumbnail_dims(item)
    raw = height * (width + 1)
    idat = 2 + raw + 5 * math.ceil(raw / _STORED_BLOCK) + 4
    return 8 + (12 + 13) + (12 + idat) + 12


# byte -> byte tables mapping uniform noise into the brightness range of a terrain class
# (water is dark, fields mid-grey, urban bright): speckle over blocks, like a SAR quicklook.
_CLASS_RANGES: Final = ((0, 40), (30, 110), (60, 150), (90, 255))
CLASS_TABLES: Final = tuple(
    bytes(lo + (v * (hi - lo)) // 255 for v in range(256)) for lo, hi in _CLASS_RANGES
)


def _thumbnail_doc(item: dict[str, Any]) -> bytes:
    """Return a grayscale PNG quicklook of the item (speckle over a coarse terrain map)."""
    rng = rng_for(item["id"], "thumbnail")
    width, height = _thumbnail_dims(item)
    tile = 32
    cols, tiles_y = width // tile, height // tile
    classes = [[rng.choice((0, 1, 1, 2, 3)) for _ in range(cols)] for _ in range(tiles_y)]
    noise = hashlib.shake_256(f"{item['id']}/thumbnail".encode()).digest(width * height)
    rows = bytearray()
    for y in range(height):
        cls_row = classes[y // tile]
        base = y * width
        for tx in range(cols):
            seg = noise[base + tx * tile : base + (tx + 1) * tile]
            rows += seg.translate(CLASS_TABLES[cls_row[tx]])
    return _png(width, height, bytes(rows))


def _license_doc(item: dict[str, Any]) -> bytes:
    """Return the licence text of an item (CC BY 4.0 for open data, the EULA otherwise)."""
    if item.get("collection") == "capella-open-data":
        body = (
            "This data is licensed under the Creative Commons Attribution 4.0 International\n"
            "License (CC BY 4.0): https://creativecommons.org/licenses/by/4.0/\n\n"
            "You are free to share and adapt the material for any purpose, provided that you\n"
            'give appropriate credit: "Capella Space Open Data".\n'
        )
    else:
        body = (
            "Capella Space End User License Agreement\n\n"
            "This product is licensed, not sold, to the ordering organization under the terms\n"
            "of its contract with Capella Space. Redistribution outside the licensed\n"
            "organization requires written permission from Capella Space.\n"
            "Full terms: https://www.capellaspace.com/data-licensing/\n"
        )
    return f"{item['id']}\n\n{body}".encode()


def _analytic_doc(item: dict[str, Any]) -> bytes:
    """Return the GeoJSON of an analytics product (vessel detections, with classes for VC)."""
    rng = rng_for(item["id"], "analytic_product")
    west, south, east, north = item["bbox"][:4]
    if west > east:
        east += 360.0
    classify = item["properties"]["sar:product_type"] == "VC"
    features = []
    for n in range(rng.randint(3, 40)):
        lon = (rng.uniform(west, east) + 540.0) % 360.0 - 180.0
        props: dict[str, Any] = {
            "detection_id": n + 1,
            "confidence": round(rng.uniform(0.5, 1.0), 3),
            "length_m": round(rng.uniform(8.0, 350.0), 1),
            "width_m": round(rng.uniform(3.0, 50.0), 1),
            "heading_deg": round(rng.uniform(0.0, 360.0), 1),
        }
        if classify:
            props["vessel_class"] = rng.choice(
                ("cargo", "tanker", "fishing", "passenger", "tug", "other")
            )
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(lon, 6), round(rng.uniform(south, north), 6)],
                },
                "properties": props,
            }
        )
    doc = {"type": "FeatureCollection", "stac_id": item["id"], "features": features}
    return json.dumps(doc, separators=(",", ":")).encode()


def small_bytes(item: dict[str, Any], spec: AssetSpec) -> bytes:
    """Return the encoded content of a small (document) asset, memoised."""

    def make() -> bytes:
        if spec.kind == "metadata":
            # Default separators, no indent: the C encoder, 3x faster than indented output.
            return json.dumps(_metadata_doc(item)).encode()
        if spec.kind == "thumbnail":
            return _thumbnail_doc(item)
        if spec.kind == "license":
            return _license_doc(item)
        return _analytic_doc(item)

    return _SMALL_CACHE.get_or_make(memo_key(item, spec), make)


def memo_key(item: dict[str, Any], spec: AssetSpec) -> tuple[str, str, str]:
    """Return the memo key of a document: the collect id tells apart equal ids of two seeds."""
    return item["id"], str(item["properties"].get("capella:collect_id", "")), spec.key


def small_size(item: dict[str, Any], spec: AssetSpec) -> int:
    """Return the size of a small (document) asset, encoding it only when unavoidable."""
    if spec.kind == "thumbnail":
        return _thumbnail_size(item)
    return _SIZE_CACHE.get_or_make(memo_key(item, spec), lambda: len(small_bytes(item, spec)))


def asset_bytes(item: dict[str, Any], key: str) -> bytes:
    """Return the whole content of a small asset (metadata, thumbnail, license, analytic)."""
    spec = item_spec(item, key)
    if spec.kind in BINARY_KINDS:
        raise ValueError(f"{key} is a binary asset: use read_range")
    return small_bytes(item, spec)
