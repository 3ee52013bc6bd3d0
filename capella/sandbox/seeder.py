"""The deterministic starting requests and orders of a seed: what a fresh sandbox shows."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from capella.sandbox.catalog import Catalog
from capella.sandbox.collects import CollectPool
from capella.sandbox.config import DEMO_CONTRACT_ID
from capella.sandbox.formats import format_time, parse_time
from capella.sandbox.json_types import Json
from capella.sandbox.orders import Orders
from capella.sandbox.repeats import RepeatRequests, repeat_feature
from capella.sandbox.request_fields import RequestBasics
from capella.sandbox.request_status import history
from capella.sandbox.request_status import status as status_of
from capella.sandbox.tasking import TaskingRequests, TaskRecord, task_feature
from capella.sandbox.tasking_options import (
    ASC_DSC,
    COLLECTION_TYPES,
    INSAR_ORBITS,
    LOCAL_TIMES,
    LOOK_DIRECTIONS,
    POLARIZATIONS,
)
from capella.sandbox.users import COLLEAGUE, DEMO_USER, STRANGER, User

__all__ = ["Seeder"]


_TASK_STATUS_WEIGHTS = {
    "completed": 26,
    "accepted": 12,
    "active": 8,
    "canceled": 10,
    "review": 8,
    "submitted": 8,
    "received": 4,
    "expired": 10,
    "rejected": 4,
    "failed": 3,
    "anomaly": 2,
}
_REPEAT_STATUS_WEIGHTS = {
    "active": 10,
    "submitted": 4,
    "review": 3,
    "received": 2,
    "completed": 5,
    "canceled": 4,
    "expired": 2,
}
_PATHS = {
    "received": ["received"],
    "review": ["received", "review"],
    "submitted": ["received", "submitted"],
    "accepted": ["received", "submitted", "accepted"],
    "active": ["received", "submitted", "accepted", "active"],
    "completed": ["received", "submitted", "accepted", "active", "completed"],
    "canceled": ["received", "submitted", "accepted", "canceled"],
    "expired": ["received", "submitted", "accepted", "expired"],
    "rejected": ["received", "review", "rejected"],
    "failed": ["received", "submitted", "accepted", "failed"],
    "anomaly": ["received", "submitted", "accepted", "active", "anomaly"],
}
_PLACES = [
    ("Rotterdam port", 4.05, 51.95),
    ("Singapore strait", 103.85, 1.25),
    ("Denver airport", -104.67, 39.86),
    ("Suez canal", 32.55, 30.45),
    ("Lake Mead", -114.45, 36.15),
    ("Sao Paulo", -46.63, -23.55),
    ("Tokyo bay", 139.85, 35.55),
    ("Nile delta", 31.2, 30.9),
    ("Cape Town", 18.42, -33.92),
    ("Svalbard", 15.6, 78.22),
    ("Panama canal", -79.68, 9.12),
    ("Mumbai", 72.88, 19.07),
]


def _midnight_today() -> datetime:
    # Stable within a day, so that open requests have open windows.
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class Seeder:
    """Builds the deterministic starting requests and orders of a seed into the books."""

    catalog: Catalog
    collects: CollectPool
    tasks: TaskingRequests
    repeats: RepeatRequests
    order_book: Orders
    rng: random.Random
    anchor: datetime = field(default_factory=_midnight_today)

    def uuid(self) -> str:
        """A version-4 UUID drawn from the seeded generator (the same on every run)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def run(self) -> None:
        """Add the seed's requests and orders to the books (they are not written anywhere)."""
        self.collects.start()
        for user, count in ((DEMO_USER, 540), (COLLEAGUE, 120), (STRANGER, 40)):
            for _ in range(count):
                status = self.choose(_TASK_STATUS_WEIGHTS)
                self.tasks.add(self.task(user, status), persist=False)
        for user, count in ((DEMO_USER, 30), (COLLEAGUE, 6), (STRANGER, 4)):
            for _ in range(count):
                repeat = self.repeat(user, self.choose(_REPEAT_STATUS_WEIGHTS))
                self.repeats.add(repeat)
                if status_of(repeat) in ("active", "completed", "canceled"):
                    for n in range(self.rng.randint(2, 4)):
                        child = self.task(
                            user,
                            self.rng.choice(["completed", "completed", "accepted", "expired"]),
                            repeat=repeat,
                            number=n + 1,
                        )
                        self.tasks.add(child, persist=False)
        self.orders()

    def choose(self, weights: Mapping[str, int]) -> str:
        """One key of ``weights``, drawn with those weights."""
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def place(self) -> tuple[str, Json]:
        """A named place and a small polygon around it."""
        name, lon, lat = self.rng.choice(_PLACES)
        lon += self.rng.uniform(-0.2, 0.2)
        lat += self.rng.uniform(-0.2, 0.2)
        if self.rng.random() < 0.8:
            return name, {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}
        d = 0.03
        ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
        ring = [[round(x, 5), round(y, 5)] for x, y in ring]
        return name, {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    def task(
        self, user: User, status: str, *, repeat: Json | None = None, number: int = 0
    ) -> TaskRecord:
        """A tasking request of ``user`` in ``status``, with its collects once it has any."""
        rng = self.rng
        task_id = self.uuid()
        collects: list[str] = []
        collection_type = rng.choice(list(COLLECTION_TYPES))
        name, geometry = self.place()
        if status in ("completed", "anomaly"):
            collects = self.collects.take(rng.choice([1, 1, 2, 2, 3]))
            items = self.catalog.items_of_collect(collects[0]) if collects else []
            if items:
                p = items[0].get("properties", {})
                bbox = items[0].get("bbox") or [0, 0, 0, 0]
                geometry = {
                    "type": "Point",
                    "coordinates": [
                        round((bbox[0] + bbox[2]) / 2, 5),
                        round((bbox[1] + bbox[3]) / 2, 5),
                    ],
                }
                if p.get("capella:collection_type") in COLLECTION_TYPES:
                    collection_type = p["capella:collection_type"]
                collected = parse_time(p.get("datetime")) or self.anchor - timedelta(days=30)
            else:
                collected = self.anchor - timedelta(days=rng.randint(5, 700))
            window_open = collected - timedelta(hours=rng.randint(12, 96))
        elif status in ("received", "review", "submitted", "accepted", "active"):
            window_open = self.anchor + timedelta(hours=rng.randint(-72, 240))
            collected = window_open
        else:
            window_open = self.anchor - timedelta(days=rng.randint(10, 700))
            collected = window_open
        tier = rng.choice(["standard", "standard", "priority", "urgent", "flexible", "7_day"])
        days = {"urgent": 1, "priority": 3, "flexible": 14}.get(tier, 7)
        window_close = max(window_open + timedelta(days=days), collected + timedelta(hours=6))
        submitted = window_open - timedelta(minutes=rng.randint(5, 2880))
        if status in ("received", "review", "submitted"):
            submitted = min(submitted, self.anchor - timedelta(minutes=rng.randint(5, 600)))
        codes = _PATHS[status]
        times = [submitted + timedelta(seconds=i * rng.randint(1, 600)) for i in range(len(codes))]
        if status in ("completed", "anomaly"):
            times[-1] = collected + timedelta(hours=rng.randint(2, 8))
        holdback = rng.choice(["none", "none", "none", "30_day", "1_year"])
        kind = COLLECTION_TYPES[collection_type]
        constraints = {
            "ascDsc": rng.choice(ASC_DSC),
            "lookDirection": rng.choice(LOOK_DIRECTIONS),
            "squint": "enabled" if geometry["type"] == "Point" else "disabled",
            "polarization": rng.choice(POLARIZATIONS),
            "localTime": LOCAL_TIMES[rng.choice(list(LOCAL_TIMES))],
            "orbitalPlanes": [],
            "collectMode": kind.collect_mode,
            "imageLength": kind.image_length,
            "offNadirMin": 25,
            "offNadirMax": 40,
            "imageWidth": kind.image_width,
        }
        display = (
            name if repeat is None else f"{repeat['properties']['repeatrequestName']} #{number}"
        )
        basics = RequestBasics(
            user=user,
            geometry=geometry if repeat is None else repeat["geometry"],
            name=f"{display}" if repeat else f"{name} {collection_type}",
            description="" if rng.random() < 0.7 else f"Monitoring {name}",
            contract=DEMO_CONTRACT_ID,
            submitted=submitted,
            history=history(codes, times),
            tier=tier,
            collection_type=collection_type,
            holdback=holdback,
            custom={"customAttribute1": None, "customAttribute2": None},
            constraints=constraints,
            processing={"productTypes": ["SLC", "GEO", "GEC", "SICD", "SIDD"]},
        )
        feature = task_feature(
            basics,
            task_id=task_id,
            window_open=window_open,
            window_close=window_close,
            pre_approval=codes[1:2] != ["review"],
            repeat_id=None if repeat is None else repeat["properties"]["repeatrequestId"],
        )
        return TaskRecord(feature, collects)

    def repeat(self, user: User, status: str) -> Json:
        """A repeat request of ``user`` in ``status``."""
        rng = self.rng
        name, geometry = self.place()
        collection_type = rng.choice(["spotlight", "spotlight_wide", "stripmap_20"])
        kind = COLLECTION_TYPES[collection_type]
        start = self.anchor - timedelta(days=rng.randint(-20, 400))
        interval = rng.choice([1, 7, 7, 14, 30])
        codes = {
            "active": ["received", "submitted", "active"],
            "completed": ["received", "submitted", "active", "completed"],
            "canceled": ["received", "submitted", "active", "canceled"],
            "expired": ["received", "submitted", "expired"],
        }.get(status, _PATHS.get(status, ["received"]))
        submitted = start - timedelta(days=rng.randint(1, 10))
        times = [submitted + timedelta(minutes=i * rng.randint(1, 90)) for i in range(len(codes))]
        count = rng.choice([None, None, 10, 52])
        tier = rng.choice(["routine", "routine", "flexible", "insar"])
        basics = RequestBasics(
            user=user,
            geometry=geometry,
            name=f"{name} every {interval} day{'s' if interval > 1 else ''}",
            description="",
            contract=DEMO_CONTRACT_ID,
            submitted=submitted,
            history=history(codes, times),
            tier=tier,
            collection_type=collection_type,
            holdback="none",
            custom={"customAttribute1": None, "customAttribute2": None},
            constraints={
                "ascDsc": "either",
                "lookDirection": "either",
                "squint": "enabled" if geometry["type"] == "Point" else "disabled",
                "localTime": LOCAL_TIMES["anytime"],
                "orbitalPlanes": [],
                "collectMode": kind.collect_mode,
                "imageLength": kind.image_length,
                "imageWidth": kind.image_width,
                "offNadirMin": 25,
                "offNadirMax": 40,
                "polarization": "HH",
            },
            processing=None,
        )
        # Drawn in this order: the id, then the repetition, then the InSAR orbit.
        return repeat_feature(
            basics,
            repeat_id=self.uuid(),
            repetition={
                "repeatStart": format_time(start),
                "repeatEnd": None
                if count is not None
                else format_time(start + timedelta(days=rng.choice([90, 180, 365]))),
                "repetitionInterval": interval,
                "repetitionCount": count,
                "maintainSceneFraming": rng.random() < 0.5,
                "lookAngleTolerance": 10,
            },
            window=interval * 86400,
            insar={"orbit": rng.choice(INSAR_ORBITS)} if tier == "insar" else None,
        )

    def orders(self) -> None:
        """Three expired orders of the demo user, over collects of its completed tasks."""
        completed = [
            r
            for r in self.tasks.records.values()
            if r.collects and r.feature["properties"]["userId"] == DEMO_USER.id
        ]
        for n, record in enumerate(completed[:3]):
            items = self.catalog.items_of_collect(record.collects[0])[:2]
            if not items:
                continue
            lines = [
                {
                    "granuleId": item["id"],
                    "collectionId": item.get("collection"),
                    "previouslyOrdered": False,
                }
                for item in items
            ]
            ordered = self.anchor - timedelta(days=30 * (n + 1))
            order_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            order = self.order_book.make(DEMO_USER, order_id, ordered, DEMO_CONTRACT_ID, lines)
            self.order_book.records[order_id] = order
