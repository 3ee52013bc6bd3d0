"""Search tasking and repeat requests: keyword filters to the API's query body, then all pages.

One table per entity lists the filter fields (Python name, wire key, kind); the kind decides the
operators a field takes and how its values are checked and serialised. Nothing is dropped: an
unknown field or operator raises ``InvalidFilterError`` (with the closest name, as the
catalog search does), an invalid value ``InvalidInputError``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, Unpack

import attrs

from capella._config import SEARCH_WORKERS as MAX_CONCURRENCY
from capella._flow import CURRENT_USER, Call, Context, Done, Flow, Next, Start, call
from capella._logging import ClientLog
from capella._ops import Op
from capella.enumerations import (
    CollectionTier,
    CollectionType,
    InstrumentMode,
    RepeatCollectionTier,
    TaskingRequestStatus,
)
from capella.errors import CapellaConsoleClientError, InvalidFilterError, InvalidInputError
from capella.fields import suggest
from capella.results import RepeatRequestSearchResult, SearchEntity, TaskingRequestSearchResult
from capella.tasking import _values as v
from capella.tasking.types import RepeatRequestFilters, TaskingRequestFilters

if TYPE_CHECKING:
    from rich.progress import Progress

DEFAULT_PAGE_SIZE = 250
MIN_PAGE_SIZE = 250
MAX_PAGE_SIZE = 500

R = TypeVar("R", TaskingRequestSearchResult, RepeatRequestSearchResult)


class UserIds(Protocol):
    """Who is searching: the ids that scope a search (the client, which fetches them lazily)."""

    @property
    def customer_id(self) -> str:
        """The signed-in user's id."""

    @property
    def organization_id(self) -> str:
        """The signed-in user's organization id."""


class Kind(enum.Enum):
    """How a filter's values are checked and which operators it takes."""

    ENUM = "enum"  # eq, in
    ID = "id"  # eq, in (UUIDs)
    SCOPE = "scope"  # eq, in (user and organization ids)
    TIME = "time"  # eq, gt, gte, lt, lte (ISO 8601 UTC)
    INT = "int"  # eq, in, gt, gte, lt, lte


OPERATORS: Mapping[Kind, tuple[str, ...]] = {
    Kind.ENUM: ("eq", "in"),
    Kind.ID: ("eq", "in"),
    Kind.SCOPE: ("eq", "in"),
    Kind.TIME: ("eq", "gt", "gte", "lt", "lte"),
    Kind.INT: ("eq", "in", "gt", "gte", "lt", "lte"),
}
# Operators whose value may be a list (any of); others compare with one value.
LIST_OPERATORS = frozenset({"eq", "in"})


@attrs.frozen
class Field:
    """One search filter: keyword name, wire key, kind (and enum for ``Kind.ENUM``)."""

    name: str
    wire: str
    kind: Kind
    enum: type[enum.Enum] | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        """The operators this field takes."""
        return OPERATORS[self.kind]


_COMMON = (
    Field("collection_type", "collectionType", Kind.ENUM, CollectionType),
    Field("instrument_mode", "type", Kind.ENUM, InstrumentMode),
    Field("status", "lastStatusCode", Kind.ENUM, TaskingRequestStatus),
    Field("last_status_time", "lastStatusTime", Kind.TIME),
    Field("submission_time", "submissionTime", Kind.TIME),
    Field("org_id", "organizationIds", Kind.SCOPE),
    Field("user_id", "userId", Kind.SCOPE),
)


def _table(*own: Field) -> Mapping[str, Field]:
    """The fields every request search shares, then ``own``, keyed by Python name."""
    return {f.name: f for f in (*_COMMON, *own)}


TASKING_REQUEST_FIELDS: Mapping[str, Field] = _table(
    Field("collection_tier", "collectionTier", Kind.ENUM, CollectionTier),
    Field("tasking_request_id", "taskingrequestIds", Kind.ID),
    Field("window_open", "windowOpen", Kind.TIME),
    Field("window_close", "windowClose", Kind.TIME),
)
REPEAT_REQUEST_FIELDS: Mapping[str, Field] = _table(
    Field("collection_tier", "collectionTier", Kind.ENUM, RepeatCollectionTier),
    Field("repeat_request_id", "repeatrequestIds", Kind.ID),
    Field("repetition_interval", "repetitionProperties.repetitionInterval", Kind.INT),
    Field("repeat_start", "repetitionProperties.repeatStart", Kind.TIME),
    Field("repeat_end", "repetitionProperties.repeatEnd", Kind.TIME),
)
SCOPE_FIELDS = frozenset({"org_id", "user_id"})


def filter_keywords(fields: Mapping[str, Field]) -> frozenset[str]:
    """Every keyword a filter table accepts: ``field`` and ``field__op``."""
    return frozenset(
        {f.name for f in fields.values()}
        | {f"{f.name}__{op}" for f in fields.values() for op in f.operators}
    )


def _value(field: Field, value: Any) -> Any:
    """One filter value, checked and in wire form."""
    if field.kind is Kind.ENUM:
        assert field.enum is not None
        return v.enum_value(field.name, value, field.enum)
    if field.kind is Kind.ID:
        return v.uuid_str(field.name, value)
    if field.kind is Kind.SCOPE:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(f"{field.name}: expected an id string, not {value!r}")
        return value.strip()
    if field.kind is Kind.TIME:
        return v.iso_datetime(field.name, value)
    return v.number(field.name, value, minimum=0, integer=True)


def _unexpected(func: str, key: str, fields: Mapping[str, Field]) -> InvalidFilterError:
    name, _, op = key.partition("__")
    field = fields.get(name)
    if field is not None:
        return InvalidFilterError(
            f"{func}(): operator {op!r} does not apply to {name}:{suggest(op, field.operators)} "
            f"it takes {', '.join(field.operators)}"
        )
    return InvalidFilterError(
        f"{func}(): unknown filter {key!r}:{suggest(name, fields)} filters are "
        f"{', '.join(fields)} (with __eq, __in, __gt, __gte, __lt or __lte where they apply)"
    )


def build_query(
    func: str, fields: Mapping[str, Field], filters: Mapping[str, Any]
) -> dict[str, Any]:
    """The API query object for keyword filters (without scoping).

    A scalar becomes ``{wire: {op: value}}``; a list (or ``__in``) becomes ``{wire: [values]}``,
    the API's "any of". Several operators on one field merge.
    """
    query: dict[str, Any] = {}
    for key, raw in filters.items():
        name, sep, op = key.partition("__")
        field = fields.get(name)
        if field is None or (sep and op not in field.operators):
            raise _unexpected(func, key, fields)
        op = op or "eq"
        items = v.as_list(raw)
        if items is not None and op not in LIST_OPERATORS:
            raise InvalidInputError(f"{key}: {op!r} compares with one value, not a list")
        if items is not None or op == "in":
            values: list[Any] = []
            for item in items if items is not None else [raw]:
                if item is None and field.kind is Kind.ID:
                    continue  # as the reference SDK does with request id lists
                checked = _value(field, item)
                if checked not in values:
                    values.append(checked)
            if not values:
                raise InvalidInputError(f"{key}: an empty list matches nothing; pass values")
            if field.wire in query:
                raise InvalidInputError(f"{name}: pass either a list of values or operators")
            query[field.wire] = values
            continue
        existing = query.setdefault(field.wire, {})
        if not isinstance(existing, dict) or op in existing:
            raise InvalidInputError(f"{name}: {op!r} is given twice, or with a list of values")
        existing[op] = _value(field, raw)
    return query


def scoped_by_filters(filters: Mapping[str, Any]) -> bool:
    """Whether an ``org_id`` or ``user_id`` filter sets the scope (the caller's ids are unused)."""
    return any(key.partition("__")[0] in SCOPE_FIELDS for key in filters)


def _scope(
    query: dict[str, Any], filters: Mapping[str, Any], for_org: bool, user: UserIds
) -> dict[str, Any]:
    """Add the caller's scope unless an ``org_id`` or ``user_id`` filter sets one."""
    if scoped_by_filters(filters):
        return query
    if for_org:
        return {**query, "organizationIds": [user.organization_id]}
    return {**query, "userId": user.customer_id}


def _page_size(page_size: Any) -> int:
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidInputError(f"page_size: expected an integer, not {page_size!r}")
    if not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInputError(
            f"page_size: must be between {MIN_PAGE_SIZE} and {MAX_PAGE_SIZE}, not {page_size}"
        )
    return page_size


def checked_page(data: Any, entity: SearchEntity, page: int) -> dict[str, Any]:
    """A search page, checked to have the shape paging relies on (``results``, ``totalPages``)."""
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("results"), list)
        or not isinstance(data.get("totalPages"), int)
    ):
        raise CapellaConsoleClientError(
            f"{entity.value} search page {page}: expected an object with 'results' "
            f"and 'totalPages', got {str(data)[:200]}",
            "INVALID_RESPONSE",
        )
    return data


def log_start(log: ClientLog, entity: SearchEntity, body: dict[str, Any]) -> None:
    """Log the search about to run, with its body."""
    log.info("searching %ss with payload %s", entity.value, json.dumps(body))


def log_page(
    log: ClientLog, entity: SearchEntity, number: int, total: int, page: dict[str, Any]
) -> None:
    """Log one fetched page."""
    log.info("page %d out of %d: %d %ss", number, total, len(page["results"]), entity.value)


def fetch_pages(
    ctx: Context,
    op: Op,
    body: dict[str, Any],
    entity: SearchEntity,
    size: int,
    result: R,
    *,
    threaded: bool,
    show_progress: bool,
) -> Flow[R]:
    """Fetch page 1, then pages 2..N (in parallel when ``threaded``); add them in page order."""
    log = ctx.log
    log_start(log, entity, body)

    def page(number: int) -> Call:
        return call(op, body=body, page=number, limit=size)

    first = checked_page((yield page(1)), entity, 1)
    total = max(1, first["totalPages"])
    pages: dict[int, dict[str, Any]] = {1: first}
    log_page(log, entity, 1, total, first)

    progress = progress_bar(entity) if show_progress and total > 1 else None
    task = None
    if progress is not None:
        progress.start()
        task = progress.add_task(f"Fetching {entity.value}s...", total=total, completed=1)

    def done(number: int, data: Any) -> None:
        pages[number] = checked_page(data, entity, number)
        log_page(log, entity, number, total, pages[number])
        if progress is not None and task is not None:
            progress.advance(task)

    try:
        remaining = range(2, total + 1)
        if threaded and len(remaining) > 1:
            limit = min(MAX_CONCURRENCY, len(remaining))
            handles: list[int] = yield Start(tuple(page(n) for n in remaining), limit)
            numbers = dict(zip(handles, remaining, strict=True))
            while numbers:
                finished: Done = yield Next(frozenset(numbers))
                # Fail fast: the first failure ends the search; pages not started never are.
                done(numbers.pop(finished.handle), finished.result())
        else:
            for number in remaining:
                done(number, (yield page(number)))
    finally:
        if progress is not None:
            progress.stop()

    for number in sorted(pages):
        result.add(pages[number])
    result.log_summary(log=log)
    return result


def progress_bar(entity: SearchEntity) -> Progress:
    """A page-count progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed}/{task.total} pages"),
        console=Console(stderr=True),
    )


@attrs.frozen
class Target(Generic[R]):
    """What differs between the tasking and the repeat request search."""

    func: str
    fields: Mapping[str, Field]
    body_key: str  # "query" (tasking) or "filter" (repeat), as the reference SDK sends them
    prefix: Mapping[str, Any]
    entity: SearchEntity
    op: Op
    result: type[R]


TASKING_REQUESTS = Target(
    func="search_tasking_requests",
    fields=TASKING_REQUEST_FIELDS,
    body_key="query",
    # Tasks derived from repeat requests are listed by the repeat request search instead.
    prefix={"includeRepeatingTasks": {"eq": False}},
    entity=SearchEntity.TASKING_REQUEST,
    op=Op.SEARCH_TASKING_REQUESTS,
    result=TaskingRequestSearchResult,
)
REPEAT_REQUESTS = Target(
    func="search_repeat_requests",
    fields=REPEAT_REQUEST_FIELDS,
    body_key="filter",
    prefix={},
    entity=SearchEntity.REPEAT_REQUEST,
    op=Op.SEARCH_REPEAT_REQUESTS,
    result=RepeatRequestSearchResult,
)


def request_body(
    target: Target[Any], user: UserIds, filters: Mapping[str, Any], *, for_org: bool = False
) -> dict[str, Any]:
    """The search body for keyword filters, scoped to the caller unless they say otherwise."""
    query = unscoped_query(target, filters, for_org=for_org)
    return scoped_body(target, query, filters, user, for_org=for_org)


def unscoped_query(
    target: Target[Any], filters: Mapping[str, Any], *, for_org: bool = False
) -> dict[str, Any]:
    """The checked query for keyword filters, before the caller's scope is added."""
    v.boolean("for_org", for_org)
    return {**target.prefix, **build_query(target.func, target.fields, filters)}


def scoped_body(
    target: Target[Any],
    query: dict[str, Any],
    filters: Mapping[str, Any],
    user: UserIds,
    *,
    for_org: bool = False,
) -> dict[str, Any]:
    """The search body: ``query`` scoped to the caller unless a filter sets the scope."""
    return {target.body_key: _scope(query, filters, for_org, user)}


def paging_options(page_size: int | None, threaded: bool, show_progress: bool) -> int:
    """Check the paging options (before ``GET /user`` or any search request); the page size."""
    v.boolean("threaded", threaded)
    v.boolean("show_progress", show_progress)
    return _page_size(DEFAULT_PAGE_SIZE if page_size is None else page_size)


def search_requests(ctx: Context, target: Target[R], args: Mapping[str, Any]) -> Flow[R]:
    """Check the filters and options, scope the body to the caller, fetch every page.

    ``args`` are the search function's arguments by name: the paging options and ``filters``.
    """
    filters, for_org = args["filters"], args["for_org"]
    size = paging_options(args["page_size"], args["threaded"], args["show_progress"])
    query = unscoped_query(target, filters, for_org=for_org)
    # The caller's ids cost a GET /user, asked for only when the scope needs them.
    user = _Unscoped() if scoped_by_filters(filters) else _Ids((yield CURRENT_USER))
    body = scoped_body(target, query, filters, user, for_org=for_org)
    return (
        yield from fetch_pages(
            ctx,
            target.op,
            body,
            target.entity,
            size,
            target.result(body),
            threaded=args["threaded"],
            show_progress=args["show_progress"],
        )
    )


@attrs.frozen
class _Ids:
    """The signed-in user's ids, read from ``GET /user``."""

    user: Mapping[str, Any]

    @property
    def customer_id(self) -> str:
        return str(self.user["id"])

    @property
    def organization_id(self) -> str:
        return str(self.user["organizationId"])


class _Unscoped:
    """Stands in for the user when a filter sets the scope: its ids are never read."""

    @property
    def customer_id(self) -> str:
        raise AssertionError("the scope is set by a filter")

    @property
    def organization_id(self) -> str:
        raise AssertionError("the scope is set by a filter")


def search_tasking_requests(
    ctx: Context,
    *,
    for_org: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    threaded: bool = True,
    show_progress: bool = False,
    **filters: Unpack[TaskingRequestFilters],
) -> Flow[TaskingRequestSearchResult]:
    """Search tasking requests (``POST /tasks/search``), all pages, in page order.

    Filters are ``field=value`` or ``field__op=value`` (op: eq, in, gt, gte, lt, lte where the
    field takes it); a list means any of. Fields: ``status``, ``collection_type``,
    ``collection_tier``, ``instrument_mode``, ``tasking_request_id``, ``submission_time``,
    ``last_status_time``, ``window_open``, ``window_close``, ``org_id``, ``user_id``.

    Without ``org_id``/``user_id`` the search covers your own requests, or your organization's
    with ``for_org=True`` (needs the organization-manager role). Tasks of repeat requests are
    excluded. ``page_size`` is 250 to 500; ``threaded`` fetches up to 8 pages at a time;
    ``show_progress`` draws a progress bar on stderr.
    """
    # The arguments by name: the options and the filters, read by search_requests.
    return (yield from search_requests(ctx, TASKING_REQUESTS, locals()))


def search_repeat_requests(
    ctx: Context,
    *,
    for_org: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    threaded: bool = True,
    show_progress: bool = False,
    **filters: Unpack[RepeatRequestFilters],
) -> Flow[RepeatRequestSearchResult]:
    """Search repeat requests (``POST /repeat-requests/search``), all pages, in page order.

    Filters as for ``search_tasking_requests``, with ``repeat_request_id``,
    ``repetition_interval``, ``repeat_start`` and ``repeat_end`` in place of
    ``tasking_request_id`` and the windows; ``collection_tier`` takes the repeat tiers.
    """
    return (yield from search_requests(ctx, REPEAT_REQUESTS, locals()))
