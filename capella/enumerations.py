"""Enumerations of the Capella API, with the reference SDK's member names and wire values.

Every enum is a ``str`` (or ``int``) enum, so members compare equal to their wire values and
serialise as them; ``"GEO" in ProductType`` tests membership by value.
"""

from __future__ import annotations

from enum import Enum, EnumMeta
from typing import Any


class _ValueContainsMeta(EnumMeta):
    """Lets ``value in SomeEnum`` test by value as the reference SDK does."""

    def __contains__(cls, item: Any) -> bool:
        try:
            cls(item)
        except ValueError:
            return False
        return True


class BaseEnum(Enum, metaclass=_ValueContainsMeta):
    """Base of every capella enum."""

    @classmethod
    def values(cls) -> list[Any]:
        """Return the wire values in declaration order."""
        return [member.value for member in cls]


class ProductType(str, BaseEnum):
    """Product types (``sar:product_type``, ``processingConfig.productTypes``)."""

    SLC = "SLC"
    GEO = "GEO"
    SICD = "SICD"
    GEC = "GEC"
    SIDD = "SIDD"
    CPHD = "CPHD"
    CSI = "CSI"
    CSIDD = "CSIDD"
    VC = "VC"
    VS = "VS"
    ACD = "ACD"


class AssetType(str, BaseEnum):
    """Asset keys of a product; ``raster`` stands for HH or VV."""

    preview = "preview"
    thumbnail = "thumbnail"
    HH = "HH"
    VV = "VV"
    raster = "raster"
    metadata = "metadata"
    analytic_product = "analytic_product"
    analytic_product_diag = "analytic_product_diag"
    landmask = "landmask"
    changemap = "changemap"
    log = "log"
    profile = "profile"
    stats = "stats"
    stats_plots = "stats_plots"


class OrbitState(str, BaseEnum):
    """Ascending/descending pass constraint."""

    ascending = "ascending"
    descending = "descending"
    either = "either"


class ObservationDirection(str, BaseEnum):
    """Look direction constraint."""

    left = "left"
    right = "right"
    either = "either"


class OrbitalPlane(int, BaseEnum):
    """Orbital plane inclinations in degrees."""

    fortyfive = 45
    fiftythree = 53
    ninetyseven = 97


class InstrumentMode(str, BaseEnum):
    """SAR instrument modes."""

    stripmap = "stripmap"
    spotlight = "spotlight"
    sliding_spotlight = "sliding_spotlight"


class TaskingRequestStatus(str, BaseEnum):
    """Status codes of tasking and repeat requests."""

    received = "received"
    review = "review"
    submitted = "submitted"
    active = "active"
    accepted = "accepted"
    rejected = "rejected"
    expired = "expired"
    completed = "completed"
    anomaly = "anomaly"
    canceled = "canceled"
    error = "error"
    failed = "failed"

    @classmethod
    def is_valid(cls, status_str: str) -> bool:
        """Return whether ``status_str`` is a known status."""
        return status_str in cls


class CollectionTier(str, BaseEnum):
    """Tasking request collection tiers."""

    urgent = "urgent"
    priority = "priority"
    standard = "standard"
    flexible = "flexible"
    internal = "internal"


class RepeatCollectionTier(str, BaseEnum):
    """Repeat request collection tiers."""

    flexible = "flexible"
    routine = "routine"
    internal = "internal"
    insar = "insar"
    insar_internal = "insar-internal"


class RepeatCycle(int, BaseEnum):
    """Common repetition intervals in days."""

    DAILY = 1
    WEEKLY = 7
    BI_WEEKLY = 14
    MONTHLY = 30


class ArchiveHoldback(str, BaseEnum):
    """Periods during which imagery is held back from the public archive."""

    none = "none"
    one_year = "1_year"
    thirty_day = "30_day"
    permanent = "permanent"


class Polarization(str, BaseEnum):
    """Tasking polarizations."""

    HH = "HH"
    VV = "VV"


class LocalTimeOption(str, BaseEnum):
    """Local-time shortcuts sent as-is to the API."""

    day = "day"
    night = "night"
    anytime = "anytime"


class OwnershipOption(str, BaseEnum):
    """Catalog ownership filter values."""

    ORG = "ownedByOrganization"
    PUBLIC = "publiclyAvailable"
    SHARED = "sharedWithOrganization"
    PURCHASABLE = "availableForPurchase"

    @classmethod
    def is_valid(cls, option_str: str) -> bool:
        """Return whether ``option_str`` is a known ownership option."""
        return option_str in cls


class CollectionType(str, BaseEnum):
    """Collection types (collect mode, looks and resolution)."""

    SPOTLIGHT = "spotlight"
    SPOTLIGHT_ULTRA = "spotlight_ultra"
    SPOTLIGHT_WIDE = "spotlight_wide"
    STRIPMAP_20 = "stripmap_20"
    STRIPMAP_50 = "stripmap_50"
    STRIPMAP_100 = "stripmap_100"
    PARALLEL_STRIPMAP_20 = "parallel_stripmap_20"
    PARALLEL_STRIPMAP_50 = "parallel_stripmap_50"
    PARALLEL_STRIPMAP_100 = "parallel_stripmap_100"


class SquintMode(str, BaseEnum):
    """Squint settings of generated collects."""

    ENABLED = "enabled"
    DISABLED = "disabled"
    FORWARD = "forward"
    BACKWARD = "backward"


class InsarOrbit(str, BaseEnum):
    """InSAR orbit identifiers."""

    MIO_53_2P95 = "MIO_53_2P95"
    SSO_97_7P00 = "SSO_97_7P00"


class AuthHeaderPrefix(Enum):
    """Prefixes of the ``Authorization`` header."""

    BASIC = "Basic"
    TOKEN = "Bearer"  # noqa: S105 - a scheme name, not a secret
    API_KEY = "ApiKey"


class FrequencyBand(str, BaseEnum):
    """STAC SAR frequency bands."""

    P = "P"
    L = "L"
    S = "S"
    C = "C"
    X = "X"
    Ku = "Ku"
    K = "K"
    Ka = "Ka"


class ImageFormationAlgorithm(str, BaseEnum):
    """Image formation algorithms."""

    pfa = "pfa"
    backprojection = "backprojection"


class CatalogPolarization(str, BaseEnum):
    """Polarizations that appear on catalog items."""

    HH = "HH"
    VV = "VV"
    HV = "HV"
    VH = "VH"


class CatalogOrbitState(str, BaseEnum):
    """Orbit states of catalog items."""

    ascending = "ascending"
    descending = "descending"


class CatalogObservationDirection(str, BaseEnum):
    """Observation directions of catalog items."""

    left = "left"
    right = "right"
