"""The typed ``search(**filters)`` signature: generated from the field table, enforced by mypy."""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path

import pytest

from capella.fields import FIELDS, OPERATORS, Place
from capella.filters import CatalogFilters

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> object:
    spec = importlib.util.spec_from_file_location(
        "gen_filters", ROOT / "scripts" / "gen_filters.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_filters_py_is_what_the_generator_prints() -> None:
    rendered = _generator().render()  # type: ignore[attr-defined]
    assert (ROOT / "capella" / "filters.py").read_text() == rendered, "run 'make filters'"


def test_catalog_filters_has_every_field_and_operator() -> None:
    keys = set(CatalogFilters.__annotations__)
    for field in FIELDS:
        if field.place is Place.QUERY:
            assert field.name in keys
            assert {f"{field.name}__{op}" for op in field.operators} <= keys
            refused = {f"{field.name}__{op}" for op in OPERATORS if op not in field.operators}
            assert refused.isdisjoint(keys)  # product_type__gt is not offered by the IDE
        elif field.place is Place.ROOT:
            assert field.name in keys
        else:
            assert field.name not in keys  # id and collection sort and group, not filter
    assert {"sortby", "ownership", "threaded", "limit"} <= keys
    assert CatalogFilters.__total__ is False


SNIPPET = textwrap.dedent(
    """
    from datetime import datetime

    from capella import CapellaConsoleClient
    from capella.enumerations import ProductType

    client = CapellaConsoleClient(api_key="k", no_token_check=True)

    # valid: the seed's examples type-check
    client.search(constellation="capella", limit=1)
    client.search(bbox=[-122.4, 46.9, -124.9, 48.5], product_type="GEO")
    client.search(polarizations="VV", platform="capella-2", sortby=["-datetime", "+id"])
    client.search(instrument_mode=["stripmap", "spotlight"], product_type=ProductType.GEO)
    client.search(datetime__gt=datetime(2021, 6, 1), look_angle__gt=35, threaded=True)
    client.catalog_search(ownership="ownedByOrganization", orbital_plane=45)
    client.search(intersects={"type": "Point", "coordinates": [-113.1, 51.1]})

    # invalid
    client.search(look_angel__gt=35)  # E1
    client.search(product_type="geo")  # E2
    client.search(look_angle__gt="35")  # E3
    client.search(sortby="-datetme")  # E4
    client.catalog_search(orbital_plane=46)  # E5
    """
)


@pytest.mark.timeout(120)
def test_mypy_rejects_unknown_filters_and_wrong_values(
    tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    mypy_api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    # A cache kept between runs makes this take well under a second after the first run.
    store = getattr(pytestconfig, "cache", None)  # absent with -p no:cacheprovider
    cache = store.mkdir("mypy-filters") if store is not None else tmp_path
    stdout, stderr, _ = mypy_api.run(
        [
            "--strict",
            "--no-error-summary",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(cache),
            str(snippet),
        ]
    )
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    lines = SNIPPET.splitlines()
    flagged = {int(m.group(1)) for e in errors if (m := re.search(r":(\d+): error:", e))}
    expected = {n for n, line in enumerate(lines, start=1) if re.search(r"# E\d$", line)}
    assert flagged == expected, stdout + stderr
    assert 'did you mean "look_angle__gt"' in stdout
