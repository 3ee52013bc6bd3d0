"""Search results for the eye: a compact HTML table (Jupyter), an interactive map, a static map.

The table needs only the standard library. The maps need the ``geo`` extra (geopandas,
matplotlib, folium, mapclassify), imported on first use so that ``import capella`` pays
nothing. Items come from a server: every value is escaped before it reaches HTML.
"""

from __future__ import annotations

import html
import io
import json
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import attrs

from capella.interop import CRS
from capella.interop import _require as require
from capella.results import SearchEntity

if TYPE_CHECKING:
    import geopandas  # type: ignore[import-untyped]

__all__ = [
    "COLUMNS",
    "HTML_ROWS",
    "PALETTE",
    "Column",
    "Layer",
    "cell_text",
    "colour_field",
    "explore",
    "footprints_frame",
    "html_table",
    "plot",
    "png",
]

HTML_ROWS = 20  # rows the table shows; a count line says how many there are in all
CELL_CHARS = 80  # longer values are cut, so that one odd property cannot swell the table
URL_CHARS = 2048  # longer thumbnail URLs are not linked (a presigned URL is well below)
LINK_SCHEMES = ("https://", "http://")  # anything else (javascript:, data:) is not a link

# Category colours, in order: the same in the static and the interactive map (tab10).
PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
NUMERIC_CMAP = "viridis"
FILL_ALPHA = 0.55  # footprints overlap: let the ones below show through
MARKER_BELOW = 0.01  # footprints smaller than this part of the map get a marker too
MARKER_SIZE = 18  # points^2
ANTIMERIDIAN_WIDTH = 180.0  # a footprint wider than this crosses the antimeridian
FIGURE_INCHES = (8.0, 6.0)
FIGURE_DPI = 100

KeyPath = tuple[str | int, ...]


@attrs.frozen
class Column:
    """One column of the table and of the map's tooltip: a header and where the value is."""

    header: str
    path: KeyPath
    link: bool = False  # a URL, shown as a link named after the column


def _dig(record: Any, path: KeyPath) -> Any:
    """``record[path[0]][path[1]]...``, or None when a step is missing."""
    value = record
    for key in path:
        if isinstance(key, int):
            if not isinstance(value, list) or len(value) <= key:
                return None
        elif not isinstance(value, Mapping):
            return None
        value = value[key] if isinstance(key, int) else value.get(key)
    return value


_P = "properties"
_REPEAT = (_P, "repetitionProperties")

# What each kind of result shows; the first column names the item.
COLUMNS: dict[SearchEntity, tuple[Column, ...]] = {
    SearchEntity.STAC_ITEM: (
        Column("id", ("id",)),
        Column("datetime", (_P, "datetime")),
        Column("product type", (_P, "sar:product_type")),
        Column("mode", (_P, "sar:instrument_mode")),
        Column("polarizations", (_P, "sar:polarizations")),
        Column("look angle", (_P, "view:look_angle")),
        Column("thumbnail", ("assets", "thumbnail", "href"), link=True),
    ),
    SearchEntity.TASKING_REQUEST: (
        Column("id", (_P, "taskingrequestId")),
        Column("name", (_P, "taskingrequestName")),
        Column("status", (_P, "statusHistory", 0, "code")),
        Column("tier", (_P, "collectionTier")),
        Column("type", (_P, "collectionType")),
        Column("window open", (_P, "windowOpen")),
        Column("window close", (_P, "windowClose")),
    ),
    SearchEntity.REPEAT_REQUEST: (
        Column("id", (_P, "repeatrequestId")),
        Column("name", (_P, "repeatrequestName")),
        Column("status", (_P, "statusHistory", 0, "code")),
        Column("tier", (_P, "collectionTier")),
        Column("start", (*_REPEAT, "repeatStart")),
        Column("end", (*_REPEAT, "repeatEnd")),
        Column("interval", (*_REPEAT, "repetitionInterval")),
    ),
}

# The field a map is coloured by when the caller names none.
DEFAULT_COLOUR: dict[SearchEntity, str] = {
    SearchEntity.STAC_ITEM: "product_type",
    SearchEntity.TASKING_REQUEST: "collectionTier",
    SearchEntity.REPEAT_REQUEST: "collectionTier",
}


def cell_text(value: Any) -> str:
    """A value as one line of table text: lists joined with commas, objects as JSON, None as ""."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        return ",".join(cell_text(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return str(value)


def _cut(text: str, limit: int = CELL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# -- the table ----------------------------------------------------------------------------------

HEADER_BACKGROUND = "#dde3ec"
STRIPE_BACKGROUND = "#f1f4f8"  # every other row, so that long rows stay readable
# Scoped to the table's class: Jupyter puts the style into the whole notebook page.
_STYLE = (
    "<style>"
    ".capella-results p{font:12px sans-serif;margin:4px 0}"
    ".capella-results table{border-collapse:collapse;font:12px/1.6 sans-serif}"
    f".capella-results th{{background:{HEADER_BACKGROUND};text-align:left}}"
    ".capella-results th,.capella-results td{padding:2px 8px;white-space:nowrap}"
    f".capella-results tbody tr:nth-child(odd){{background:{STRIPE_BACKGROUND}}}"
    ".capella-results tbody tr:nth-child(even){background:#ffffff}"
    "</style>"
)


def _self_href(feature: Mapping[str, Any]) -> str | None:
    for link in feature.get("links") or ():
        if isinstance(link, Mapping) and link.get("rel") == "self":
            href = link.get("href")
            return href if isinstance(href, str) else None
    return None


def _value(feature: Mapping[str, Any], column: Column) -> Any:
    """The column's value; a relative URL is read against the item's own (``self``) URL."""
    value = _dig(feature, column.path)
    if column.link and isinstance(value, str) and not value.startswith(LINK_SCHEMES):
        base = _self_href(feature)
        return urljoin(base, value) if base else value
    return value


def _cell(value: Any, column: Column) -> str:
    """One ``<td>``: the escaped value, or a link when the column holds an http(s) URL."""
    text = cell_text(value)
    if column.link and text.startswith(LINK_SCHEMES) and len(text) <= URL_CHARS:
        return (
            f'<td><a href="{html.escape(text)}" target="_blank" rel="noopener noreferrer">'
            f"{html.escape(column.header)}</a></td>"
        )
    return f"<td>{html.escape(_cut(text))}</td>"


def html_table(
    features: Sequence[Mapping[str, Any]],
    entity: SearchEntity,
    rows: int = HTML_ROWS,
) -> str:
    """The first ``rows`` items as an HTML table, under a line counting all of them.

    The size is bounded by ``rows`` whatever the number of items; every value is escaped.
    """
    columns = COLUMNS[entity]
    total = len(features)
    noun = f"{entity.value}{'s' if total != 1 else ''}"
    shown = min(rows, total)
    count = f"{total:,} {noun}" + (f", the first {shown:,} shown" if shown < total else "")
    head = "".join(f"<th>{html.escape(c.header)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(_value(feature, c), c) for c in columns) + "</tr>"
        for feature in features[:shown]
    )
    return (
        f'<div class="capella-results">{_STYLE}<p>{html.escape(count)}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


# -- the maps -----------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@attrs.frozen
class Layer:
    """What a map draws: the items, their kind, the field they are coloured by and its reader."""

    features: Sequence[Mapping[str, Any]]
    entity: SearchEntity
    colour: str
    value_of: Callable[[Any], Any]


def footprints_frame(layer: Layer) -> geopandas.GeoDataFrame:
    """A GeoDataFrame of the items with a footprint: the table's columns, then the colour field.

    Text is HTML-escaped (map tooltips insert it as HTML); the colour column keeps numbers
    as numbers (a colour scale) and turns anything else into text (categories).
    """
    what = "maps of search results"
    gpd = require("geopandas", "geo", what)
    shape = require("shapely.geometry", "geo", what).shape
    columns = [c for c in COLUMNS[layer.entity] if not c.link]
    located = [f for f in layer.features if f.get("geometry")]
    values = [layer.value_of(f) for f in located]
    numeric = bool(values) and all(_is_number(v) or v is None for v in values)
    data: dict[str, list[Any]] = {
        c.header: [html.escape(_cut(cell_text(_dig(f, c.path)))) for f in located] for c in columns
    }
    data[layer.colour] = (
        [float("nan") if v is None else float(v) for v in values]
        if numeric
        else [html.escape(_cut(cell_text(v))) for v in values]
    )
    shapely = require("shapely", "geo", what)
    shapes = [_east_of_antimeridian(shapely, shape(f["geometry"])) for f in located]
    geometry = gpd.GeoSeries(shapes, crs=CRS)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=CRS)


def _east_of_antimeridian(shapely: Any, footprint: Any) -> Any:
    """A footprint across the antimeridian with its western part moved east by 360 degrees.

    Its longitudes jump from +180 to -180: drawn as they are, it would be a strip around the
    whole world. Moved, it is drawn once, where it is, beyond 180 degrees east.
    """
    west, _, east, _ = footprint.bounds
    if east - west <= ANTIMERIDIAN_WIDTH:
        return footprint

    def shift(coords: Any) -> Any:
        coords = coords.copy()
        coords[:, 0] = coords[:, 0] % 360.0
        return coords

    return shapely.transform(footprint, shift)


def _categories(frame: geopandas.GeoDataFrame, colour: str) -> list[str] | None:
    """The colour column's categories in palette order, or None for a numeric column."""
    if frame[colour].dtype.kind == "f":
        return None
    return sorted(set(frame[colour]))


def _colour_of(categories: Sequence[str]) -> dict[str, str]:
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(categories)}


def explore(layer: Layer, **kwargs: Any) -> Any:
    """The footprints on a ``folium.Map``, coloured by the layer's field, key properties in tips.

    ``kwargs`` go to ``GeoDataFrame.explore`` (``tiles``, ``m``, ``style_kwds``, ...).
    """
    folium = require("folium", "geo", "explore()")
    for module in ("matplotlib", "mapclassify"):  # what GeoDataFrame.explore needs as well
        require(module, "geo", "explore()")
    frame, colour = footprints_frame(layer), layer.colour
    if frame.empty:  # GeoDataFrame.explore cannot frame nothing: an empty world map
        return folium.Map(location=(0, 0), zoom_start=1)
    tooltip = [c.header for c in COLUMNS[layer.entity] if not c.link]
    options: dict[str, Any] = {"tooltip": [*tooltip, colour], "popup": False}
    options["style_kwds"] = {"fillOpacity": FILL_ALPHA, "weight": 1}
    categories = _categories(frame, colour)
    if categories is None:
        options["cmap"] = NUMERIC_CMAP
    else:
        colour_of = _colour_of(categories)
        options |= {"categorical": True, "categories": categories}
        options["cmap"] = [colour_of[c] for c in categories]
    return frame.explore(column=colour, **(options | kwargs))


def _small(frame: geopandas.GeoDataFrame) -> Any:
    """Which footprints would be specks on the map: smaller than MARKER_BELOW of its extent."""
    west, south, east, north = frame.total_bounds
    extent = max(east - west, north - south)
    bounds = frame.geometry.bounds
    size = (bounds["maxx"] - bounds["minx"]).combine(bounds["maxy"] - bounds["miny"], max)
    return size < extent * MARKER_BELOW


def plot(layer: Layer, ax: Any = None, **kwargs: Any) -> Any:
    """The footprints on matplotlib ``Axes`` (returned), coloured by the layer's field; offline.

    Footprints too small to see at the map's scale get a marker. Without ``ax`` a new figure
    is made with pyplot (as ``GeoDataFrame.plot`` does). ``kwargs`` go to
    ``GeoDataFrame.plot``.
    """
    require("matplotlib", "geo", "plot()")
    frame, colour = footprints_frame(layer), layer.colour
    if ax is None:
        plt = require("matplotlib.pyplot", "geo", "plot()")
        ax = plt.subplots(figsize=FIGURE_INCHES)[1]
    if not frame.empty:
        _draw(frame, colour, ax, kwargs)
    noun = f"{layer.entity.value}{'s' if len(frame) != 1 else ''}"
    ax.set_title(f"{len(frame):,} {noun} by {colour}")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.grid(True, color="#dddddd", linewidth=0.5)
    return ax


def _draw(frame: geopandas.GeoDataFrame, colour: str, ax: Any, kwargs: dict[str, Any]) -> None:
    """Fill the footprints, mark the small ones, and add a legend or a colour bar."""
    style: dict[str, Any] = {"alpha": FILL_ALPHA, "edgecolor": "#333333", "linewidth": 0.6}
    small = _small(frame)
    points = frame[small].copy()
    points = points.set_geometry(points.geometry.representative_point())
    marker = {"markersize": MARKER_SIZE, "edgecolor": "#333333", "linewidth": 0.4}
    categories = _categories(frame, colour)
    if categories is None:
        lowest, highest = frame[colour].min(), frame[colour].max()
        scale = {"cmap": NUMERIC_CMAP, "vmin": lowest, "vmax": highest}
        bar = {"legend": True, "legend_kwds": {"label": colour, "shrink": 0.6}}
        frame.plot(ax=ax, column=colour, **(style | scale | bar | kwargs))
        if not points.empty:
            points.plot(ax=ax, column=colour, **(scale | marker))
        return
    colour_of = _colour_of(categories)
    frame.plot(ax=ax, color=[colour_of[v] for v in frame[colour]], **(style | kwargs))
    if not points.empty:
        points.plot(ax=ax, color=[colour_of[v] for v in points[colour]], **marker)
    patches = require("matplotlib.patches", "geo", "plot()")
    handles = [
        patches.Patch(facecolor=colour_of[c], alpha=FILL_ALPHA, label=html.unescape(c) or "-")
        for c in categories
    ]
    ax.legend(handles=handles, title=colour, loc="best", fontsize="small")


def png(layer: Layer, **kwargs: Any) -> bytes:
    """The static map as PNG bytes, drawn with matplotlib's Agg canvas (no display, no pyplot)."""
    figure_module = require("matplotlib.figure", "geo", "png()")
    agg = require("matplotlib.backends.backend_agg", "geo", "png()")
    # A figure of its own, outside pyplot: no backend switch, nothing left in pyplot's registry.
    figure = figure_module.Figure(figsize=FIGURE_INCHES, dpi=FIGURE_DPI)
    agg.FigureCanvasAgg(figure)
    plot(layer, ax=figure.add_subplot(), **kwargs)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def colour_field(entity: SearchEntity, column: str | None) -> str:
    """The field a map is coloured by: ``column``, or the result kind's default."""
    return column if column is not None else DEFAULT_COLOUR[entity]
