"""The results' table and footprint map as a person sees them: rendered by headless Chromium.

Each test writes a page to a temporary directory, has Chromium (started and stopped by the
test, with a fresh profile and no network use) take a screenshot, and reads the pixels: the
table's striped rows and their text, the map's footprint colours. ``--dump-dom`` complements
the pixels where the question is what text the browser built. The interactive map loads
Leaflet from Debian's libjs-leaflet instead of its CDN. ``make test`` installs both first
(scripts/system_deps.sh).
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from capella import CapellaConsoleClient, views
from capella.cli import app
from capella.results import StacSearchResult
from capella.sandbox import DEMO_API_KEY, Sandbox

pytestmark = pytest.mark.e2e

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
# Debian's libjs-leaflet (scripts/system_deps.sh): the map's Leaflet, without its CDN.
LEAFLET = Path("/usr/share/javascript/leaflet")
EXTERNAL_ASSET = re.compile(
    r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>|<link[^>]*href="https?://[^"]*"[^>]*>'
)
WHITE = (255, 255, 255)
RGB = tuple[int, int, int]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is not installed: run `make system-deps` (scripts/system_deps.sh)")
    return path


def _run_chromium(chromium: str, *args: str) -> str:
    """Run Chromium once with a new empty profile; return its stdout."""
    with tempfile.TemporaryDirectory(prefix="capella-chromium-") as profile:
        done = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(chromium: str, page: Path, width: int, height: int, *extra: str) -> Image.Image:
    shot = page.with_suffix(".screenshot.png")
    _run_chromium(
        chromium,
        f"--screenshot={shot}",
        f"--window-size={width},{height}",
        *extra,
        page.as_uri(),
    )
    return Image.open(shot).convert("RGB")


def dump_dom(chromium: str, page: Path) -> str:
    return _run_chromium(chromium, "--dump-dom", page.as_uri())


def write_page(directory: Path, body: str) -> Path:
    page = directory / "page.html"
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        f'<body style="margin:0;background:#ffffff">{body}</body></html>',
        encoding="utf-8",
    )
    return page


def rgb(hex_colour: str) -> RGB:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def near(pixel: Sequence[int], colour: Sequence[int], tolerance: int = 3) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """The [start, end) spans where ``flags`` is true."""
    spans: list[tuple[int, int]] = []
    start = None
    for index, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            spans.append((start, index))
            start = None
    return spans


def dark(pixel: Sequence[int]) -> bool:
    return sum(pixel) < 3 * 140  # text, whatever its colour (links are blue)


def blended(hex_colour: str, alpha: float, background: Sequence[int] = WHITE) -> RGB:
    """What a fill of ``hex_colour`` at ``alpha`` looks like on ``background``."""
    red, green, blue = (
        round(c * alpha + b * (1 - alpha)) for c, b in zip(rgb(hex_colour), background, strict=True)
    )
    return (red, green, blue)


def count_near(image: Image.Image, colour: RGB, tolerance: int = 4) -> int:
    colours = image.getcolors(image.width * image.height) or []
    return sum(n for n, pixel in colours if near(pixel, colour, tolerance))


# -- the table --------------------------------------------------------------------------------


@pytest.fixture
def sandbox_client(sandbox: Sandbox) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as client:
        yield client


def test_table_of_sandbox_items_shows_every_row_with_its_text(
    chromium: str, sandbox_client: CapellaConsoleClient, tmp_path: Path
) -> None:
    result = sandbox_client.search(limit=7)
    assert len(result) == 7

    image = screenshot(chromium, write_page(tmp_path, result._repr_html_()), 1200, 500)

    # Down the table's left edge: the header band, then 4 striped rows among 3 white ones.
    edge = [image.getpixel((2, y)) for y in range(image.height)]
    header = runs([near(p, rgb(views.HEADER_BACKGROUND)) for p in edge])
    stripes = runs([near(p, rgb(views.STRIPE_BACKGROUND)) for p in edge])
    assert len(header) == 1
    assert len(stripes) == 4
    # Rows are 23.2 px high (12 px at line height 1.6, plus padding): rounding moves 1 px.
    row_height = (stripes[-1][1] - header[0][1]) / 7  # 7 rows right under the header
    assert all(abs(end - start - row_height) <= 1 for start, end in stripes)
    # A line of text in the header and in each of the 7 rows, and the count line above.
    text_lines = runs(
        [any(dark(image.getpixel((x, y))) for x in range(image.width)) for y in range(image.height)]
    )
    table_lines = [line for line in text_lines if line[0] >= header[0][0]]
    assert len(table_lines) == 1 + 7
    assert [line for line in text_lines if line[1] <= header[0][0]]  # "7 STAC items"
    # The id column holds text on every row (ids are long: text reaches far to the right).
    for start, end in table_lines[1:]:
        inked = [
            x for x in range(0, 400) for y in range(start, end) if dark(image.getpixel((x, y)))
        ]
        assert max(inked) - min(inked) > 150


def test_table_shows_what_the_browser_was_given_as_text(
    chromium: str, sandbox_client: CapellaConsoleClient, tmp_path: Path
) -> None:
    result = sandbox_client.search(limit=3)

    dom = dump_dom(chromium, write_page(tmp_path, result._repr_html_()))

    assert "<p>3 STAC items</p>" in dom
    for item in result:
        assert f"<td>{item['id']}</td>" in dom
    # The sandbox's thumbnails are relative: linked against the item's own URL.
    assert dom.count(f'href="{result[0]["links"][0]["href"].split("/catalog")[0]}/assets/') == 3


def test_a_hostile_item_is_shown_as_text_not_run(chromium: str, tmp_path: Path) -> None:
    cover = '<div style="position:fixed;inset:0;background:#ff0000"></div>'
    script = "<script>document.body.style.background='#ff0000'</script>"
    item = {"id": cover, "properties": {"sar:instrument_mode": script}, "geometry": None}
    page = write_page(tmp_path, StacSearchResult({}, None, [item])._repr_html_())

    image = screenshot(chromium, page, 800, 300)
    dom = dump_dom(chromium, page)

    assert count_near(image, (255, 0, 0), tolerance=40) == 0  # neither took over the page
    assert f"<td>{html.escape(cover, quote=False)}</td>" in dom
    assert f"<td>{html.escape(script, quote=False)}</td>" in dom


# -- the static map ---------------------------------------------------------------------------


def square(west: float, south: float, size: float) -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size]]
    return {"type": "Polygon", "coordinates": [[*ring, [west, south + size], [west, south]]]}


def footprints(product_types: Sequence[str]) -> StacSearchResult:
    items = [
        {
            "type": "Feature",
            "id": f"item-{index}",
            "geometry": square(index * 1.2, (index % 2) * 1.2, 1.0),
            "properties": {"sar:product_type": product_type},
        }
        for index, product_type in enumerate(product_types)
    ]
    return StacSearchResult({}, None, items)


def test_static_map_shows_each_category_in_its_colour(chromium: str, tmp_path: Path) -> None:
    (tmp_path / "map.png").write_bytes(footprints(["GEO", "SLC", "GEC", "GEO"]).to_png())
    page = write_page(tmp_path, '<img src="map.png" style="display:block">')

    image = screenshot(chromium, page, 800, 600)

    inked = image.width * image.height - count_near(image, WHITE, tolerance=2)
    assert inked > 0.05 * image.width * image.height  # not a blank page
    # Categories in sorted order take the palette's colours: GEC, GEO, SLC.
    for colour in views.PALETTE[:3]:
        assert count_near(image, blended(colour, views.FILL_ALPHA)) > 1_000, colour
    assert count_near(image, blended(views.PALETTE[3], views.FILL_ALPHA)) < 50  # none is red


def test_cli_png_of_a_sandbox_search_is_a_drawn_map(
    chromium: str, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [k for k in os.environ if k.startswith("CAPELLA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CAPELLA_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("CAPELLA_API_URL", sandbox.url)
    monkeypatch.setenv("CAPELLA_CONFIG_DIR", str(tmp_path / "config"))

    done = CliRunner().invoke(app, ["search", "--limit", "200", "--format", "png"])

    assert done.exit_code == 0, done.stderr
    (tmp_path / "map.png").write_bytes(done.stdout_bytes)
    image = screenshot(chromium, write_page(tmp_path, '<img src="map.png">'), 800, 600)
    assert Image.open(io.BytesIO(done.stdout_bytes)).size == (800, 600)
    inked = image.width * image.height - count_near(image, WHITE, tolerance=2)
    assert inked > 0.03 * image.width * image.height
    # Sandbox footprints are specks at world scale: their markers are in the palette's colours.
    assert sum(count_near(image, rgb(c)) for c in views.PALETTE) > 500


# -- the interactive map ----------------------------------------------------------------------


def offline(map_html: str) -> str:
    """The folium page with Leaflet from Debian's package and every other CDN asset left out."""
    if not (LEAFLET / "leaflet.js").is_file():
        pytest.fail("libjs-leaflet is not installed: run `make system-deps`")
    local = (
        f'<link rel="stylesheet" href="{(LEAFLET / "leaflet.css").as_uri()}">'
        f'<script src="{(LEAFLET / "leaflet.js").as_uri()}"></script>'
    )
    stripped = EXTERNAL_ASSET.sub("", map_html)
    assert "https://" not in stripped.split("<body>")[0]
    return stripped.replace("<head>", "<head>" + local, 1)


def test_explore_map_draws_each_category_in_its_colour(chromium: str, tmp_path: Path) -> None:
    folium_map = footprints(["GEO", "SLC", "GEC", "GEO"]).explore(tiles=None)
    page = tmp_path / "map.html"
    page.write_text(offline(folium_map.get_root().render()), encoding="utf-8")

    # Virtual time lets Leaflet finish fitting the map to the footprints before the shot.
    image = screenshot(chromium, page, 800, 600, "--virtual-time-budget=5000")

    background = image.getpixel((image.width // 2, image.height - 10))  # the map's own grey
    assert background != WHITE
    for colour in views.PALETTE[:3]:
        fill = blended(colour, views.FILL_ALPHA, background)
        assert count_near(image, fill) > 4_000, colour
    assert count_near(image, blended(views.PALETTE[3], views.FILL_ALPHA, background)) < 50
