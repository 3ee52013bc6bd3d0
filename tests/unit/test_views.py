"""Results for the eye: the Jupyter table, the interactive map, the static map and ``--format png``.

These tests read the markup, the map objects and the PNG bytes; tests/e2e/test_views_browser.py
looks at the same output rendered by Chromium.
"""

from __future__ import annotations

import html
import io
import subprocess
import sys
from html.parser import HTMLParser
from typing import Any

import pytest
from typer.testing import CliRunner

from capella import views
from capella.cli import app, output
from capella.cli._context import State
from capella.errors import InvalidFilterError, MissingExtraError
from capella.results import (
    RepeatRequestSearchResult,
    StacSearchResult,
    TaskingRequestSearchResult,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PRESIGNED = "https://capella-bucket.s3.amazonaws.com/thumb.png?X-Amz-Signature=" + "f" * 700
PRODUCT_TYPES = ("GEO", "SLC", "GEC")


def square(west: float, south: float, size: float = 0.8) -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size]]
    return {"type": "Polygon", "coordinates": [[*ring, [west, south + size], [west, south]]]}


def stac_item(index: int, **changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "Feature",
        "id": f"CAPELLA_C{index % 16:02d}_SP_{PRODUCT_TYPES[index % 3]}_HH_{index:06d}",
        "collection": "capella-geo",
        "geometry": square(index % 360 - 180, 0),
        "properties": {
            "datetime": "2024-01-01T00:00:05Z",
            "sar:product_type": PRODUCT_TYPES[index % 3],
            "sar:instrument_mode": "spotlight",
            "sar:polarizations": ["HH"],
            "view:look_angle": 25.0 + index % 20,
            "platform": "capella-13",
        },
        "assets": {"thumbnail": {"href": PRESIGNED, "type": "image/png"}},
    }
    item.update(changes)
    return item


def stac_result(count: int) -> StacSearchResult:
    return StacSearchResult({}, None, [stac_item(i) for i in range(count)])


class Markup(HTMLParser):
    """The tags, attributes and text of an HTML fragment, as a browser would read them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self.paragraphs: list[str] = []
        self._open: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)
        if tag == "td":
            self.cells.append("")
        if tag == "p":
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if "td" in self._open:
            self.cells[-1] += data
        elif "p" in self._open:
            self.paragraphs[-1] += data

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)


# -- the table --------------------------------------------------------------------------------


def test_table_shows_the_first_rows_under_a_line_counting_all_items() -> None:
    markup = Markup(stac_result(30)._repr_html_())

    assert markup.paragraphs == [f"30 STAC items, the first {views.HTML_ROWS} shown"]
    assert markup.count("tr") == views.HTML_ROWS + 1  # the header row and the shown items
    headers = ["id", "datetime", "product type", "mode", "polarizations", "look angle"]
    assert [h for h in headers if f"<th>{h}</th>" not in stac_result(1)._repr_html_()] == []


def test_table_cells_hold_each_items_key_properties() -> None:
    markup = Markup(stac_result(2)._repr_html_())

    first = markup.cells[:7]
    assert first == [
        "CAPELLA_C00_SP_GEO_HH_000000",
        "2024-01-01T00:00:05Z",
        "GEO",
        "spotlight",
        "HH",
        "25",
        "thumbnail",
    ]
    assert markup.paragraphs == ["2 STAC items"]


def test_table_of_ten_thousand_items_stays_under_50_kb() -> None:
    text = stac_result(10_000)._repr_html_()

    assert len(text.encode()) < 50_000


def test_a_huge_property_is_cut_so_the_table_stays_small() -> None:
    huge = stac_item(0, id="X" * 1_000_000)

    text = StacSearchResult({}, None, [huge])._repr_html_()

    assert len(text) < 5_000
    assert Markup(text).cells[0] == "X" * (views.CELL_CHARS - 1) + "\u2026"


def test_values_from_the_server_are_escaped_not_run() -> None:
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    item = stac_item(0, id=attack)
    item["properties"]["sar:instrument_mode"] = "</td></tr></table><b>bold</b>"

    markup = Markup(StacSearchResult({}, None, [item])._repr_html_())

    tags = {name for name, _ in markup.tags}
    assert tags <= {"div", "style", "p", "table", "thead", "tbody", "tr", "th", "td", "a"}
    assert markup.cells[0] == attack  # shown as text, character for character
    assert markup.cells[3] == "</td></tr></table><b>bold</b>"


def test_thumbnail_is_a_link_only_for_an_http_url() -> None:
    quoted = 'https://example.com/t.png?a="b"&c=<d>'
    items = [
        stac_item(0, assets={"thumbnail": {"href": quoted}}),
        stac_item(1, assets={"thumbnail": {"href": "javascript:alert(1)"}}),
        stac_item(2, assets={}),
    ]

    markup = Markup(StacSearchResult({}, None, items)._repr_html_())

    links = [attrs for name, attrs in markup.tags if name == "a"]
    assert [link["href"] for link in links] == [quoted]
    assert links[0]["rel"] == "noopener noreferrer"
    assert markup.cells[7 + 6] == "javascript:alert(1)"  # shown, not linked
    assert markup.cells[14 + 6] == ""


def test_a_relative_thumbnail_is_linked_against_the_items_own_url() -> None:
    item = stac_item(
        0,
        assets={"thumbnail": {"href": "/assets/capella-geo/a_thumb.png"}},
        links=[{"rel": "self", "href": "http://127.0.0.1:8000/catalog/items/a"}],
    )

    markup = Markup(StacSearchResult({}, None, [item])._repr_html_())

    hrefs = [attrs["href"] for name, attrs in markup.tags if name == "a"]
    assert hrefs == ["http://127.0.0.1:8000/assets/capella-geo/a_thumb.png"]


def test_tasking_request_table_shows_id_name_status_and_window() -> None:
    request = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [1.0, 2.0]},
        "properties": {
            "taskingrequestId": "tr-1",
            "taskingrequestName": "Harbour <weekly>",
            "statusHistory": [{"code": "accepted"}, {"code": "received"}],
            "collectionTier": "standard",
            "collectionType": "spotlight",
            "windowOpen": "2024-01-01T00:00:00Z",
            "windowClose": "2024-01-08T00:00:00Z",
        },
    }

    markup = Markup(TaskingRequestSearchResult({}, None, [request])._repr_html_())

    assert markup.paragraphs == ["1 tasking request"]
    assert markup.cells == [
        "tr-1",
        "Harbour <weekly>",
        "accepted",
        "standard",
        "spotlight",
        "2024-01-01T00:00:00Z",
        "2024-01-08T00:00:00Z",
    ]


def test_repeat_request_table_shows_the_repetition() -> None:
    request = {
        "type": "Feature",
        "geometry": None,
        "properties": {
            "repeatrequestId": "rr-1",
            "repeatrequestName": "every week",
            "statusHistory": [],
            "collectionTier": "routine",
            "repetitionProperties": {
                "repeatStart": "2024-01-01T00:00:00Z",
                "repeatEnd": None,
                "repetitionInterval": 7,
            },
        },
    }

    markup = Markup(RepeatRequestSearchResult({}, None, [request])._repr_html_())

    assert markup.cells == ["rr-1", "every week", "", "routine", "2024-01-01T00:00:00Z", "", "7"]


def test_empty_result_says_so() -> None:
    markup = Markup(StacSearchResult()._repr_html_())

    assert markup.paragraphs == ["0 STAC items"]
    assert markup.count("td") == 0


# -- the interactive map ----------------------------------------------------------------------


def _geojson_layer(folium_map: Any) -> Any:
    import folium

    layers = [c for c in folium_map._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 1
    return layers[0]


def test_explore_colours_footprints_by_a_field_with_key_properties_in_the_tooltip() -> None:
    folium_map = stac_result(6).explore(column="product_type")

    layer = _geojson_layer(folium_map)
    tooltip = next(c for c in layer._children.values() if type(c).__name__ == "GeoJsonTooltip")
    assert tooltip.fields == [
        "id",
        "datetime",
        "product type",
        "mode",
        "polarizations",
        "look angle",
        "product_type",
    ]
    features = layer.data["features"]
    assert len(features) == 6
    fills = {
        f["properties"]["product_type"]: layer.style_function(f)["fillColor"] for f in features
    }
    # Categories in sorted order take the palette's colours, as the static map does.
    assert fills == {"GEC": views.PALETTE[0], "GEO": views.PALETTE[1], "SLC": views.PALETTE[2]}


def test_explore_tooltip_values_are_escaped() -> None:
    # folium's tooltip inserts property values as HTML: they must arrive escaped.
    attack = "<img src=x onerror=alert(1)>"
    result = StacSearchResult({}, None, [stac_item(0, id=attack)])

    layer = _geojson_layer(result.explore())

    assert layer.data["features"][0]["properties"]["id"] == html.escape(attack)
    assert attack not in result.explore().get_root().render()


def test_explore_by_a_number_uses_a_colour_scale() -> None:
    layer = _geojson_layer(stac_result(6).explore(column="view:look_angle"))

    fills = {layer.style_function(f)["fillColor"] for f in layer.data["features"]}
    assert len(fills) == 6  # one colour per look angle, not one per category list entry
    values = [f["properties"]["view:look_angle"] for f in layer.data["features"]]
    assert values == [25.0, 26.0, 27.0, 28.0, 29.0, 30.0]


def test_explore_passes_keywords_to_geopandas() -> None:
    folium_map = stac_result(2).explore(tiles=None, zoom_start=3)

    assert not [c for c in folium_map._children.values() if type(c).__name__ == "TileLayer"]


def test_maps_leave_out_items_without_a_footprint() -> None:
    items = [stac_item(0), stac_item(1, geometry=None)]

    layer = _geojson_layer(StacSearchResult({}, None, items).explore())

    assert [f["properties"]["id"] for f in layer.data["features"]] == [items[0]["id"]]


def test_explore_of_an_empty_result_is_an_empty_map() -> None:
    import folium

    folium_map = StacSearchResult().explore()

    assert isinstance(folium_map, folium.Map)
    assert not [c for c in folium_map._children.values() if isinstance(c, folium.GeoJson)]


def test_tasking_requests_are_explored_by_tier() -> None:
    requests = [
        {
            "type": "Feature",
            "geometry": square(i, 0),
            "properties": {"taskingrequestId": f"tr-{i}", "collectionTier": tier},
        }
        for i, tier in enumerate(["urgent", "routine"])
    ]

    layer = _geojson_layer(TaskingRequestSearchResult({}, None, requests).explore())

    tiers = [f["properties"]["collectionTier"] for f in layer.data["features"]]
    assert tiers == ["urgent", "routine"]


@pytest.mark.parametrize("method", ["explore", "plot", "to_png"])
def test_an_unknown_colour_field_is_a_clear_error(method: str) -> None:
    with pytest.raises(InvalidFilterError, match=rf"{method}\(column='look_angel'\).*look_angle"):
        getattr(stac_result(2), method)(column="look_angel")


# -- the static map ---------------------------------------------------------------------------


def test_plot_draws_one_patch_per_footprint_in_its_category_colour() -> None:
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()

    assert stac_result(6).plot(ax=ax) is ax

    faces = [to_hex(c) for c in ax.collections[0].get_facecolors()]
    assert faces == [views.PALETTE[i] for i in (1, 2, 0, 1, 2, 0)]  # GEO, SLC, GEC, ...
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["GEC", "GEO", "SLC"]
    assert ax.get_title() == "6 STAC items by product_type"


def test_footprints_too_small_to_see_also_get_a_marker() -> None:
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    items = [stac_item(0, geometry=square(0, 0, 50)), stac_item(1, geometry=square(60, 0, 0.01))]
    ax = Figure().add_subplot()

    StacSearchResult({}, None, items).plot(ax=ax)

    markers = ax.collections[1]
    assert markers.get_offsets().tolist() == [[pytest.approx(60.005), pytest.approx(0.005)]]
    assert [to_hex(c) for c in markers.get_facecolors()] == [views.PALETTE[1]]  # SLC


def test_a_footprint_across_the_antimeridian_is_drawn_once_not_around_the_world() -> None:
    ring = [[179.5, 0.0], [-179.5, 0.0], [-179.5, 1.0], [179.5, 1.0], [179.5, 0.0]]
    item = stac_item(0, geometry={"type": "Polygon", "coordinates": [ring]})

    layer = views.Layer([item], views.SearchEntity.STAC_ITEM, "x", lambda f: "a")

    frame = views.footprints_frame(layer)

    assert frame.total_bounds.tolist() == [179.5, 0.0, 180.5, 1.0]


def test_plot_by_a_number_adds_a_colour_bar() -> None:
    from matplotlib.figure import Figure

    figure = Figure()
    stac_result(6).plot(column="look_angle", ax=figure.add_subplot())

    assert len(figure.axes) == 2  # the map and its colour bar
    assert figure.axes[1].get_ylabel() == "look_angle"


def test_to_png_draws_offline_without_touching_pyplot() -> None:
    import matplotlib.pyplot as plt
    from PIL import Image

    before = plt.get_fignums()
    data = stac_result(3).to_png()

    assert data.startswith(PNG_SIGNATURE)
    assert plt.get_fignums() == before
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (800, 600)
    assert len(image.getcolors(1 << 24)) > 10  # drawn on, not a blank canvas


def test_to_png_of_an_empty_result_is_still_an_image() -> None:
    assert StacSearchResult().to_png().startswith(PNG_SIGNATURE)


def test_a_missing_extra_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "folium", None)  # makes ``import folium`` fail

    with pytest.raises(MissingExtraError, match=r"explore\(\) needs folium.*\[geo\]") as caught:
        stac_result(1).explore()

    assert isinstance(caught.value, ImportError)
    assert caught.value.name == "folium"


def test_importing_capella_loads_no_view_dependency() -> None:
    code = (
        "import sys, capella, capella.results\n"
        "heavy = ('capella.views', 'matplotlib', 'folium', 'geopandas', 'PIL')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert loaded.strip() == ""


# -- capella search --format png --------------------------------------------------------------


class FakeSearch:
    def __init__(self, result: StacSearchResult) -> None:
        self.result = result
        self.calls = 0

    def search(self, **keywords: Any) -> StacSearchResult:
        self.calls += 1
        return self.result


@pytest.fixture
def fake_search(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> FakeSearch:
    fake = FakeSearch(stac_result(4))
    monkeypatch.setattr(State, "client", lambda self: fake)
    monkeypatch.setenv("CAPELLA_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CAPELLA_API_KEY", "unit-test-key")
    return fake


def test_search_format_png_writes_the_map_to_stdout(fake_search: FakeSearch) -> None:
    result = CliRunner().invoke(app, ["search", "--limit", "4", "--format", "png"])

    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(PNG_SIGNATURE)
    assert result.stdout_bytes == fake_search.result.to_png()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_search_format_png_refuses_a_terminal_before_searching(
    fake_search: FakeSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "_stdout", Terminal)

    result = CliRunner().invoke(app, ["search", "--format", "png"])

    assert result.exit_code == 2
    assert "redirect stdout to a file, e.g. > footprints.png" in result.stderr
    assert fake_search.calls == 0
