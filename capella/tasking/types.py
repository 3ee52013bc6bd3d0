"""The argument types of the tasking functions: what a person may pass, spelled for type checkers.

Each enum parameter takes the enum member or one of the ``Literal`` wire values below; the
``...Like`` unions say so once, so every signature stays short and IDEs complete the values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, Protocol, TypeAlias, TypedDict

from capella.enumerations import (
    ArchiveHoldback,
    CollectionTier,
    InsarOrbit,
    LocalTimeOption,
    ObservationDirection,
    OrbitState,
    Polarization,
    RepeatCollectionTier,
    RepeatCycle,
    SquintMode,
    TaskingRequestStatus,
)

# The aliases the catalog search shares, generated from the enumerations, written once there.
from capella.filters import (
    CollectionTypeLike,
    InstrumentModeLike,
    OrbitalPlaneLike,
    ProductTypeLike,
)

__all__ = [
    "ArchiveHoldbackLike",
    "CollectionTierLike",
    "CollectionTypeLike",
    "DatetimeLike",
    "GeometryLike",
    "InsarOrbitLike",
    "InstrumentModeLike",
    "LocalTimeLike",
    "LookDirectionLike",
    "OrbitStateLike",
    "OrbitalPlaneLike",
    "PolarizationLike",
    "ProductTypeLike",
    "RepeatCollectionTierLike",
    "RepeatRequestFilters",
    "RepeatRequestSearchArgs",
    "RepetitionIntervalLike",
    "SquintLike",
    "StatusLike",
    "SupportsGeoInterface",
    "TaskingRequestFilters",
    "TaskingRequestSearchArgs",
]


class SupportsGeoInterface(Protocol):
    """Anything with ``__geo_interface__`` (shapely, geojson, ...)."""

    @property
    def __geo_interface__(self) -> Mapping[str, Any]: ...


GeometryLike: TypeAlias = Mapping[str, Any] | SupportsGeoInterface
"""A GeoJSON Point or Polygon: a dict, a ``geojson`` object, anything with ``__geo_interface__``."""

DatetimeLike: TypeAlias = datetime | date | str
"""A datetime (naive means UTC), a date (midnight UTC) or any string ``dateutil`` parses."""

CollectionTierLike: TypeAlias = (
    CollectionTier | Literal["urgent", "priority", "standard", "flexible", "internal"]
)
RepeatCollectionTierLike: TypeAlias = (
    RepeatCollectionTier | Literal["flexible", "routine", "internal", "insar", "insar-internal"]
)
# "30 day", "1 year" (the API's old spellings) and the member names are accepted too.
ArchiveHoldbackLike: TypeAlias = (
    ArchiveHoldback
    | Literal["none", "1_year", "30_day", "permanent", "one_year", "thirty_day", "1 year", "30 day"]
)
OrbitStateLike: TypeAlias = OrbitState | Literal["ascending", "descending", "either"]
LookDirectionLike: TypeAlias = ObservationDirection | Literal["left", "right", "either"]
PolarizationLike: TypeAlias = Polarization | Literal["HH", "VV"]
SquintLike: TypeAlias = SquintMode | Literal["enabled", "disabled", "forward", "backward"]
InsarOrbitLike: TypeAlias = InsarOrbit | Literal["MIO_53_2P95", "SSO_97_7P00"]
LocalTimeLike: TypeAlias = (
    LocalTimeOption | Literal["day", "night", "anytime"] | Sequence[Sequence[int]] | Sequence[int]
)
"""``day``/``night``/``anytime`` (sent as given) or ``[[start, end], ...]`` seconds of the day."""

RepetitionIntervalLike: TypeAlias = RepeatCycle | int
StatusLike: TypeAlias = (
    TaskingRequestStatus
    | Literal[
        "received",
        "review",
        "submitted",
        "active",
        "accepted",
        "rejected",
        "expired",
        "completed",
        "anomaly",
        "canceled",
        "error",
        "failed",
    ]
)

# -- search filters --------------------------------------------------------------------------
# One key per accepted ``field`` / ``field__op`` keyword. A sequence value means "any of" and is
# accepted with ``eq`` and ``in`` only. tests/unit/test_tasking_search.py checks that these keys
# match the filter tables of capella/tasking/search.py.

_Statuses: TypeAlias = StatusLike | Sequence[StatusLike]
_Types: TypeAlias = CollectionTypeLike | Sequence[CollectionTypeLike]
_Modes: TypeAlias = InstrumentModeLike | Sequence[InstrumentModeLike]
_Ids: TypeAlias = str | Sequence[str]
_Tiers: TypeAlias = CollectionTierLike | Sequence[CollectionTierLike]
_RepeatTiers: TypeAlias = RepeatCollectionTierLike | Sequence[RepeatCollectionTierLike]
_Intervals: TypeAlias = RepetitionIntervalLike | Sequence[RepetitionIntervalLike]


class _CommonFilters(TypedDict, total=False):
    collection_type: _Types
    collection_type__eq: _Types
    collection_type__in: _Types
    instrument_mode: _Modes
    instrument_mode__eq: _Modes
    instrument_mode__in: _Modes
    status: _Statuses
    status__eq: _Statuses
    status__in: _Statuses
    last_status_time: DatetimeLike
    last_status_time__eq: DatetimeLike
    last_status_time__gt: DatetimeLike
    last_status_time__gte: DatetimeLike
    last_status_time__lt: DatetimeLike
    last_status_time__lte: DatetimeLike
    submission_time: DatetimeLike
    submission_time__eq: DatetimeLike
    submission_time__gt: DatetimeLike
    submission_time__gte: DatetimeLike
    submission_time__lt: DatetimeLike
    submission_time__lte: DatetimeLike
    org_id: _Ids
    org_id__eq: _Ids
    org_id__in: _Ids
    user_id: _Ids
    user_id__eq: _Ids
    user_id__in: _Ids


class TaskingRequestFilters(_CommonFilters, total=False):
    """Filters of ``search_tasking_requests`` (``field`` or ``field__op``)."""

    collection_tier: _Tiers
    collection_tier__eq: _Tiers
    collection_tier__in: _Tiers
    tasking_request_id: _Ids
    tasking_request_id__eq: _Ids
    tasking_request_id__in: _Ids
    window_open: DatetimeLike
    window_open__eq: DatetimeLike
    window_open__gt: DatetimeLike
    window_open__gte: DatetimeLike
    window_open__lt: DatetimeLike
    window_open__lte: DatetimeLike
    window_close: DatetimeLike
    window_close__eq: DatetimeLike
    window_close__gt: DatetimeLike
    window_close__gte: DatetimeLike
    window_close__lt: DatetimeLike
    window_close__lte: DatetimeLike


class RepeatRequestFilters(_CommonFilters, total=False):
    """Filters of ``search_repeat_requests`` (``field`` or ``field__op``)."""

    collection_tier: _RepeatTiers
    collection_tier__eq: _RepeatTiers
    collection_tier__in: _RepeatTiers
    repeat_request_id: _Ids
    repeat_request_id__eq: _Ids
    repeat_request_id__in: _Ids
    repetition_interval: _Intervals
    repetition_interval__eq: _Intervals
    repetition_interval__in: _Intervals
    repetition_interval__gt: RepetitionIntervalLike
    repetition_interval__gte: RepetitionIntervalLike
    repetition_interval__lt: RepetitionIntervalLike
    repetition_interval__lte: RepetitionIntervalLike
    repeat_start: DatetimeLike
    repeat_start__eq: DatetimeLike
    repeat_start__gt: DatetimeLike
    repeat_start__gte: DatetimeLike
    repeat_start__lt: DatetimeLike
    repeat_start__lte: DatetimeLike
    repeat_end: DatetimeLike
    repeat_end__eq: DatetimeLike
    repeat_end__gt: DatetimeLike
    repeat_end__gte: DatetimeLike
    repeat_end__lt: DatetimeLike
    repeat_end__lte: DatetimeLike


class _SearchOptions(TypedDict, total=False):
    for_org: bool
    page_size: int
    threaded: bool
    show_progress: bool


class TaskingRequestSearchArgs(TaskingRequestFilters, _SearchOptions, total=False):
    """Every keyword of ``CapellaConsoleClient.search_tasking_requests``."""


class RepeatRequestSearchArgs(RepeatRequestFilters, _SearchOptions, total=False):
    """Every keyword of ``CapellaConsoleClient.search_repeat_requests``."""
