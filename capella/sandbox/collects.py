"""The collects of tasking requests: which catalog collects a task got, and how they are listed."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from capella.sandbox.catalog import Catalog
from capella.sandbox.formats import format_time, parse_time
from capella.sandbox.json_types import Json
from capella.sandbox.tasking_options import COLLECTION_TYPES

__all__ = ["CollectPool", "collect_json"]


_COLLECT_HISTORY = (
    ("delivered", "The products have been processed and delivered"),
    ("qa", "The products are in quality assurance"),
    ("processing", "The collect is being processed"),
    ("collected", "The collect has been downlinked"),
    ("tasked", "The collect has been tasked to a satellite"),
    ("predicted", "A collect opportunity has been predicted"),
)


class CollectPool:
    """Hands out the catalog's collects to completed tasks, each once until all are taken."""

    def __init__(self, catalog: Catalog, seed: int) -> None:
        self._catalog = catalog
        self._seed = seed
        self._pool: list[str] = []
        self.task_of_collect: dict[str, str] = {}

    def assign(self, task_id: str, collects: Iterable[str]) -> None:
        """Record that `task_id` collected `collects` (the first task of a collect keeps it)."""
        for collect_id in collects:
            self.task_of_collect.setdefault(collect_id, task_id)

    def start(self, used: Iterable[str] = ()) -> None:
        """Fill the pool with every collect not in `used`."""
        taken = set(used)
        self._pool = [c for c in self._all() if c not in taken]

    def _all(self) -> list[str]:
        collects = sorted(set(self._catalog.collect_ids()))
        random.Random(f"capella-sandbox-collects-{self._seed}").shuffle(collects)
        return collects

    def take(self, count: int) -> list[str]:
        """The next `count` collects nobody has."""
        if len(self._pool) < count:
            # Out of untasked collects: start over (a collect may then belong to two tasks).
            self._pool = self._all()
        taken, self._pool = self._pool[:count], self._pool[count:]
        return taken


def collect_json(
    catalog: Catalog, collect_id: str, task_id: str, repeat_id: str | None, now: datetime
) -> Json:
    """The `/collects/list` entry of one collect of a task, drawn from its catalog items."""
    items = catalog.items_of_collect(collect_id)
    item: Json = items[0] if items else {"properties": {}, "bbox": [0, 0, 0, 0]}
    p = item.get("properties", {})
    rng = random.Random(collect_id)
    bbox = item.get("bbox") or [0, 0, 0, 0]
    lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    start = parse_time(p.get("start_datetime")) or parse_time(p.get("datetime")) or now
    end = parse_time(p.get("end_datetime")) or start + timedelta(seconds=10)
    duration = round(max((end - start).total_seconds(), 1.0), 3)
    look = float(p.get("view:look_angle", 30.0))
    platform = str(p.get("platform", "capella-0"))
    spacecraft = int("".join(ch for ch in platform if ch.isdigit()) or 0)
    local = str(p.get("locale:time", "12:00:00"))
    hours, minutes, seconds = [*local.split(":"), "0", "0"][:3]
    history = [
        {
            "time": format_time(end + timedelta(hours=len(_COLLECT_HISTORY) - 1 - i)),
            "code": code,
            "message": message,
        }
        for i, (code, message) in enumerate(_COLLECT_HISTORY)
    ]
    kind = COLLECTION_TYPES.get(
        str(p.get("capella:collection_type")), COLLECTION_TYPES["spotlight"]
    )
    return {
        "center": [lon, lat, 0.0],
        "centerEcef": _ecef(lon, lat),
        "spacecraftId": spacecraft,
        "collectId": collect_id,
        "tileId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "tileGroupId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "taskingrequestId": task_id,
        "repeatrequestId": repeat_id,
        "windowOpen": format_time(start),
        "windowClose": format_time(end),
        "windowDuration": duration,
        "accessProperties": {
            "ascdsc": p.get("sat:orbit_state", "ascending"),
            "lookDirection": p.get("sar:observation_direction", "right"),
            "localTime": int(hours) * 3600 + int(minutes) * 60 + int(float(seconds)),
            "azimuthOpen": round(rng.uniform(0, 360), 1),
            "azimuthClose": round(rng.uniform(0, 360), 1),
            "elevationMin": round(90 - look - 1.0, 1),
            "elevationMax": round(90 - look + 1.0, 1),
            "offNadirMin": round(look - 0.4, 1),
            "offNadirMax": round(look + 0.4, 1),
        },
        "collectProperties": {
            "collectDuration": duration,
            "imageLength": kind.image_length,
            "imageWidth": kind.image_width,
            "grr": float(p.get("capella:resolution_ground_range", 0.5)),
            "azr": float(p.get("sar:resolution_azimuth", 0.5)),
            "bandwidth": None,
            "nesz": round(rng.uniform(-20, -14), 1),
            "meanSquint": float(p.get("capella:squint_angle", 0.0)),
            "polarization": (p.get("sar:polarizations") or ["HH"])[0],
        },
        "collectStatusHistory": history,
    }


def _ecef(lon: float, lat: float) -> list[float]:
    a, e2 = 6378137.0, 6.69437999014e-3
    phi, lam = math.radians(lat), math.radians(lon)
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    return [
        round(n * math.cos(phi) * math.cos(lam), 1),
        round(n * math.cos(phi) * math.sin(lam), 1),
        round(n * (1 - e2) * math.sin(phi), 1),
    ]
