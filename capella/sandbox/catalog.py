"""The sandbox's synthetic STAC catalog (deterministic from a seed) and its item search.

Items are built as collects: one collect (a ``capella:collect_id``) yields several products that
share its footprint, time, platform, mode, polarization, orbit and angles. A few hand-made
collects (`HANDMADE`) guarantee that every example of the reference SDK's documentation finds
data; the rest are drawn from ``random.Random(seed)``.

`Catalog.search` implements ``POST /catalog/search`` (STAC item search with the query and sort
extensions, as Capella serves it). Everything that can be is precomputed at construction: one
column of normalised values per property, the default order, and an STRtree of footprints.
`Catalog.search_body` answers with bytes joined from each item's JSON, encoded once on first use.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import operator
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs
import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, MultiPolygon, Polygon, box, shape
from shapely.strtree import STRtree

from capella.sandbox.assets import item_assets

DEFAULT_LIMIT: Final = 10
MAX_LIMIT: Final = 1000
MAX_RESULTS: Final = 10_000
OPERATORS: Final = ("eq", "in", "gt", "gte", "lt", "lte")
OWNERSHIP_OPTIONS: Final = (
    "ownedByOrganization",
    "sharedWithOrganization",
    "publiclyAvailable",
    "availableForPurchase",
)

# The reference SDK's short field names (it sorts on ``properties.<short name>``).
SHORT_NAMES: Final = {
    "collect_id": "capella:collect_id",
    "resolution_ground_range": "capella:resolution_ground_range",
    "squint_angle": "capella:squint_angle",
    "layover_angle": "capella:layover_angle",
    "center_frequency": "sar:center_frequency",
    "frequency_band": "sar:frequency_band",
    "instrument_mode": "sar:instrument_mode",
    "looks_azimuth": "sar:looks_azimuth",
    "looks_equivalent_number": "sar:looks_equivalent_number",
    "looks_range": "sar:looks_range",
    "observation_direction": "sar:observation_direction",
    "pixel_spacing_azimuth": "sar:pixel_spacing_azimuth",
    "pixel_spacing_range": "sar:pixel_spacing_range",
    "polarizations": "sar:polarizations",
    "product_type": "sar:product_type",
    "resolution_azimuth": "sar:resolution_azimuth",
    "resolution_range": "sar:resolution_range",
    "orbit_state": "sat:orbit_state",
    "relative_orbit": "sat:relative_orbit",
    "absolute_orbit": "sat:absolute_orbit",
    "incidence_angle": "view:incidence_angle",
    "look_angle": "view:look_angle",
    "azimuth_angle": "view:azimuth",
    "orbital_plane": "capella:orbital_plane",
    "billable_area": "capella:billable_area",
    "hash": "capella:hash",
    "local_timezone": "locale:timezone",
    "local_datetime": "locale:datetime",
    "local_time": "locale:time",
    "epsg": "proj:epsg",
    "image_formation_algorithm": "capella:image_formation_algorithm",
    "collection_type": "capella:collection_type",
    "rgt_id": "capella:rgt_id",
    "archive_holdback_date": "capella:archive_holdback_date",
    "use_case": "capella:use_case",
}

# Compared as instants (``Z`` or any offset), not as strings.
DATETIME_FIELDS: Final = frozenset(
    {
        "datetime",
        "start_datetime",
        "end_datetime",
        "created",
        "updated",
        "capella:archive_holdback_date",
        "locale:datetime",
    }
)

PLATFORM_PLANES: Final = {
    2: 97, 3: 45, 4: 45, 5: 97, 6: 53, 7: 97, 8: 97, 9: 53,
    10: 45, 11: 53, 12: 45, 13: 97, 14: 45, 15: 53, 16: 97, 17: 45,
}  # fmt: skip
_INCLINATIONS: Final = {45: 45.0, 53: 53.0, 97: 97.6}

PRODUCT_COLLECTIONS: Final = {
    "SLC": "capella-slc",
    "GEO": "capella-geo",
    "GEC": "capella-gec",
    "SICD": "capella-sicd",
    "SIDD": "capella-sidd",
    "CPHD": "capella-cphd",
    "CSI": "capella-csi",
    "CSIDD": "capella-csidd",
    "VS": "capella-vessel-detection",
    "VC": "capella-vessel-detection",
    "ACD": "capella-beta-analytics",
}
OPEN_DATA_COLLECTION: Final = "capella-open-data"
_COMPLEX: Final = frozenset({"SLC", "SICD", "CPHD"})
_MODE_CODES: Final = {"spotlight": "SP", "stripmap": "SM", "sliding_spotlight": "SS"}
# (across-track width, along-track length) in km of each collection type's footprint
_FOOTPRINT_KM: Final = {
    "spotlight": (5.0, 5.0),
    "spotlight_ultra": (5.0, 5.0),
    "spotlight_wide": (5.0, 10.0),
    "stripmap_20": (5.0, 20.0),
    "stripmap_50": (5.0, 50.0),
    "stripmap_100": (5.0, 100.0),
    "parallel_stripmap_20": (10.0, 20.0),
    "parallel_stripmap_50": (10.0, 50.0),
    "parallel_stripmap_100": (10.0, 100.0),
}
# stripmap_20 twice: the most common stripmap product
_STRIPMAP_TYPES: Final = (
    "stripmap_20",
    "stripmap_20",
    "stripmap_50",
    "stripmap_100",
    "parallel_stripmap_20",
    "parallel_stripmap_50",
    "parallel_stripmap_100",
)
_USE_CASES: Final = (
    "maritime",
    "urban",
    "agriculture",
    "defense",
    "disaster_response",
    "infrastructure",
    "energy",
    "environment",
)
_STAC_EXTENSIONS: Final = (
    "https://stac-extensions.github.io/sar/v1.0.0/schema.json",
    "https://stac-extensions.github.io/sat/v1.0.0/schema.json",
    "https://stac-extensions.github.io/view/v1.0.0/schema.json",
    "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
    "https://stac-extensions.github.io/timestamps/v1.1.0/schema.json",
)
_FIRST_INSTANT: Final = datetime(2020, 1, 1, tzinfo=UTC)
_LAST_INSTANT: Final = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
_ORBIT_EPOCH: Final = datetime(2019, 1, 1, tzinfo=UTC)
_ORBIT_PERIOD_S: Final = 95.2 * 60
_SLANT_FACTOR: Final = (6371.0 + 525.0) / 6371.0  # sin(incidence) / sin(look) at 525 km
_WORLD: Final = box(-180.0, -90.0, 180.0, 90.0)
# Stands for the server's base URL in an item's cached JSON: json.dumps writes the NUL character
# as this escape, which no synthetic value contains, so splitting on it finds only link hrefs.
_BASE_MARK: Final = "\x00"
_BASE_MARK_JSON: Final = b"\\u0000"
_PAGE_HEAD: Final = b'{"type":"FeatureCollection","features":['


class SearchError(Exception):
    """A catalog search the API refuses (bad input); the app renders it as an error body."""

    def __init__(
        self, status: int, code: str, message: str, detail: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail

    def to_body(self) -> dict[str, Any]:
        """Return the Capella error envelope ``{"error": {message, code, detail?}}``."""
        error: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.detail is not None:
            error["detail"] = self.detail
        return {"error": error}


def _invalid(message: str, path: str, code: str = "custom") -> SearchError:
    """Return a 400 VALIDATION_ERROR with one zod-like detail entry."""
    return SearchError(
        400, "VALIDATION_ERROR", message, [{"message": message, "code": code, "path": path}]
    )


@attrs.define
class _Collect:
    """The shared parameters of the products of one collect."""

    collect_id: str
    platform: int
    mode: str
    collection_type: str
    pol: str
    lon: float
    lat: float
    start: datetime
    duration: float
    orbit_state: str
    direction: str
    look: float
    squint: float
    layover: float
    tz_name: str
    tz_offset_min: int
    ownership: str
    products: tuple[str, ...]
    looks: int
    az_res: float
    slant_res: float
    algorithm: str
    holdback_days: int
    use_case: str
    processing_delay_s: float
    name: str = ""


@attrs.frozen
class _HandMade:
    """A collect placed by hand so that a documented search example finds data."""

    name: str
    guarantees: str
    platform: int
    mode: str
    collection_type: str
    pol: str
    lon: float
    lat: float
    start: str
    duration: float
    orbit_state: str
    direction: str
    look: float
    squint: float
    tz_name: str
    tz_offset_h: int
    ownership: str
    products: tuple[str, ...]
    looks: int
    az_res: float
    slant_res: float


_BASIC: Final = ("SLC", "GEO", "GEC", "SICD")

# Fields, in order: name, guarantees, platform, mode, collection type, polarization, lon, lat,
# start (UTC), duration s, orbit state, look direction, look angle, squint, time zone, UTC offset
# h, ownership, products, ENL, detected azimuth resolution m, slant range resolution m.
HANDMADE: Final = (
    # The Olympic National Park example sends bbox [-122.4, 46.9, -124.9, 48.5]: west > east, so
    # as STAC defines it the box covers lon >= -122.4 or lon <= -124.9 (lat 46.9..48.5). Two
    # footprints straddle -122.4 (Seattle, Tacoma) and one -124.9 (off the coast), so they match
    # both that reading and a naive min/max one; the park interior matches only the naive one.
    # Their ids are the ones the reference SDK's documentation prints for that search.
    _HandMade("olympic-seattle", "Olympic NP bbox: spotlight GEO HH, owned", 3, "spotlight",
              "spotlight", "HH", -122.40, 47.60, "2021-06-03T17:57:05.214000", 24.4,
              "descending", "right", 28.3, 0.08, "America/Los_Angeles", -7,
              "ownedByOrganization", _BASIC, 9, 0.5, 0.42),
    _HandMade("olympic-tacoma", "Olympic NP bbox: spotlight GEO HH, owned", 3, "spotlight",
              "spotlight", "HH", -122.40, 47.27, "2021-06-19T04:57:26.381000", 21.2,
              "ascending", "left", 33.1, -0.21, "America/Los_Angeles", -7,
              "ownedByOrganization", (*_BASIC, "SIDD"), 9, 0.5, 0.4),
    _HandMade("olympic-park", "Olympic NP (naive min/max reading only)", 3, "spotlight",
              "spotlight", "HH", -123.60, 47.80, "2021-06-19T18:01:17.602000", 23.1,
              "descending", "right", 24.7, 0.3, "America/Los_Angeles", -7,
              "ownedByOrganization", _BASIC, 9, 0.5, 0.45),
    _HandMade("olympic-coast", "Olympic NP bbox: spotlight GEO HH, owned", 3, "spotlight",
              "spotlight", "HH", -124.90, 47.95, "2021-06-27T18:02:59.117000", 22.5,
              "descending", "left", 31.9, -0.05, "America/Los_Angeles", -7,
              "ownedByOrganization", (*_BASIC, "VS"), 9, 0.5, 0.41),
    # SF bbox [-122.4, 37.8, -122.3, 37.7] has south > north; the search swaps them. This
    # collect meets every filter of the "hefty" example (local 11:32 PDT, look 30.2, ENL 9,
    # ground range resolution 0.70, descending, plane 45 via capella-3, right, squint 0.12).
    _HandMade("sf-downtown", "SF hefty query (all filters), owned GEO", 3, "spotlight",
              "spotlight", "HH", -122.39, 37.78, "2021-06-14T18:31:58.250000", 24.5,
              "descending", "right", 30.2, 0.12, "America/Los_Angeles", -7,
              "ownedByOrganization", (*_BASIC, "CPHD"), 9, 0.5, 0.38),
    _HandMade("chongqing-night", "GEO local_time 03:00-04:00 in EPSG:32648", 8, "spotlight",
              "spotlight", "HH", 106.55, 29.56, "2023-03-10T19:27:33.100000", 17.8,
              "ascending", "right", 22.4, 0.02, "Asia/Shanghai", 8,
              "availableForPurchase", _BASIC, 9, 0.5, 0.5),
    _HandMade("hanoi-night", "GEO local_time 03:00-04:00 in EPSG:32648 (VV)", 10,
              "sliding_spotlight", "spotlight_wide", "VV", 105.85, 21.03,
              "2024-09-21T20:41:05.500000", 26.0, "descending", "left", 27.5, 0.4,
              "Asia/Ho_Chi_Minh", 7, "sharedWithOrganization", _BASIC, 4, 1.0, 0.7),
    _HandMade("rotterdam-c5", "capella-5 HH (sortby -datetime); ACD", 5, "spotlight",
              "spotlight", "HH", 4.40, 51.90, "2022-08-05T10:14:52.000000", 16.5,
              "ascending", "right", 35.6, -0.1, "Europe/Amsterdam", 2,
              "availableForPurchase", (*_BASIC, "ACD", "CSI"), 9, 0.5, 0.48),
    _HandMade("santos-c2-vv", "capella-2 VV (sortby -datetime, +id); open data", 2, "stripmap",
              "stripmap_20", "VV", -46.30, -23.97, "2020-11-09T06:04:34.000000", 6.2,
              "descending", "right", 18.2, 0.0, "America/Sao_Paulo", -3,
              "publiclyAvailable", _BASIC, 1, 1.5, 1.2),
    _HandMade("denver-stripmap", "stripmap SLC in June 2021", 4, "stripmap", "stripmap_50",
              "HH", -105.12, 39.97, "2021-06-21T17:21:50.000000", 10.4, "ascending", "left",
              21.0, -0.02, "America/Denver", -6, "availableForPurchase", _BASIC, 2, 1.6, 1.1),
    _HandMade("tokyo-sliding", "sliding_spotlight GEO with look angle > 35", 7,
              "sliding_spotlight", "spotlight_wide", "HH", 139.77, 35.68,
              "2022-02-02T01:12:20.000000", 27.0, "descending", "right", 38.5, 0.3,
              "Asia/Tokyo", 9, "availableForPurchase", _BASIC, 4, 0.9, 0.6),
    _HandMade("taveuni-antimeridian", "footprint straddling the antimeridian", 9,
              "spotlight", "spotlight", "HH", 180.0, -16.85, "2023-07-14T22:05:30.000000",
              19.0, "ascending", "right", 26.0, 0.1, "Pacific/Fiji", 12,
              "publiclyAvailable", _BASIC, 9, 0.5, 0.44),
    _HandMade("rome-ultra", "resolution_azimuth <= 0.5 with resolution_range 0.3..0.5", 13,
              "spotlight", "spotlight_ultra", "HH", 12.49, 41.89,
              "2024-01-17T05:12:40.000000", 22.0, "descending", "right", 40.0, 0.05,
              "Europe/Rome", 1, "availableForPurchase", _BASIC, 12, 0.3, 0.33),
    _HandMade("singapore-vessels", "vessel detection/classification analytics", 6,
              "stripmap", "stripmap_20", "VV", 103.85, 1.20, "2022-11-03T14:20:10.000000",
              6.5, "ascending", "right", 29.0, 0.0, "Asia/Singapore", 8,
              "publiclyAvailable", (*_BASIC, "VS", "VC", "CSIDD"), 2, 1.4, 1.0),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# small helpers


def _iso_z(value: datetime) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (microseconds, as Capella's item datetimes)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _iso_ms(value: datetime) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (milliseconds, as API-generated timestamps)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _parse_instant(value: str) -> float:
    """Parse an RFC 3339 / ISO 8601 string to epoch seconds (naive means UTC)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _utm_epsg(lon: float, lat: float) -> int:
    """Return the EPSG code of the WGS84 UTM zone containing (lon, lat)."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def _etc_zone(lon: float) -> tuple[str, int]:
    """Return a nautical time zone (``Etc/GMT-5`` is UTC+5) and its offset in minutes."""
    hours = max(-12, min(12, round(lon / 15.0)))
    name = "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"
    return name, hours * 60


def _track_heading(plane: int, lat: float, ascending: bool) -> float:
    """Return the ground-track heading (degrees from north) of an orbit plane at a latitude."""
    ratio = math.cos(math.radians(_INCLINATIONS[plane])) / max(math.cos(math.radians(lat)), 1e-6)
    beta = math.degrees(math.asin(max(-1.0, min(1.0, ratio))))
    return beta % 360.0 if ascending else (180.0 - beta) % 360.0


def _footprint(
    lon: float, lat: float, width_km: float, length_km: float, heading: float
) -> list[tuple[float, float]]:
    """Return the closed counter-clockwise ring of a rectangle oriented along the track.

    Longitudes are not wrapped, so a footprint across the antimeridian stays continuous.
    """
    h = math.radians(heading)
    along = (math.sin(h), math.cos(h))
    across = (math.cos(h), -math.sin(h))
    km_per_deg_lat = 111.32
    km_per_deg_lon = 111.32 * max(math.cos(math.radians(lat)), 1e-3)
    ring = []
    for x, y in ((1, 1), (-1, 1), (-1, -1), (1, -1)):
        east = x * width_km / 2 * across[0] + y * length_km / 2 * along[0]
        north = x * width_km / 2 * across[1] + y * length_km / 2 * along[1]
        ring.append((lon + east / km_per_deg_lon, lat + north / km_per_deg_lat))
    area2 = sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)
    )
    if area2 < 0:
        ring.reverse()
    return [*ring, ring[0]]


def _wrap_lon(lon: float) -> float:
    """Wrap a longitude into [-180, 180)."""
    return (lon + 180.0) % 360.0 - 180.0


def _shapes(ring: list[tuple[float, float]]) -> Any:
    """Return the shapely footprint, split at the antimeridian into parts within [-180, 180]."""
    polygon = Polygon(ring)
    lons = [p[0] for p in ring]
    if max(lons) <= 180.0 and min(lons) >= -180.0:
        return polygon
    shift = -360.0 if max(lons) > 180.0 else 360.0
    parts = [
        polygon.intersection(_WORLD),
        affinity.translate(polygon, xoff=shift).intersection(_WORLD),
    ]
    return MultiPolygon([p for p in parts if not p.is_empty and p.geom_type == "Polygon"])


# ---------------------------------------------------------------------------------------------
# building collects and items


def _new_uuid(rng: random.Random) -> str:
    """Return a version-4 UUID string drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _draw_ownership(rng: random.Random) -> str:
    """Draw how the demo organisation relates to a collect."""
    r = rng.random()
    if r < 0.08:
        return "ownedByOrganization"
    if r < 0.13:
        return "sharedWithOrganization"
    if r < 0.23:
        return "publiclyAvailable"
    return "availableForPurchase"


def _draw_products(rng: random.Random) -> tuple[str, ...]:
    """Draw the product types processed from a collect (SLC, GEO, GEC, SICD always)."""
    products = list(_BASIC)
    for product, share in (("SIDD", 0.3), ("CPHD", 0.2), ("CSI", 0.15)):
        if rng.random() < share:
            products.append(product)
    if "CSI" in products and rng.random() < 0.5:
        products.append("CSIDD")
    if rng.random() < 0.08:
        products.append("VS")
        if rng.random() < 0.5:
            products.append("VC")
    if rng.random() < 0.05:
        products.append("ACD")
    return tuple(products)


def _random_collect(rng: random.Random, taken: set[tuple[int, int]]) -> _Collect:
    """Draw one collect anywhere on Earth between 2020-01-01 and 2026-10-31."""
    collect_id = _new_uuid(rng)
    platform = rng.randint(2, 17)
    r = rng.random()
    if r < 0.5:
        mode = "spotlight"
        ctype = rng.choice(("spotlight", "spotlight", "spotlight", "spotlight_ultra"))
    elif r < 0.8:
        mode = "stripmap"
        ctype = rng.choice(_STRIPMAP_TYPES)
    else:
        mode, ctype = "sliding_spotlight", "spotlight_wide"
    pol = "HH" if rng.random() < 0.75 else "VV"
    # About 1 % of footprints are centred on the antimeridian and straddle it.
    lon = 180.0 + rng.uniform(-0.02, 0.02) if rng.random() < 0.01 else rng.uniform(-180.0, 180.0)
    lat = rng.uniform(-56.0, 70.0)
    if mode == "stripmap":
        duration = _FOOTPRINT_KM[ctype][1] / 6.9 + rng.uniform(1.0, 4.0)
    elif mode == "spotlight":
        duration = rng.uniform(8.0, 25.0)
    else:
        duration = rng.uniform(10.0, 30.0)
    span_us = int((_LAST_INSTANT - _FIRST_INSTANT).total_seconds() * 1e6)
    while True:
        start = _FIRST_INSTANT + timedelta(microseconds=rng.randrange(span_us))
        slot = (platform, int(start.timestamp()))
        if slot not in taken:
            taken.add(slot)
            break
    if ctype == "spotlight_ultra":
        looks, az_res, slant = (
            rng.choice((9, 12, 15)),
            rng.uniform(0.25, 0.35),
            rng.uniform(0.3, 0.4),
        )
    elif mode == "spotlight":
        looks, az_res, slant = (
            rng.choice((9, 9, 9, 10, 7, 5)),
            rng.uniform(0.45, 0.6),
            rng.uniform(0.3, 0.6),
        )
    elif mode == "sliding_spotlight":
        looks, az_res, slant = rng.choice((3, 4, 5)), rng.uniform(0.8, 1.2), rng.uniform(0.5, 0.9)
    else:
        looks, az_res, slant = rng.choice((1, 2)), rng.uniform(1.2, 1.8), rng.uniform(0.8, 1.5)
    if mode == "stripmap":
        squint = rng.uniform(-0.3, 0.3)
    elif rng.random() < 0.7:
        squint = rng.uniform(-0.5, 0.5)
    else:
        squint = rng.choice((-1.0, 1.0)) * rng.uniform(0.5, 25.0)
    tz_name, tz_offset = _etc_zone(_wrap_lon(lon))
    return _Collect(
        collect_id=collect_id,
        platform=platform,
        mode=mode,
        collection_type=ctype,
        pol=pol,
        lon=lon,
        lat=lat,
        start=start,
        duration=duration,
        orbit_state=rng.choice(("ascending", "descending")),
        direction=rng.choice(("left", "right")),
        look=rng.uniform(5.0, 45.0),
        squint=squint,
        layover=rng.uniform(-15.0, 15.0),
        tz_name=tz_name,
        tz_offset_min=tz_offset,
        ownership=_draw_ownership(rng),
        products=_draw_products(rng),
        looks=looks,
        az_res=az_res,
        slant_res=slant,
        algorithm="pfa" if mode == "spotlight" and rng.random() < 0.8 else "backprojection",
        holdback_days=rng.choice((0, 0, 30, 365)),
        use_case=rng.choice(_USE_CASES),
        processing_delay_s=rng.uniform(3600.0, 30 * 3600.0),
    )


def _handmade_collect(spec: _HandMade, rng: random.Random, taken: set[tuple[int, int]]) -> _Collect:
    """Turn a hand-made spec into a collect; its id and minor angles come from ``rng``."""
    start = datetime.fromisoformat(spec.start).replace(tzinfo=UTC)
    taken.add((spec.platform, int(start.timestamp())))
    return _Collect(
        collect_id=_new_uuid(rng),
        platform=spec.platform,
        mode=spec.mode,
        collection_type=spec.collection_type,
        pol=spec.pol,
        lon=spec.lon,
        lat=spec.lat,
        start=start,
        duration=spec.duration,
        orbit_state=spec.orbit_state,
        direction=spec.direction,
        look=spec.look,
        squint=spec.squint,
        layover=rng.uniform(-15.0, 15.0),
        tz_name=spec.tz_name,
        tz_offset_min=spec.tz_offset_h * 60,
        ownership=spec.ownership,
        products=spec.products,
        looks=spec.looks,
        az_res=spec.az_res,
        slant_res=spec.slant_res,
        algorithm="pfa" if spec.mode == "spotlight" else "backprojection",
        holdback_days=0,
        use_case=rng.choice(_USE_CASES),
        processing_delay_s=rng.uniform(3600.0, 30 * 3600.0),
        name=spec.name,
    )


def _ring_bbox(ring: list[tuple[float, float]]) -> list[float]:
    """Return the STAC bbox of a ring; west > east when it crosses the antimeridian."""
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    west, east = min(lons), max(lons)
    if east > 180.0:
        west, east = west, east - 360.0
    elif west < -180.0:
        west, east = west + 360.0, east
    return [round(west, 7), round(min(lats), 7), round(east, 7), round(max(lats), 7)]


def _collect_items(c: _Collect) -> tuple[list[dict[str, Any]], Any]:
    """Return the STAC items of a collect and its shapely footprint."""
    plane = PLATFORM_PLANES[c.platform]
    ascending = c.orbit_state == "ascending"
    heading = _track_heading(plane, c.lat, ascending)
    look_az = (heading + (90.0 if c.direction == "right" else -90.0)) % 360.0
    incidence = math.degrees(math.asin(min(_SLANT_FACTOR * math.sin(math.radians(c.look)), 1.0)))
    width, length = _FOOTPRINT_KM[c.collection_type]
    ring = _footprint(c.lon, c.lat, width, length, heading)
    footprint = _shapes(ring)
    # A ring point at exactly +180 would wrap to -180; keep it on the ring's own side.
    coordinates = [[x if x == 180.0 else round(_wrap_lon(x), 7), round(y, 7)] for x, y in ring]
    geometry: dict[str, Any] = {"type": "Polygon", "coordinates": [coordinates]}
    bbox = _ring_bbox(ring)
    start = c.start
    end = start + timedelta(seconds=c.duration)
    mid = start + timedelta(seconds=c.duration / 2)
    local = mid + timedelta(minutes=c.tz_offset_min)
    sign = "+" if c.tz_offset_min >= 0 else "-"
    offset = f"{sign}{abs(c.tz_offset_min) // 60:02d}{abs(c.tz_offset_min) % 60:02d}"
    absolute = int((mid - _ORBIT_EPOCH).total_seconds() / _ORBIT_PERIOD_S) + 37 * c.platform
    relative = absolute % 211 + 1
    ground_res = c.slant_res / math.sin(math.radians(incidence))
    created = end + timedelta(seconds=c.processing_delay_s)
    updated = created + timedelta(days=(c.platform * 7 + c.looks) % 5)
    center_lon = _wrap_lon(c.lon)
    mode_code = _MODE_CODES[c.mode]
    stamp = f"{start:%Y%m%d%H%M%S}_{end:%Y%m%d%H%M%S}"
    rgt_id = (
        f"{relative}_{_INCLINATIONS[plane]:.1f}_{absolute // 211 % 1000}_{c.platform}_"
        f"{mid:%Y%m%dT%H%M%S}_{1 if ascending else -1}"
    )
    base: dict[str, Any] = {
        "datetime": _iso_z(mid),
        "start_datetime": _iso_z(start),
        "end_datetime": _iso_z(end),
        "created": _iso_ms(created),
        "updated": _iso_ms(updated),
        "platform": f"capella-{c.platform}",
        "constellation": "capella",
        "instruments": [f"capella-radar-{c.platform}"],
        "sar:instrument_mode": c.mode,
        "sar:frequency_band": "X",
        "sar:center_frequency": 9.65,
        "sar:polarizations": [c.pol],
    }
    tail: dict[str, Any] = {
        "sar:observation_direction": c.direction,
        "sat:orbit_state": c.orbit_state,
        "sat:relative_orbit": relative,
        "sat:absolute_orbit": absolute,
        "view:incidence_angle": round(incidence, 4),
        "view:look_angle": round(c.look, 4),
        "view:azimuth": round(look_az, 4),
        "capella:collect_id": c.collect_id,
        "capella:collection_type": c.collection_type,
        "capella:resolution_ground_range": round(ground_res, 4),
        "capella:squint_angle": round(c.squint, 4),
        "capella:layover_angle": round(c.layover, 4),
        "capella:orbital_plane": plane,
        "capella:image_formation_algorithm": c.algorithm,
        "capella:billable_area": int(width * length * 1_000_000),
        "capella:rgt_id": rgt_id,
        "capella:archive_holdback_date": _iso_z(mid + timedelta(days=c.holdback_days)),
        "capella:use_case": c.use_case,
        "locale:timezone": c.tz_name,
        "locale:datetime": f"{local:%Y-%m-%dT%H:%M:%S.%f}{offset}",
        "locale:time": f"{local:%H:%M:%S.%f}",
        "proj:epsg": _utm_epsg(center_lon, c.lat),
    }
    items = []
    for product in c.products:
        stac_id = f"CAPELLA_C{c.platform:02d}_{mode_code}_{product}_{c.pol}_{stamp}"
        if c.ownership == "publiclyAvailable":
            collection = OPEN_DATA_COLLECTION
        else:
            collection = PRODUCT_COLLECTIONS[product]
        if product in _COMPLEX:
            looks_az, enl = 1, 1
            res_rg, res_az = c.slant_res, c.az_res / c.looks
            spacing_rg, spacing_az = res_rg * 0.8, res_az * 0.8
        else:
            looks_az, enl = c.looks, c.looks
            res_rg, res_az = ground_res, c.az_res
            spacing_rg = spacing_az = min(res_rg, res_az) * 0.7
        digest = hashlib.sha256(f"{stac_id}:{c.collect_id}".encode()).hexdigest()
        props = {
            **base,
            "sar:product_type": product,
            "sar:pixel_spacing_range": round(spacing_rg, 4),
            "sar:pixel_spacing_azimuth": round(spacing_az, 4),
            "sar:resolution_range": round(res_rg, 4),
            "sar:resolution_azimuth": round(res_az, 4),
            "sar:looks_range": 1,
            "sar:looks_azimuth": looks_az,
            "sar:looks_equivalent_number": enl,
            **tail,
            "capella:hash": digest[:40],
        }
        prefix = f"/assets/{collection}/{mid.year}/{mid.month}/{mid.day}/{stac_id}"
        items.append(
            {
                "type": "Feature",
                "stac_version": "1.0.0",
                "stac_extensions": list(_STAC_EXTENSIONS),
                "id": stac_id,
                "collection": collection,
                "bbox": bbox,
                "geometry": geometry,
                "properties": props,
                "links": [
                    {
                        "rel": "self",
                        "href": f"/catalog/collections/{collection}/items/{stac_id}",
                        "type": "application/geo+json",
                    },
                    {
                        "rel": "parent",
                        "href": f"/catalog/collections/{collection}",
                        "type": "application/json",
                    },
                    {
                        "rel": "collection",
                        "href": f"/catalog/collections/{collection}",
                        "type": "application/json",
                    },
                    {"rel": "root", "href": "/catalog", "type": "application/json"},
                ],
                "assets": item_assets(stac_id, product, c.pol, prefix),
            }
        )
    return items, footprint


# ---------------------------------------------------------------------------------------------
# search input parsing


def _is_number(value: Any) -> bool:
    """Return whether ``value`` is a JSON number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _int_param(name: str, value: Any, minimum: int, maximum: int | None = None) -> int | None:
    """Validate an integer paging parameter (``limit``/``page``) from the body or query."""
    if value is None:
        return None
    number: int
    if isinstance(value, bool):
        raise _invalid(f"{name} must be an integer", name, "invalid_type")
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and value.strip().lstrip("+-").isdigit()
    ):
        number = int(value)
    else:
        raise _invalid(f"{name} must be an integer", name, "invalid_type")
    if number < minimum:
        raise _invalid(f"{name} must be at least {minimum}", name, "too_small")
    if maximum is not None and number > maximum:
        raise _invalid(f"{name} must be at most {maximum}", name, "too_big")
    return number


def _envelope(west: float, south: float, east: float, north: float) -> Any:
    """Return the box as a Polygon, or a LineString/Point when it is degenerate."""
    # box() would build a zero-area (invalid) polygon for a degenerate box.
    return MultiPoint([(west, south), (east, north)]).envelope


def _bbox_geometry(value: Any) -> list[Any]:
    """Return the shapely parts of a STAC bbox; west > east crosses the antimeridian."""
    if not isinstance(value, list | tuple) or len(value) not in (4, 6):
        raise _invalid("bbox must be an array of 4 or 6 numbers", "bbox", "invalid_type")
    if not all(_is_number(v) and math.isfinite(v) for v in value):
        raise _invalid("bbox must contain only numbers", "bbox", "invalid_type")
    if len(value) == 6:
        west, south, _, east, north, _ = (float(v) for v in value)
    else:
        west, south, east, north = (float(v) for v in value)
    if not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        raise _invalid("bbox longitudes must be within [-180, 180]", "bbox", "invalid_string")
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise _invalid("bbox latitudes must be within [-90, 90]", "bbox", "invalid_string")
    # Latitudes have no wrap-around, so south > north can only be a swap (the reference SDK's
    # San Francisco example sends one); tolerate it rather than match nothing.
    south, north = min(south, north), max(south, north)
    if west > east:
        return [_envelope(west, south, 180.0, north), _envelope(-180.0, south, east, north)]
    return [_envelope(west, south, east, north)]


_GEOMETRY_TYPES: Final = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)


def _intersects_geometry(value: Any) -> Any:
    """Return the shapely geometry of a GeoJSON ``intersects`` value (a Feature is unwrapped)."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in _GEOMETRY_TYPES:
        raise _invalid(
            "intersects must be a GeoJSON Point, MultiPoint, LineString, MultiLineString, "
            "Polygon or MultiPolygon",
            "intersects",
            "invalid_type",
        )
    try:
        geometry = shape(value)
        empty = bool(geometry.is_empty)
        valid = bool(geometry.is_valid)
    except Exception as exc:  # shapely raises many types (ValueError, TypeError, GEOSException)
        raise _invalid(f"intersects is not a valid geometry: {exc}", "intersects") from exc
    if empty:
        raise _invalid("intersects is an empty geometry", "intersects")
    return geometry if valid else shapely.make_valid(geometry)


def _datetime_interval(value: Any) -> tuple[float | None, float | None]:
    """Parse a root STAC ``datetime``: an instant, or ``start/end`` with ``..`` open ends."""
    if not isinstance(value, str) or not value.strip():
        raise _invalid("datetime must be an RFC 3339 instant or interval", "datetime")
    parts = value.strip().split("/")
    try:
        if len(parts) == 1:
            instant = _parse_instant(parts[0])
            return instant, instant
        if len(parts) == 2:
            lo = None if parts[0] in ("", "..") else _parse_instant(parts[0])
            hi = None if parts[1] in ("", "..") else _parse_instant(parts[1])
            if lo is None and hi is None:
                raise ValueError("both ends open")
            if lo is not None and hi is not None and lo > hi:
                raise ValueError("start after end")
            return lo, hi
    except ValueError as exc:
        raise _invalid(f"invalid datetime {value!r}: {exc}", "datetime", "invalid_date") from exc
    raise _invalid(f"invalid datetime interval {value!r}", "datetime", "invalid_date")


def _string_list(value: Any, name: str) -> list[str]:
    """Validate a root array of strings (``ids``, ``collections``); a bare string is one item."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(f"{name} must be an array of strings", name, "invalid_type")
    return value


@attrs.frozen
class _Condition:
    """One normalised ``query`` condition: field, operator and coerced value."""

    field: str
    op: str
    value: Any


_Column = list[Any]


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
        rng = random.Random(seed)
        taken: set[tuple[int, int]] = set()
        collects = [_handmade_collect(spec, rng, taken) for spec in HANDMADE]
        items: list[dict[str, Any]] = []
        footprints: list[Any] = []
        item_collect: list[int] = []

        def add(collect: _Collect) -> None:
            built, footprint = _collect_items(collect)
            item_collect.extend([len(footprints)] * len(built))
            footprints.append(footprint)
            items.extend(built)

        for collect in collects:
            add(collect)
        while len(items) < size:
            collect = _random_collect(rng, taken)
            collects.append(collect)
            add(collect)

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
        self._collect_items_idx: list[list[int]] = [[] for _ in collects]
        for n, c in enumerate(self._item_collect):
            self._collect_items_idx[c].append(n)
        self._tree = STRtree(footprints)
        self._build_columns()
        self._encoded = [None] * len(self.items)

    # -- construction helpers ------------------------------------------------------------------

    def _build_columns(self) -> None:
        """Precompute one column of comparable values per property, and the default order."""
        names: dict[str, None] = {}
        for item in self.items:
            names.update(dict.fromkeys(item["properties"]))
        keys = list(names)
        # One C-level itemgetter call per item, then a transpose: touching 12,000 property dicts
        # once instead of once per property keeps construction fast.
        getter = operator.itemgetter(*keys)
        rows: list[tuple[Any, ...]] = []
        for item in self.items:
            props = item["properties"]
            try:
                rows.append(getter(props))
            except KeyError:
                rows.append(tuple(props.get(k) for k in keys))
        self._columns: dict[str, _Column] = {}
        self._kinds: dict[str, str] = {}
        for name, values in zip(keys, zip(*rows, strict=True), strict=True):
            raw = list(values)
            sample = next((v for v in raw if v is not None), None)
            if name in DATETIME_FIELDS:
                kind = "datetime"
                column: _Column = [None if v is None else _parse_instant(v) for v in raw]
            elif isinstance(sample, list):
                kind = "array"
                column = [None if v is None else tuple(v) for v in raw]
            elif _is_number(sample):
                kind = "number"
                column = raw
            else:
                kind = "string"
                column = raw
            self._columns[name] = column
            self._kinds[name] = kind
        self._array_element_kind = {
            name: ("number" if any(_is_number(e) for t in col if t for e in t) else "string")
            for name, col in self._columns.items()
            if self._kinds[name] == "array"
        }
        self._ids: _Column = [item["id"] for item in self.items]
        self._collection_col: _Column = [item["collection"] for item in self.items]
        when = self._columns["datetime"]
        # Default order: newest first, then id; total, so pages of any size never overlap.
        self._order = sorted(range(len(self.items)), key=lambda i: (-when[i], self._ids[i]))
        self._rank = [0] * len(self.items)
        for rank, i in enumerate(self._order):
            self._rank[i] = rank

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

    def search(
        self,
        body: dict[str, Any],
        *,
        page: int | None = None,
        limit: int | None = None,
        base_url: str,
    ) -> dict[str, Any]:
        """Run a STAC item search; ``page``/``limit`` (the query string) win over the body.

        Returns the FeatureCollection page; SearchError (400 VALIDATION_ERROR) on bad input.
        """
        base = base_url.rstrip("/")
        indices, envelope = self._page(body, page, limit, base)
        return {
            "type": "FeatureCollection",
            "features": [self._feature(i, base) for i in indices],
            **envelope,
        }

    def search_body(
        self,
        body: dict[str, Any],
        *,
        page: int | None = None,
        limit: int | None = None,
        base_url: str,
    ) -> bytes:
        """Run a search like :meth:`search`; return the page as JSON bytes, ready to send.

        The bytes are those of ``json.dumps(search(...))`` as starlette's JSONResponse renders
        it, built from each item's cached encoding instead of encoding 900 items per page.
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
            raise _invalid("the request body must be a JSON object", "", "invalid_type")
        size = _int_param("limit", limit, 1, MAX_LIMIT)
        if size is None:
            size = _int_param("limit", body.get("limit"), 1, MAX_LIMIT) or DEFAULT_LIMIT
        number = _int_param("page", page, 1)
        if number is None:
            number = _int_param("page", body.get("page"), 1) or 1
        offset = (number - 1) * size
        if offset >= MAX_RESULTS:
            raise _invalid(
                f"page {number} with limit {size} starts past the maximum of "
                f"{MAX_RESULTS} results a search can return",
                "page",
                "too_big",
            )
        candidates = self._filter(body)
        sort_keys = self._sort_keys(body.get("sortby", body.get("sort")))
        candidates = self._sorted(candidates, sort_keys)
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

    def _filter(self, body: dict[str, Any]) -> list[int]:
        """Return the indices of the matching items, in the default order."""
        # Validate everything first so that bad input is reported even when nothing matches.
        ids = _string_list(body["ids"], "ids") if body.get("ids") is not None else None
        collections = (
            _string_list(body["collections"], "collections")
            if body.get("collections") is not None
            else None
        )
        if body.get("bbox") is not None and body.get("intersects") is not None:
            raise _invalid("bbox and intersects are mutually exclusive", "bbox")
        area: list[Any] | None = None
        if body.get("bbox") is not None:
            area = _bbox_geometry(body["bbox"])
        elif body.get("intersects") is not None:
            area = [_intersects_geometry(body["intersects"])]
        interval = (
            _datetime_interval(body["datetime"]) if body.get("datetime") is not None else None
        )
        ownership = body.get("ownership")
        if ownership is not None and ownership not in OWNERSHIP_OPTIONS:
            raise _invalid(
                f"ownership must be one of {', '.join(OWNERSHIP_OPTIONS)}",
                "ownership",
                "invalid_enum_value",
            )
        conditions = self._conditions(body.get("query"))

        candidates: list[int]
        if ids is not None:
            found = {self._by_id[s] for s in ids if s in self._by_id}
            candidates = sorted(found, key=self._rank.__getitem__)
        else:
            candidates = self._order
        if area is not None:
            hits: set[int] = set()
            for part in area:
                for g in self._tree.query(part, predicate="intersects").tolist():
                    hits.update(self._collect_items_idx[g])
            if len(hits) < len(candidates) // 8:
                candidates = sorted(hits.intersection(candidates), key=self._rank.__getitem__)
            else:
                candidates = [i for i in candidates if i in hits]
        if collections is not None:
            wanted = set(collections)
            col = self._collection_col
            candidates = [i for i in candidates if col[i] in wanted]
        if ownership is not None:
            own = self._ownership
            candidates = [i for i in candidates if own[i] == ownership]
        if interval is not None:
            lo, hi = interval
            when = self._columns["datetime"]
            if lo is not None:
                candidates = [i for i in candidates if when[i] >= lo]
            if hi is not None:
                candidates = [i for i in candidates if when[i] <= hi]
        for condition in conditions:
            candidates = self._apply(candidates, condition)
        return candidates

    def _resolve(self, name: str) -> str:
        """Map a property name (full, or the SDK's short name) to the catalog's full name."""
        if name in self._columns:
            return name
        return SHORT_NAMES.get(name, name)

    def _conditions(self, query: Any) -> list[_Condition]:
        """Validate and normalise the ``query`` object into conditions."""
        if query is None:
            return []
        if not isinstance(query, dict):
            raise _invalid("query must be an object", "query", "invalid_type")
        out: list[_Condition] = []
        for raw_name, ops in query.items():
            name = self._resolve(str(raw_name))
            if not isinstance(ops, dict):
                # A bare value means eq, a bare list means in (lenient, like the tasks search).
                ops = {"in" if isinstance(ops, list) else "eq": ops}
            for op, value in ops.items():
                path = f"query.{raw_name}.{op}"
                if op not in OPERATORS:
                    raise _invalid(
                        f"unknown operator {op!r} (supported: {', '.join(OPERATORS)})",
                        path,
                        "invalid_enum_value",
                    )
                if op == "in" and not isinstance(value, list):
                    value = [value]
                if op == "eq" and isinstance(value, list) and self._kinds.get(name) != "array":
                    op = "in"
                if isinstance(value, list):
                    coerced: Any = tuple(self._coerce(name, v, path) for v in value)
                else:
                    coerced = self._coerce(name, value, path)
                out.append(_Condition(name, op, coerced))
        return out

    def _coerce(self, name: str, value: Any, path: str) -> Any:
        """Coerce a query value to the comparable type of the field; 400 when impossible."""
        kind = self._kinds.get(name)
        if kind == "array":
            kind = self._array_element_kind[name]
        if kind == "number":
            if _is_number(value):
                return value
            if isinstance(value, str):
                try:
                    return float(value)
                except ValueError:
                    pass
            raise _invalid(f"{name} expects a number, got {value!r}", path, "invalid_type")
        if kind == "datetime":
            if isinstance(value, str):
                try:
                    return _parse_instant(value)
                except ValueError:
                    pass
            raise _invalid(
                f"{name} expects an RFC 3339 datetime, got {value!r}", path, "invalid_date"
            )
        if kind == "string":
            if isinstance(value, str):
                return value
            if _is_number(value):
                return str(value)
            raise _invalid(f"{name} expects a string, got {value!r}", path, "invalid_type")
        return value  # unknown field: nothing will match, whatever the value

    def _apply(self, candidates: list[int], cond: _Condition) -> list[int]:
        """Keep the candidates that satisfy one condition."""
        col = self._columns.get(cond.field)
        if col is None:
            return []
        op, v = cond.op, cond.value
        if self._kinds[cond.field] == "array":
            return self._apply_array(candidates, col, op, v)
        if op == "eq":
            return [i for i in candidates if col[i] == v]
        if op == "in":
            wanted = set(v)
            return [i for i in candidates if col[i] in wanted]
        if op == "gt":
            return [i for i in candidates if (x := col[i]) is not None and x > v]
        if op == "gte":
            return [i for i in candidates if (x := col[i]) is not None and x >= v]
        if op == "lt":
            return [i for i in candidates if (x := col[i]) is not None and x < v]
        return [i for i in candidates if (x := col[i]) is not None and x <= v]

    @staticmethod
    def _apply_array(candidates: list[int], col: _Column, op: str, v: Any) -> list[int]:
        """Keep candidates whose array property matches: any element satisfies the operator."""
        if op == "in":
            wanted = set(v)
            return [i for i in candidates if (x := col[i]) is not None and not wanted.isdisjoint(x)]
        if op == "eq" and isinstance(v, tuple):
            target = sorted(v)
            return [i for i in candidates if (x := col[i]) is not None and sorted(x) == target]
        if op == "eq":
            return [i for i in candidates if (x := col[i]) is not None and v in x]
        tests: dict[str, Callable[[Any], bool]] = {
            "gt": lambda e: bool(e > v),
            "gte": lambda e: bool(e >= v),
            "lt": lambda e: bool(e < v),
            "lte": lambda e: bool(e <= v),
        }
        test = tests[op]
        return [i for i in candidates if (x := col[i]) is not None and any(map(test, x))]

    def _sort_keys(self, sortby: Any) -> list[tuple[_Column, bool]]:
        """Validate ``sortby`` into (column, descending) pairs, most significant first."""
        if sortby is None:
            return []
        entries: Sequence[Any]
        if isinstance(sortby, str):
            entries = [s for s in sortby.split(",") if s.strip()]
        elif isinstance(sortby, list):
            entries = sortby
        else:
            raise _invalid(
                "sortby must be an array of {field, direction}", "sortby", "invalid_type"
            )
        keys: list[tuple[_Column, bool]] = []
        for n, entry in enumerate(entries):
            path = f"sortby.{n}"
            if isinstance(entry, str):
                # Older clients sent "properties.datetime" or "-properties.datetime".
                text = entry.strip()
                direction = "desc" if text.startswith("-") else "asc"
                field = text.lstrip("+-")
            elif isinstance(entry, dict) and isinstance(entry.get("field"), str):
                field = entry["field"]
                direction = str(entry.get("direction", "asc")).lower()
            else:
                raise _invalid("sortby entries need a string field", path, "invalid_type")
            if direction not in ("asc", "desc"):
                raise _invalid(
                    f"sort direction must be asc or desc, got {direction!r}",
                    f"{path}.direction",
                    "invalid_enum_value",
                )
            keys.append((self._sort_column(field, f"{path}.field"), direction == "desc"))
        return keys

    def _sort_column(self, field: str, path: str) -> _Column:
        """Return the column a sort field refers to; 400 when the field is unknown."""
        if field == "id":
            return self._ids
        if field == "collection":
            return self._collection_col
        name = self._resolve(field.removeprefix("properties."))
        column = self._columns.get(name)
        if column is None:
            raise _invalid(f"cannot sort on unknown field {field!r}", path, "invalid_enum_value")
        return column

    @staticmethod
    def _sorted(candidates: list[int], keys: list[tuple[_Column, bool]]) -> list[int]:
        """Sort candidates by the keys, stable over the default order; missing values last."""
        if not keys:
            return candidates
        result = list(candidates)
        # Successive stable sorts from the least significant key give the multi-key order.
        for col, descending in reversed(keys):
            result.sort(key=_sort_key(col, descending), reverse=descending)
        return result


def _dumps(value: Any) -> bytes:
    """Encode JSON exactly as starlette's JSONResponse does (compact, UTF-8, no NaN)."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def _sort_key(col: _Column, descending: bool) -> Callable[[int], tuple[bool, Any]]:
    """Return a sort key over ``col`` that puts missing values last in either direction."""
    if descending:
        return lambda i: (col[i] is not None, col[i])
    return lambda i: (col[i] is None, col[i])
