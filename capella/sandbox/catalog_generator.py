"""The generator of the sandbox's synthetic STAC catalog, deterministic from a seed.

Items are built as collects: one collect (a ``capella:collect_id``) yields several products that
share its footprint, time, platform, mode, polarization, orbit and angles. A few hand-made
collects (`HANDMADE`, read from ``handmade_collects.csv``) guarantee that every example of the
reference SDK's documentation finds data; the rest are drawn from ``random.Random(seed)``.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, Final

import attrs
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box

from capella.enumerations import CollectionType
from capella.sandbox.assets import item_assets

__all__ = ["HANDMADE", "Collect", "generate"]

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
# Every stripmap collection type, stripmap_20 twice: the most common stripmap product.
_STRIPMAP_TYPES: Final = (
    "stripmap_20",
    *(name for name in CollectionType.values() if "stripmap" in name),
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


@attrs.define
class Collect:
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

    guarantees: str  # the example that finds it
    given: dict[str, Any]  # the Collect fields set by hand: every one but those drawn

    @property
    def name(self) -> str:
        """The collect's name, e.g. ``sf-downtown``."""
        return str(self.given["name"])


_BASIC: Final = ("SLC", "GEO", "GEC", "SICD")

# How a column of handmade_collects.csv is read, by the type of the Collect field it sets.
_READ_COLUMN: Final[dict[str, Callable[[str], Any]]] = {
    "str": str,
    "int": int,
    "float": float,
    "datetime": lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC),
    "tuple[str, ...]": lambda text: tuple(text.split()),
}


def _read_handmade() -> tuple[_HandMade, ...]:
    """The hand-made collects, a table kept as data in ``handmade_collects.csv``."""
    text = resources.files(__package__).joinpath("handmade_collects.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    types = {field.name: str(field.type) for field in attrs.fields(Collect)}
    return tuple(
        _HandMade(
            row.pop("guarantees"),
            {name: _READ_COLUMN[types[name]](value) for name, value in row.items()},
        )
        for row in rows
    )


HANDMADE: Final = _read_handmade()


# ---------------------------------------------------------------------------------------------
# small helpers


def _iso_z(value: datetime) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (microseconds, as Capella's item datetimes)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _iso_ms(value: datetime) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (milliseconds, as API-generated timestamps)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


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


def _random_collect(rng: random.Random, taken: set[tuple[int, int]]) -> Collect:
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
    return Collect(
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


def _handmade_collect(spec: _HandMade, rng: random.Random, taken: set[tuple[int, int]]) -> Collect:
    """Turn a hand-made spec into a collect; its id and minor angles come from ``rng``."""
    given = spec.given
    taken.add((given["platform"], int(given["start"].timestamp())))
    # Keyword arguments run in order: the id, then the layover, use case and delay draws.
    return Collect(
        collect_id=_new_uuid(rng),
        layover=rng.uniform(-15.0, 15.0),
        algorithm="pfa" if given["mode"] == "spotlight" else "backprojection",
        holdback_days=0,
        use_case=rng.choice(_USE_CASES),
        processing_delay_s=rng.uniform(3600.0, 30 * 3600.0),
        **given,
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


def _collect_items(c: Collect) -> tuple[list[dict[str, Any]], Any]:
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


def generate(
    seed: int, size: int
) -> tuple[list[Collect], list[dict[str, Any]], list[Any], list[int]]:
    """At least `size` items of the seed's collects, hand-made ones first.

    Returns the collects, the items, each collect's footprint and, per item, its collect's index.
    """
    rng = random.Random(seed)
    taken: set[tuple[int, int]] = set()
    collects = [_handmade_collect(spec, rng, taken) for spec in HANDMADE]
    items: list[dict[str, Any]] = []
    footprints: list[Any] = []
    item_collect: list[int] = []

    def add(collect: Collect) -> None:
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
    return collects, items, footprints, item_collect
