"""Search results to the geospatial Python stack: pystac ItemCollections and GeoDataFrames.

pystac and geopandas are optional extras (``capella-sar[pystac]``, ``capella-sar[geo]``), imported
on first use so that ``import capella`` never pays for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from capella.errors import MissingExtraError

if TYPE_CHECKING:
    import geopandas  # type: ignore[import-untyped]
    import pystac

__all__ = ["DISTRIBUTION", "install_hint", "to_geodataframe", "to_pystac"]

# The name on the package index: ``capella`` there is an unrelated project (celestial navigation).
DISTRIBUTION = "capella-sar"

CRS = "EPSG:4326"  # STAC geometries are GeoJSON: WGS 84 longitude, latitude
_LEADING_COLUMNS = ("geometry", "id", "collection")


def install_hint(extra: str) -> str:
    """The command that installs an optional extra of this package."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def _require(module: str, extra: str, what: str) -> Any:
    """Import ``module``, or raise MissingExtraError (an ImportError) naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{what} needs {module}, which is not installed: {install_hint(extra)}",
            name=module,
        ) from exc


def to_pystac(features: Iterable[Mapping[str, Any]]) -> pystac.ItemCollection:
    """Return STAC items (dicts) as a ``pystac.ItemCollection``; the dicts are not changed.

    ``item.to_dict()`` gives back the API's item: no migration to a newer STAC version, and
    the catalog root each item links to is a local ``pystac.Catalog`` with that href (as
    pystac-client does), so serialising an item never fetches the root over the network.
    """
    pystac_ = _require("pystac", "pystac", "to_pystac()")
    roots: dict[str, pystac.Catalog] = {}

    def root_of(feature: Mapping[str, Any]) -> pystac.Catalog | None:
        href = next(
            (link.get("href") for link in feature.get("links") or () if link.get("rel") == "root"),
            None,
        )
        if not isinstance(href, str):
            return None
        if href not in roots:
            roots[href] = pystac_.Catalog(id="capella", description="Capella Space", href=href)
        return roots[href]

    items = [
        pystac_.Item.from_dict(dict(feature), root=root_of(feature), migrate=False)
        for feature in features
    ]
    collection: pystac.ItemCollection = pystac_.ItemCollection(items, clone_items=False)
    return collection


def to_geodataframe(features: Iterable[Mapping[str, Any]]) -> geopandas.GeoDataFrame:
    """Return STAC items (dicts) as a GeoDataFrame: one row per item, CRS EPSG:4326.

    Columns: ``geometry``, ``id``, ``collection``, then every property under its STAC name
    (``sar:product_type``, ``view:incidence_angle``, ...), values as in the JSON.
    """
    gpd = _require("geopandas", "geo", "to_geodataframe()")
    shapely_geometry = _require("shapely.geometry", "geo", "to_geodataframe()")
    rows: list[dict[str, Any]] = []
    geometries: list[Any] = []
    for feature in features:
        geometry = feature.get("geometry")
        geometries.append(shapely_geometry.shape(geometry) if geometry else None)
        # id and collection last, so that a property of the same name cannot replace them
        row = {**(feature.get("properties") or {}), "id": feature.get("id")}
        row["collection"] = feature.get("collection")
        rows.append(row)
    names = list(dict.fromkeys(name for row in rows for name in row))  # first-seen order
    columns = [*_LEADING_COLUMNS[1:], *(n for n in names if n not in _LEADING_COLUMNS)]
    frame = gpd.GeoDataFrame(
        rows,
        columns=columns,
        geometry=gpd.GeoSeries(geometries, crs=CRS),
        crs=CRS,
    )
    ordered: geopandas.GeoDataFrame = frame[["geometry", *columns]]
    return ordered
