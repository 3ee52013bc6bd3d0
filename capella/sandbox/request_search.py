"""Search of tasking and repeat requests: who sees what, filters, sorting and paging."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from capella.sandbox.api_errors import validation_error
from capella.sandbox.formats import parse_time
from capella.sandbox.json_types import Json
from capella.sandbox.users import User

__all__ = ["SEARCH_DEFAULT_LIMIT", "SEARCH_MAX_LIMIT", "search", "visible"]


# Search keys that name something other than the property of the same name.
_TASK_KEYS = {
    "organizationIds": "orgId",
    "organizationId": "orgId",
    "taskingrequestIds": "taskingrequestId",
    "repeatrequestIds": "repeatrequestId",
}
_TIME_KEYS = frozenset(
    {
        "submissionTime",
        "windowOpen",
        "windowClose",
        "lastStatusTime",
        "repetitionProperties.repeatStart",
        "repetitionProperties.repeatEnd",
    }
)
SEARCH_DEFAULT_LIMIT = 250
SEARCH_MAX_LIMIT = 500


def visible(user: User, properties: Json) -> bool:
    """Whether `user` may see a request: their own, or their organisation's for a manager."""
    if properties.get("orgId") != user.organization_id:
        return False
    return user.is_manager or properties.get("userId") == user.id


def search(
    user: User,
    features: list[Json],
    filters: Any,
    page: int,
    limit: int,
    body: Json,
    *,
    tasks: bool,
) -> Json:
    """One page of the `features` visible to `user` that match `filters`, sorted as `body` asks."""
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        raise validation_error(
            [{"message": "Expected object", "code": "invalid_type", "path": "query"}]
        )
    filters = dict(filters)
    # Without an explicit scope the caller sees their own requests (the SDK always scopes).
    if "userId" not in filters and not ({"organizationIds", "organizationId"} & set(filters)):
        filters["userId"] = user.id
    include_repeating = filters.pop("includeRepeatingTasks", True)
    predicates = [_predicate(key, condition) for key, condition in filters.items()]
    if tasks and not _truthy(include_repeating):
        predicates.append(lambda p: p.get("repeatrequestId") is None)
    matched = [
        f
        for f in features
        if visible(user, f["properties"]) and all(pred(f["properties"]) for pred in predicates)
    ]
    sort_key = body.get("sort", "submissionTime")
    descending = str(body.get("order", "desc")).lower() != "asc"
    if not isinstance(sort_key, str):
        raise validation_error(
            [{"message": "Expected string", "code": "invalid_type", "path": "sort"}]
        )
    id_key = "taskingrequestId" if tasks else "repeatrequestId"
    matched.sort(key=lambda f: str(f["properties"][id_key]))
    matched.sort(
        key=lambda f: _sortable(_lookup(f["properties"], sort_key.removeprefix("properties."))),
        reverse=descending,
    )
    total_pages = max(1, math.ceil(len(matched) / limit))
    start = (page - 1) * limit
    return {
        "results": matched[start : start + limit],
        "currentPage": page,
        "totalPages": total_pages,
    }


def _truthy(value: Any) -> bool:
    if isinstance(value, dict):
        value = value.get("eq", True)
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _lookup(properties: Json, key: str) -> Any:
    if key == "lastStatusCode":
        return (properties.get("statusHistory") or [{}])[0].get("code")
    if key == "lastStatusTime":
        return (properties.get("statusHistory") or [{}])[0].get("time")
    value: Any = properties
    for part in _TASK_KEYS.get(key, key).split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _sortable(value: Any) -> tuple[int, float, str]:
    if value is None:
        return (0, 0.0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, float(value), "")
    return (2, 0.0, str(value))


def _normalise(value: Any, timed: bool) -> Any:
    if timed:
        return parse_time(value)
    if isinstance(value, str):
        return value.lower()
    return value


def _compare(op: str, actual: Any, expected: Any, timed: bool) -> bool:
    if op in ("in", "nin"):
        if not isinstance(expected, list):
            raise validation_error(
                [{"message": f"'{op}' expects an array", "code": "invalid_type", "path": "query"}]
            )
        found = any(_compare("eq", actual, e, timed) for e in expected)
        return found if op == "in" else not found
    if isinstance(actual, list) and op in ("eq", "neq", "ne"):
        found = any(_compare("eq", a, expected, timed) for a in actual)
        return found if op == "eq" else not found
    left, right = _normalise(actual, timed), _normalise(expected, timed)
    if op == "eq":
        return bool(left == right)
    if op in ("neq", "ne"):
        return bool(left != right)
    if left is None or right is None:
        return False
    if op in ("contains", "startsWith", "endsWith"):
        text, part = str(left), str(right)
        return {
            "contains": part in text,
            "startsWith": text.startswith(part),
            "endsWith": text.endswith(part),
        }[op]
    try:
        return bool(
            {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]
        )
    except TypeError:
        return False


_OPERATORS = frozenset(
    {"eq", "neq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "startsWith", "endsWith"}
)


def _predicate(key: str, condition: Any) -> Callable[[Json], bool]:
    timed = key in _TIME_KEYS
    if isinstance(condition, dict):
        unknown = set(condition) - _OPERATORS
        if unknown:
            raise validation_error(
                [
                    {
                        "message": f"Unknown operator(s) {', '.join(sorted(unknown))}",
                        "code": "unrecognized_keys",
                        "path": f"query.{key}",
                    }
                ]
            )
        checks = list(condition.items())
        return lambda p: all(_compare(op, _lookup(p, key), v, timed) for op, v in checks)
    if isinstance(condition, list):
        return lambda p: _compare("in", _lookup(p, key), condition, timed)
    if timed and isinstance(condition, str) and "/" in condition:
        # A datetime interval "start/end"; ".." or an empty side leaves it open.
        low, _, high = condition.partition("/")
        bounds = [(op, v) for op, v in (("gte", low), ("lte", high)) if v not in ("", "..")]
        return lambda p: all(_compare(op, _lookup(p, key), v, True) for op, v in bounds)
    return lambda p: _compare("eq", _lookup(p, key), condition, timed)
