"""What the books of tasking and repeat requests share: lookup, visibility, updates, search."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

from capella.sandbox.api_errors import ApiError, check_uuid, not_found
from capella.sandbox.json_types import Json
from capella.sandbox.ledger import Ledger
from capella.sandbox.request_fields import updates
from capella.sandbox.request_search import search, visible
from capella.sandbox.request_status import FINAL_TRANSACTIONS, change_status, status
from capella.sandbox.users import User
from capella.sandbox.validation import Issues, check_geometry

__all__ = ["RequestBook", "start_validation"]

R = TypeVar("R")


def start_validation(body: Json, prefix: str) -> tuple[Issues, Json, str, str]:
    """Begin checking a new request: its geometry, properties, `{prefix}Name` and description.

    Returns the issues found so far (more are added by the caller), the properties, the name and
    the description; a body without properties is refused at once.
    """
    properties = body.get("properties")
    issues = Issues()
    check_geometry(issues, body.get("geometry"))
    if not isinstance(properties, dict):
        issues.add("properties", "Required", "invalid_type")
        issues.raise_if_any()
        raise AssertionError("unreachable")
    name = issues.string(f"properties.{prefix}Name", properties.get(f"{prefix}Name"), required=True)
    description = issues.string(
        f"properties.{prefix}Description", properties.get(f"{prefix}Description"), default=""
    )
    return issues, properties, name, description


class RequestBook(ABC, Generic[R]):
    """The requests of one kind, by id; each record holds the feature the API answers with."""

    prefix: ClassVar[str]  # "taskingrequest" or "repeatrequest": the properties' prefix
    label: ClassVar[str]  # how errors name a request
    repeat: ClassVar[bool]

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self.records: dict[str, R] = {}

    @staticmethod
    @abstractmethod
    def feature(record: R) -> Json:
        """The request feature of `record`."""

    @abstractmethod
    def save(self, record: R) -> None:
        """Write `record` to the database, if there is one."""

    @abstractmethod
    def create(self, user: User, body: Json) -> Json:
        """`POST` a new request: validate, store and answer with its feature."""

    def find(self, user: User, ident: str) -> R:
        """The record `ident` if `user` may see it; else a 404 (a 400 if `ident` is no UUID)."""
        check_uuid(ident, f"{self.prefix}Id")
        record = self.records.get(ident)
        if record is None or not visible(user, self.feature(record)["properties"]):
            raise not_found(self.label, ident)
        return record

    def get(self, user: User, ident: str) -> Json:
        """`GET` one request."""
        with self._ledger.lock:
            return self.feature(self.find(user, ident))

    def update(self, user: User, ident: str, body: Json) -> Json:
        """`PATCH` a request: name, description, custom attributes or product types."""
        with self._ledger.lock:
            record = self.find(user, ident)
            changes = updates(body, self.prefix)
            feature = self.feature(record)
            if status(feature) in FINAL_TRANSACTIONS:
                raise ApiError(
                    400,
                    "UNABLE_TO_UPDATE_" + self.label.upper().replace(" ", "_"),
                    f"Cannot update {self.label.lower()} in current state",
                )
            feature["properties"].update(changes)
            self.save(record)
            return feature

    def update_status(self, user: User, ident: str, body: Json) -> Json:
        """`PATCH .../status`: cancel, approve or reject; answer with the feature."""
        with self._ledger.lock:
            record = self.find(user, ident)
            feature = self.feature(record)
            change_status(feature, body, self._ledger.now(), repeat=self.repeat)
            self.save(record)
            return feature

    def search(self, user: User, filters: Any, page: int, limit: int, body: Json) -> Json:
        """One page of the visible requests matching `filters`."""
        with self._ledger.lock:
            features = [self.feature(r) for r in self.records.values()]
        return search(user, features, filters, page, limit, body, tasks=not self.repeat)
