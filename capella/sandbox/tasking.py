"""The sandbox's tasking requests: creation, their list price and area, and their collects."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shapely.geometry import shape

from capella.sandbox.collects import CollectPool, collect_json
from capella.sandbox.formats import format_time, money
from capella.sandbox.json_types import Json
from capella.sandbox.ledger import Ledger
from capella.sandbox.request_book import RequestBook, start_validation
from capella.sandbox.request_fields import RequestBasics, common_properties
from capella.sandbox.request_status import history, transaction_status
from capella.sandbox.tasking_options import COLLECTION_TYPES, TASK_TIERS
from capella.sandbox.users import User, contract_id

__all__ = ["TaskRecord", "TaskingRequests", "task_feature"]


@dataclass
class TaskRecord:
    """A stored tasking request: the feature the API returns plus its collects."""

    feature: Json
    collects: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The taskingrequestId."""
        return str(self.feature["properties"]["taskingrequestId"])


class TaskingRequests(RequestBook[TaskRecord]):
    """The tasking requests of one sandbox, by taskingrequestId."""

    prefix = "taskingrequest"
    label = "Tasking request"
    repeat = False

    def __init__(self, ledger: Ledger, collects: CollectPool) -> None:
        super().__init__(ledger)
        self._collects = collects
        self.created = 0  # tasks created through the API: every n-th of them completes

    @staticmethod
    def feature(record: TaskRecord) -> Json:
        """The tasking request feature of `record`."""
        return record.feature

    def save(self, record: TaskRecord) -> None:
        """Write `record` (feature and collects) to the database, if there is one."""
        data = {"feature": record.feature, "collects": record.collects}
        self._ledger.persist("task", record.id, data)

    def add(self, record: TaskRecord, *, persist: bool = True) -> None:
        """Keep `record` and note which task its collects belong to."""
        self.records[record.id] = record
        self._collects.assign(record.id, record.collects)
        if persist:
            self.save(record)

    def create(self, user: User, body: Json) -> Json:
        """`POST /task`: validate, store and answer with the full tasking request feature."""
        issues, properties, name, description = start_validation(body, "taskingrequest")
        now = self._ledger.now()
        window_open = issues.time("properties.windowOpen", properties.get("windowOpen")) or now
        window_close = issues.time("properties.windowClose", properties.get("windowClose"))
        window_close = window_close or window_open + timedelta(days=7)
        if window_close <= window_open:
            issues.add("properties.windowClose", "windowClose must be after windowOpen")
        tier = issues.enum(
            "properties.collectionTier", properties.get("collectionTier"), TASK_TIERS, "standard"
        )
        common = common_properties(issues, body, properties)
        pre_approval = properties.get("preApproval", properties.get("pre_approval", False))
        if not isinstance(pre_approval, bool):
            issues.add("properties.preApproval", "Expected boolean", "invalid_type")
        issues.raise_if_any()
        contract = contract_id(self._ledger.config, body.get("contractId"))
        with self._ledger.lock:
            self.created += 1
            share = self._ledger.config.completion_share
            completes = math.floor(self.created * share) > math.floor((self.created - 1) * share)
            task_id = str(uuid.uuid4())
            codes = ["received", "submitted" if pre_approval else "review"]
            if completes:
                codes = ["received", "submitted", "accepted", "active", "completed"]
            basics = RequestBasics(
                user, body["geometry"], name, description, contract, now,
                history(codes, [now] * len(codes)), tier, **common,
            )  # fmt: skip
            feature = task_feature(
                basics,
                task_id=task_id,
                window_open=window_open,
                window_close=window_close,
                pre_approval=bool(pre_approval),
            )
            record = TaskRecord(feature, self._collects.take(2) if completes else [])
            self.add(record)
            if self._ledger.store is not None:
                self._ledger.store.set_meta("created_tasks", str(self.created))
            return feature

    def collects_of(self, user: User, task_id: str) -> list[Json]:
        """`GET /collects/list/{id}`: the task's collects (empty until it has collected)."""
        with self._ledger.lock:
            record = self.find(user, task_id)
            repeat_id = record.feature["properties"].get("repeatrequestId")
            now = self._ledger.now()
            catalog = self._ledger.catalog
            return [collect_json(catalog, c, task_id, repeat_id, now) for c in record.collects]


def _area_sqkm(geometry: Json, width: int, length: int) -> float:
    if geometry.get("type") != "Polygon":
        return width * length / 1e6
    polygon = shape(geometry)
    lat = polygon.centroid.y
    return float(polygon.area) * 111.32 * 111.32 * max(math.cos(math.radians(lat)), 0.01)


def task_feature(
    basics: RequestBasics,
    *,
    task_id: str,
    window_open: datetime,
    window_close: datetime,
    pre_approval: bool,
    repeat_id: str | None = None,
) -> Json:
    """The tasking request feature the API answers with."""
    kind = COLLECTION_TYPES[basics.collection_type]
    price = basics.price
    width = int(basics.constraints.get("imageWidth", 5000))
    area = _area_sqkm(basics.geometry, width, kind.image_length)
    return basics.feature(
        "taskingrequest",
        task_id,
        {
            "repeatrequestId": repeat_id,
            "windowOpen": format_time(window_open),
            "windowDuration": int((window_close - window_open).total_seconds()),
            "windowClose": format_time(window_close),
            **basics.collection(),
            "preApproval": pre_approval,
            **basics.billing(),
            "transactionStatus": transaction_status(basics.history[0]["code"]),
            "sandbox": True,
            "order": {
                "summary": {"subtotal": money(price), "total": money(price)},
                "lineItems": [
                    {
                        "taskId": task_id,
                        "accountingSize": {"unit": "sqkm", "value": round(area, 2)},
                    }
                ],
                "archiveHoldback": basics.holdback,
                "managedOrganizationIds": ["*"],
            },
        },
    )
