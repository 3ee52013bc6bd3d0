"""The tasking functions as client methods: same signatures and docstrings, written once."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar, Unpack

from capella._http import ApiSession
from capella.results import RepeatRequestSearchResult, TaskingRequestSearchResult
from capella.tasking import bulk, create, read, search
from capella.tasking.types import RepeatRequestSearchArgs, TaskingRequestSearchArgs

P = ParamSpec("P")
R = TypeVar("R")


class Host(Protocol):
    """The client, as far as the tasking methods use it."""

    _session: ApiSession

    @property
    def customer_id(self) -> str: ...

    @property
    def organization_id(self) -> str: ...


def session_method(
    func: Callable[Concatenate[ApiSession, P], R],
) -> Callable[Concatenate[Host, P], R]:
    """Make ``func(session, *args, **kwargs)`` callable as ``client.func(*args, **kwargs)``.

    The method keeps ``func``'s signature for type checkers and IDEs (``ParamSpec``) and its
    name and docstring for ``help()``.
    """

    @functools.wraps(func)
    def method(self: Host, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return func(self._session, *args, **kwargs)

    # help() and IDEs reading the runtime signature see ``self`` where ``func`` has the session.
    signature = inspect.signature(func)
    first, *rest = signature.parameters.values()
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[first.replace(name="self", annotation=inspect.Parameter.empty), *rest]
    )
    return method


class TaskingMethods:
    """The tasking and repeat request methods ``CapellaConsoleClient`` takes into its class."""

    create_tasking_request = session_method(create.create_tasking_request)
    create_repeat_request = session_method(create.create_repeat_request)
    get_task = session_method(read.get_task)
    get_collects_for_task = session_method(read.get_collects_for_task)
    cancel_tasking_requests = session_method(bulk.cancel_tasking_requests)
    cancel_repeat_requests = session_method(bulk.cancel_repeat_requests)
    update_tasking_requests = session_method(bulk.update_tasking_requests)
    update_repeat_requests = session_method(bulk.update_repeat_requests)

    @staticmethod
    def is_task_completed(task: object) -> bool:
        """Return whether a tasking request (as ``get_task`` returns it) reached ``completed``."""
        return read.is_task_completed(task)

    def search_tasking_requests(
        self: Host, **kwargs: Unpack[TaskingRequestSearchArgs]
    ) -> TaskingRequestSearchResult:
        """Search your tasking requests (or your organization's with ``for_org=True``).

        Filters are ``field=value`` or ``field__op=value``; a list means any of. Fields:
        ``status``, ``collection_type``, ``collection_tier``, ``instrument_mode``,
        ``tasking_request_id``, ``submission_time``, ``last_status_time``, ``window_open``,
        ``window_close``, ``org_id``, ``user_id``; operators eq and in, plus gt, gte, lt, lte
        on times. Options: ``page_size`` (250 to 500), ``threaded`` (default True, up to 8
        pages at a time), ``show_progress`` (a progress bar on stderr). Every page is fetched;
        the requests come in page order. An unknown filter raises ``TypeError``, an invalid
        value ``InvalidInputError``, before any request.

        >>> client.search_tasking_requests(status="completed", window_open__gt="2025-12-01")
        """
        return search.search_tasking_requests(self._session, self, **kwargs)

    def search_repeat_requests(
        self: Host, **kwargs: Unpack[RepeatRequestSearchArgs]
    ) -> RepeatRequestSearchResult:
        """Search your repeat requests (or your organization's with ``for_org=True``).

        Filters as for ``search_tasking_requests``, with ``repeat_request_id``,
        ``repetition_interval``, ``repeat_start`` and ``repeat_end`` in place of
        ``tasking_request_id`` and the windows.

        >>> client.search_repeat_requests(status="active", repeat_start__gt="2025-06-01")
        """
        return search.search_repeat_requests(self._session, self, **kwargs)

    def search_repeat_request(
        self: Host, **kwargs: Unpack[RepeatRequestSearchArgs]
    ) -> RepeatRequestSearchResult:
        """Alias of ``search_repeat_requests`` (the spelling of the reference SDK's examples)."""
        return search.search_repeat_requests(self._session, self, **kwargs)
