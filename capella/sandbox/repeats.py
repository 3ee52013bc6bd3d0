"""The sandbox's repeat requests: validation of their repetition, and the features stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from capella.sandbox.formats import format_time, money
from capella.sandbox.json_types import Json
from capella.sandbox.request_book import RequestBook, start_validation
from capella.sandbox.request_fields import RequestBasics, common_properties
from capella.sandbox.request_status import history, transaction_status
from capella.sandbox.tasking_options import (
    INSAR_ORBITS,
    REPEAT_TIERS,
)
from capella.sandbox.users import User, contract_id
from capella.sandbox.validation import Issues

__all__ = ["RepeatRequests", "repeat_feature"]


class RepeatRequests(RequestBook[Json]):
    """The repeat requests of one sandbox (their features), by repeatrequestId."""

    prefix = "repeatrequest"
    label = "Repeat request"
    repeat = True

    @staticmethod
    def feature(record: Json) -> Json:
        """A repeat request is stored as its feature."""
        return record

    def save(self, record: Json) -> None:
        """Write the feature to the database, if there is one."""
        self._ledger.persist("repeat", record["properties"]["repeatrequestId"], record)

    def add(self, feature: Json) -> None:
        """Keep `feature` (not written to the database)."""
        self.records[feature["properties"]["repeatrequestId"]] = feature

    def create(self, user: User, body: Json) -> Json:
        """`POST /repeat-requests`: validate, store and answer with the repeat request feature."""
        issues, properties, name, description = start_validation(body, "repeatrequest")
        tier = issues.enum(
            "properties.collectionTier", properties.get("collectionTier"), REPEAT_TIERS, "routine"
        )
        common = common_properties(issues, body, properties)
        repeats = repetition(issues, properties.get("repetitionProperties"), self._ledger.now())
        window = issues.number(
            "properties.windowDuration",
            properties.get("windowDuration"),
            1,
            30 * 86400,
            integer=True,
        )
        insar = properties.get("insar")
        orbit = insar.get("orbit") if isinstance(insar, dict) else None
        if tier in ("insar", "insar-internal") and orbit is None:
            issues.add("properties.insar.orbit", "insar.orbit is required for the insar tier")
        elif orbit is not None:
            issues.enum("properties.insar.orbit", orbit, INSAR_ORBITS, None)
        issues.raise_if_any()
        contract = contract_id(self._ledger.config, body.get("contractId"))
        with self._ledger.lock:
            repeat_id = str(uuid.uuid4())
            now = self._ledger.now()
            basics = RequestBasics(
                user, body["geometry"], name, description, contract, now,
                history(["received", "review"], [now, now]), tier, **common,
            )  # fmt: skip
            feature = repeat_feature(
                basics,
                repeat_id=repeat_id,
                repetition=repeats,
                window=int(window or repeats["repetitionInterval"] * 86400),
                insar={"orbit": orbit} if orbit else None,
            )
            self.records[repeat_id] = feature
            self.save(feature)
            return feature


def repetition(issues: Issues, raw: Any, now: datetime) -> Json:
    """The validated `repetitionProperties` of a new repeat request."""
    path = "properties.repetitionProperties"
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        issues.add(path, "Expected object", "invalid_type")
        raw = {}
    start = issues.time(f"{path}.repeatStart", raw.get("repeatStart")) or now
    end = issues.time(f"{path}.repeatEnd", raw.get("repeatEnd"))
    count = issues.number(
        f"{path}.repetitionCount", raw.get("repetitionCount"), 1, 10_000, integer=True
    )
    interval = issues.number(
        f"{path}.repetitionInterval", raw.get("repetitionInterval"), 1, 365, integer=True
    )
    if end is not None and count is not None:
        issues.add(path, "repeatEnd and repetitionCount are mutually exclusive")
    if end is not None and end <= start:
        issues.add(f"{path}.repeatEnd", "repeatEnd must be after repeatStart")
    framing = raw.get("maintainSceneFraming", False)
    if not isinstance(framing, bool):
        issues.add(f"{path}.maintainSceneFraming", "Expected boolean", "invalid_type")
    look = issues.number(f"{path}.lookAngleTolerance", raw.get("lookAngleTolerance"), 0, 90)
    azimuth = issues.number(
        f"{path}.azimuthAngleTolerance", raw.get("azimuthAngleTolerance"), 0, 360
    )
    result: Json = {
        "repeatStart": format_time(start),
        "repeatEnd": None if end is None else format_time(end),
        "repetitionInterval": int(interval or 7),
        "repetitionCount": None if count is None else int(count),
        "maintainSceneFraming": bool(framing),
        "lookAngleTolerance": 10 if look is None else look,
    }
    if azimuth is not None:
        result["azimuthAngleTolerance"] = azimuth
    return result


def repeat_feature(
    basics: RequestBasics,
    *,
    repeat_id: str,
    repetition: Json,
    window: int,
    insar: Json | None,
) -> Json:
    """The repeat request feature the API answers with."""
    price = basics.price
    return basics.feature(
        "repeatrequest",
        repeat_id,
        {
            "windowDuration": window,
            "repetitionProperties": repetition,
            **basics.collection(),
            "parentRepeatrequest": None,
            "sandbox": True,
            "costPerImageEstimate": money(price),
            **basics.billing(),
            "insar": insar,
            "transactionStatus": transaction_status(basics.history[0]["code"]),
        },
    )
