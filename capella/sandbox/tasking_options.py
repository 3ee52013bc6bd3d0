"""What a tasking or repeat request may ask for: tiers, constraints, collection types, prices."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ARCHIVE_HOLDBACKS",
    "ASC_DSC",
    "COLLECTION_TYPES",
    "INSAR_ORBITS",
    "LEGACY_HOLDBACKS",
    "LOCAL_TIMES",
    "LOOK_DIRECTIONS",
    "ORBITAL_PLANES",
    "POLARIZATIONS",
    "PRODUCT_TYPES",
    "REPEAT_TIERS",
    "SQUINTS",
    "TASK_TIERS",
    "CollectionType",
    "list_price",
]

PRODUCT_TYPES = ("SLC", "GEO", "SICD", "GEC", "SIDD", "CPHD", "CSI", "CSIDD", "VC", "VS", "ACD")
TASK_TIERS = ("urgent", "priority", "standard", "flexible", "internal", "1_day", "3_day", "7_day")
REPEAT_TIERS = ("flexible", "routine", "internal", "insar", "insar-internal", "background")
ARCHIVE_HOLDBACKS = ("none", "1_year", "30_day", "permanent")
LEGACY_HOLDBACKS = {"1 year": "1_year", "30 day": "30_day"}
ASC_DSC = ("ascending", "descending", "either")
LOOK_DIRECTIONS = ("left", "right", "either")
SQUINTS = ("enabled", "disabled", "forward", "backward")
POLARIZATIONS = ("HH", "VV")
ORBITAL_PLANES = (45, 53, 97)
INSAR_ORBITS = ("MIO_53_2P95", "SSO_97_7P00")
LOCAL_TIMES: dict[str, list[list[int]]] = {
    "day": [[21600, 64800]],
    "night": [[0, 21600], [64800, 86400]],
    "anytime": [[0, 86400]],
}


@dataclass(frozen=True)
class CollectionType:
    """A tasking collection type: its instrument mode, default scene size and list price."""

    name: str
    collect_mode: str
    image_width: int
    image_length: int
    price: float
    description: str


COLLECTION_TYPES: dict[str, CollectionType] = {
    c.name: c
    for c in (
        CollectionType("spotlight", "spotlight", 5000, 5000, 3000.0, "Spotlight, 5 x 5 km scene"),
        CollectionType(
            "spotlight_ultra", "spotlight", 5000, 5000, 6000.0, "Long-dwell spotlight, 5 x 5 km"
        ),
        CollectionType(
            "spotlight_wide", "sliding_spotlight", 5000, 10000, 4500.0, "Wide spotlight, 5 x 10 km"
        ),
        CollectionType("stripmap_20", "stripmap", 5000, 20000, 2500.0, "Stripmap, 5 x 20 km"),
        CollectionType("stripmap_50", "stripmap", 5000, 50000, 3500.0, "Stripmap, 5 x 50 km"),
        CollectionType("stripmap_100", "stripmap", 5000, 100000, 5000.0, "Stripmap, 5 x 100 km"),
        CollectionType(
            "parallel_stripmap_20",
            "stripmap",
            10000,
            20000,
            3750.0,
            "Parallel stripmap, 10 x 20 km",
        ),
        CollectionType(
            "parallel_stripmap_50",
            "stripmap",
            10000,
            50000,
            5250.0,
            "Parallel stripmap, 10 x 50 km",
        ),
        CollectionType(
            "parallel_stripmap_100",
            "stripmap",
            10000,
            100000,
            7500.0,
            "Parallel stripmap, 10 x 100 km",
        ),
    )
}

_TIER_FACTOR = {
    "urgent": 3.0,
    "priority": 2.0,
    "standard": 1.0,
    "flexible": 0.8,
    "internal": 0.0,
    "1_day": 3.0,
    "3_day": 2.0,
    "7_day": 1.0,
    "routine": 1.0,
    "insar": 1.0,
    "insar-internal": 0.0,
    "background": 0.6,
}
_HOLDBACK_FACTOR = {"none": 1.0, "30_day": 1.25, "1_year": 1.5, "permanent": 2.0}
# Archive prices per instrument mode; analytics and open data are priced separately.


def list_price(collection_type: str, tier: str, holdback: str) -> float:
    """The price of one collect of `collection_type` at `tier` with `holdback`."""
    kind = COLLECTION_TYPES[collection_type]
    return kind.price * _TIER_FACTOR.get(tier, 1.0) * _HOLDBACK_FACTOR.get(holdback, 1.0)
