"""Cancel or update many tasking or repeat requests at once, one result per id.

Each id is sent on its own (up to 10 at a time) and every failure of one id (an API error, a
transport error, an unreadable answer) becomes that id's result, so one failure never hides or
aborts the others. Results come back keyed by id, in the order the ids were given:

- success: ``{"success": True}`` (cancel) or the updated request (update);
- failure: ``{"success": False, "error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from capella._config import BULK_WORKERS as MAX_CONCURRENCY
from capella._flow import Call, Context, Done, Flow, Next, Start, call
from capella._logging import ClientLog
from capella.errors import DEFAULT_ERROR_CODE, CapellaConsoleClientError
from capella.tasking import _values as v
from capella.tasking._entity import REPEAT, TASKING, Entity
from capella.tasking.types import ProductTypeLike

Result = dict[str, Any]


def failure(exc: BaseException) -> Result:
    """The per-id result for any failure."""
    if isinstance(exc, CapellaConsoleClientError):
        code = exc.code or DEFAULT_ERROR_CODE
        message = exc.message or str(exc) or type(exc).__name__
    elif isinstance(exc, httpx.HTTPError):
        code, message = "CONNECTION_ERROR", f"{type(exc).__name__}: {exc}"
    else:
        code, message = "CLIENT_ERROR", f"{type(exc).__name__}: {exc}"
    return {"success": False, "error": {"code": code, "message": message}}


def json_object(data: Any, what: str) -> dict[str, Any]:
    """The JSON object an update answered with; ``INVALID_RESPONSE`` for anything else."""
    if not isinstance(data, dict):
        raise CapellaConsoleClientError(
            f"{what}: the API answered with {type(data).__name__}, not the updated request",
            "INVALID_RESPONSE",
        )
    return data


def fan_out(
    ids: Sequence[str], calls: Sequence[Call], settle: Callable[[str, Any], Result]
) -> Flow[dict[str, Result]]:
    """Send one call per id, up to MAX_CONCURRENCY at a time; one result per id, in id order.

    Every failure (an API error, a transport error, an unreadable answer) becomes that id's
    result, never the others'.
    """
    if not ids:
        return {}
    handles: list[int] = yield Start(tuple(calls), min(MAX_CONCURRENCY, len(ids)))
    pending = dict(zip(handles, ids, strict=True))
    results: dict[str, Result] = {}
    while pending:
        done: Done = yield Next(frozenset(pending))
        request_id = pending.pop(done.handle)
        try:
            results[request_id] = settle(request_id, done.result())
        except Exception as exc:
            results[request_id] = failure(exc)
    return {request_id: results[request_id] for request_id in ids}


def log_summary(log: ClientLog, results: dict[str, Result], entity: Entity, verb: str) -> None:
    """Log how many requests succeeded, then each id's outcome."""
    failed = {k: r for k, r in results.items() if r.get("success") is False}
    log.info("%s %d of %d %ss", verb, len(results) - len(failed), len(results), entity.noun)
    for request_id, result in results.items():
        error = result.get("error") or {}
        if request_id in failed:
            log.info("%s: failed: %s %s", request_id, error.get("code"), error.get("message"))
        else:
            log.info("%s: %s", request_id, verb)


def planned_ids(
    log: ClientLog, entity: Entity, raw_ids: Sequence[str | None], verb: str
) -> list[str]:
    """The ids to act on (checked, without duplicates); logs what is about to happen."""
    ids = v.request_ids(entity.ids_name, raw_ids)
    log.info("%s %d %s%s", verb, len(ids), entity.noun, "s" if len(ids) > 1 else "")
    return ids


# What an update may change: keyword, then wire key (``{prefix}``: the entity's wire prefix).
UPDATE_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "{prefix}Name"),
    ("description", "{prefix}Description"),
    ("custom_attribute_1", "customAttribute1"),
    ("custom_attribute_2", "customAttribute2"),
)


def update_body(entity: Entity, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The body of an update: only the fields of ``changes`` given (not None), checked.

    ``changes`` holds the update's keywords (``UPDATE_FIELDS`` and ``product_types``).
    """
    properties: dict[str, Any] = {
        wire.format(prefix=entity.prefix): v.optional_str(name, changes[name])
        for name, wire in UPDATE_FIELDS
        if changes[name] is not None
    }
    if changes["product_types"] is not None:
        properties["processingConfig"] = {"productTypes": v.product_types(changes["product_types"])}
    return {"properties": properties}


# The body of a cancel, and a cancel's result: a 2xx status means the request is canceled.
CANCEL_BODY: dict[str, Any] = {"status": "canceled"}
CANCELED: Result = {"success": True}


class _ForEntity:
    """One bulk operation for one entity, named and documented as the client shows it.

    The signature is the subclass's ``__call__``'s, with the ids named for the entity
    (``*tasking_request_ids``), so ``help()`` and the client methods read as if written out.
    """

    verb: str  # "cancel"
    doc: str  # the docstring, with ``{noun}`` for the entity's noun
    __call__: Callable[..., Flow[dict[str, Result]]]  # the operation, ids first after ctx

    def __init__(self, entity: Entity) -> None:
        self.entity = entity
        self.__name__ = self.__qualname__ = f"{self.verb}_{entity.ids_name.removesuffix('_ids')}s"
        self.__module__ = __name__
        self.__doc__ = self.doc.format(noun=entity.noun)
        signature = inspect.signature(self.__call__)
        ctx, ids, *rest = signature.parameters.values()
        self.__signature__ = signature.replace(
            parameters=[ctx, ids.replace(name=entity.ids_name), *rest]
        )


class Cancel(_ForEntity):
    """``cancel_tasking_requests`` and ``cancel_repeat_requests``."""

    verb = "cancel"
    doc = """Cancel 1..N {noun}s; return ``{{id: {{"success": ...}}}}`` in the order given.

    Ids are deduplicated (None is skipped) and must be UUIDs. A failed id's result is
    ``{{"success": False, "error": {{"code", "message"}}}}``. Cancelling may incur fees.
    """

    def __call__(self, ctx: Context, *request_ids: str | None) -> Flow[dict[str, Result]]:
        """Cancel the requests (see the class's ``doc``)."""
        entity = self.entity
        ids = planned_ids(ctx.log, entity, request_ids, "canceling")
        calls = [call(entity.update_status, i, body=CANCEL_BODY, decode=False) for i in ids]
        results = yield from fan_out(ids, calls, lambda _id, _answer: dict(CANCELED))
        log_summary(ctx.log, results, entity, "canceled")
        return results


class Update(_ForEntity):
    """``update_tasking_requests`` and ``update_repeat_requests``."""

    verb = "update"
    doc = """Apply the same changes to 1..N {noun}s; return results keyed by id, in order.

    Only the fields given (not None) change. A success is the updated request as the API
    returns it; a failure is ``{{"success": False, "error": {{"code", "message"}}}}``.
    """

    def __call__(
        self,
        ctx: Context,
        *request_ids: str | None,
        name: str | None = None,
        description: str | None = None,
        custom_attribute_1: str | None = None,
        custom_attribute_2: str | None = None,
        product_types: Sequence[ProductTypeLike] | None = None,
    ) -> Flow[dict[str, Result]]:
        """Update the requests (see the class's ``doc``)."""
        entity = self.entity
        # The arguments by name: UPDATE_FIELDS says what each keyword becomes on the wire.
        body = update_body(entity, locals())
        ids = planned_ids(ctx.log, entity, request_ids, "updating")
        calls = [call(entity.update, i, body=body) for i in ids]
        results = yield from fan_out(
            ids, calls, lambda i, answer: json_object(answer, f"updating {entity.noun} {i}")
        )
        log_summary(ctx.log, results, entity, "updated")
        return results


cancel_tasking_requests: Cancel = Cancel(TASKING)
cancel_repeat_requests: Cancel = Cancel(REPEAT)
update_tasking_requests: Update = Update(TASKING)
update_repeat_requests: Update = Update(REPEAT)
