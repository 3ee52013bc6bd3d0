"""The sandbox's synthetic catalog: shape, determinism, coverage of the SDK examples, search."""

from __future__ import annotations

import itertools
import json
import re
import statistics
import time
from datetime import datetime
from typing import Any

import pytest

from capella.sandbox.catalog import HANDMADE, MAX_RESULTS, Catalog, SearchError

BASE = "http://sandbox.test"
STAC_ID = re.compile(r"^CAPELLA_C\d{2}_\w+_\w+_\w{2}_\d{14}_\d{14}$")
OLYMPIC_NP_BBOX = [-122.4, 46.9, -124.9, 48.5]
SF_DOWNTOWN_BBOX = [-122.4, 37.8, -122.3, 37.7]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def search(catalog: Catalog, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    # The bytes the server sends, read back: every test checks the encoding too.
    page: dict[str, Any] = json.loads(catalog.search_body(body, base_url=BASE, **kwargs))
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [feature["id"] for feature in page["features"]]


def all_ids(catalog: Catalog, body: dict[str, Any]) -> list[str]:
    return ids(search(catalog, {**body, "limit": 1000}))


def error_of(catalog: Catalog, body: dict[str, Any], **kwargs: Any) -> SearchError:
    with pytest.raises(SearchError) as info:
        search(catalog, body, **kwargs)
    assert info.value.status == 400
    assert info.value.code == "VALIDATION_ERROR"
    assert info.value.detail and {"message", "code", "path"} <= set(info.value.detail[0])
    return info.value


def handmade_ids(catalog: Catalog, name: str, product: str | None = None) -> list[str]:
    items = catalog.items_of_collect(catalog.handmade_collects()[name])
    return [
        i["id"] for i in items if product is None or i["properties"]["sar:product_type"] == product
    ]


# ------------------------------------------------------------------------------------ shape


def test_same_seed_builds_byte_identical_items_and_other_seeds_differ() -> None:
    first = json.dumps(Catalog(seed=7, size=1500).items, sort_keys=True)
    again = json.dumps(Catalog(seed=7, size=1500).items, sort_keys=True)
    other = json.dumps(Catalog(seed=8, size=1500).items, sort_keys=True)
    assert first == again
    assert first != other


def test_catalog_has_at_least_12000_items_sorted_with_unique_valid_ids(catalog: Catalog) -> None:
    all_item_ids = [item["id"] for item in catalog.items]
    assert len(all_item_ids) >= 12_000
    assert len(set(all_item_ids)) == len(all_item_ids)
    assert all_item_ids == sorted(all_item_ids)
    assert all(STAC_ID.match(i) for i in all_item_ids)


def test_small_catalogs_still_hold_every_handmade_collect() -> None:
    small = Catalog(seed=1, size=10)
    assert len(small.items) >= 10
    assert set(small.handmade_collects()) == {spec.name for spec in HANDMADE}


PROPERTY_TYPES: dict[str, type | tuple[type, ...]] = {
    "datetime": str,
    "start_datetime": str,
    "end_datetime": str,
    "created": str,
    "updated": str,
    "platform": str,
    "constellation": str,
    "instruments": list,
    "sar:instrument_mode": str,
    "sar:frequency_band": str,
    "sar:center_frequency": float,
    "sar:polarizations": list,
    "sar:product_type": str,
    "sar:pixel_spacing_range": float,
    "sar:pixel_spacing_azimuth": float,
    "sar:resolution_range": float,
    "sar:resolution_azimuth": float,
    "sar:looks_range": int,
    "sar:looks_azimuth": int,
    "sar:looks_equivalent_number": int,
    "sar:observation_direction": str,
    "sat:orbit_state": str,
    "sat:relative_orbit": int,
    "sat:absolute_orbit": int,
    "view:incidence_angle": float,
    "view:look_angle": float,
    "view:azimuth": float,
    "capella:collect_id": str,
    "capella:collection_type": str,
    "capella:resolution_ground_range": float,
    "capella:squint_angle": float,
    "capella:layover_angle": float,
    "capella:orbital_plane": int,
    "capella:image_formation_algorithm": str,
    "capella:hash": str,
    "capella:billable_area": int,
    "capella:rgt_id": str,
    "capella:archive_holdback_date": str,
    "capella:use_case": str,
    "locale:timezone": str,
    "locale:datetime": str,
    "locale:time": str,
    "proj:epsg": int,
}
COLLECTION_TYPES_BY_MODE = {
    "spotlight": {"spotlight", "spotlight_ultra"},
    "sliding_spotlight": {"spotlight_wide"},
    "stripmap": {
        "stripmap_20",
        "stripmap_50",
        "stripmap_100",
        "parallel_stripmap_20",
        "parallel_stripmap_50",
        "parallel_stripmap_100",
    },
}
MODE_CODES = {"spotlight": "SP", "stripmap": "SM", "sliding_spotlight": "SS"}


def test_every_item_has_the_stac_shape_and_typed_properties(catalog: Catalog) -> None:
    for item in catalog.items:
        assert item["type"] == "Feature"
        assert item["stac_version"] == "1.0.0"
        assert item["geometry"]["type"] == "Polygon"
        assert len(item["bbox"]) == 4
        assert {link["rel"] for link in item["links"]} >= {"self", "root", "collection"}
        props = item["properties"]
        for name, kind in PROPERTY_TYPES.items():
            assert isinstance(props[name], kind), (item["id"], name)
            assert not isinstance(props[name], bool)
        mode = props["sar:instrument_mode"]
        assert props["capella:collection_type"] in COLLECTION_TYPES_BY_MODE[mode]
        platform, code, product, pol = item["id"].split("_")[1:5]
        assert props["platform"] == f"capella-{int(platform[1:])}"
        assert code == MODE_CODES[mode]
        assert product == props["sar:product_type"]
        assert props["sar:polarizations"] == [pol]
        assert re.fullmatch(r"\d{2}:\d{2}:\d{2}\.\d{6}", props["locale:time"])
        assert props["locale:datetime"][11:26] == props["locale:time"]
        assert 5 <= props["view:look_angle"] <= 45
        assert props["view:look_angle"] < props["view:incidence_angle"] < 90
        assert props["capella:orbital_plane"] in (45, 53, 97)
        start = datetime.fromisoformat(props["start_datetime"])
        end = datetime.fromisoformat(props["end_datetime"])
        assert item["id"].endswith(f"{start:%Y%m%d%H%M%S}_{end:%Y%m%d%H%M%S}")
        assert "2020-01-01" <= props["datetime"] < "2026-11-01"


def test_assets_follow_the_naming_scheme_with_unsigned_placeholder_hrefs(
    catalog: Catalog,
) -> None:
    for item in catalog.items[::97]:
        assets = item["assets"]
        assert {"HH", "VV", "analytic_product", "changemap"} & set(assets)
        assert {"metadata", "thumbnail", "license"} <= set(assets)
        for key, asset in assets.items():
            assert {"href", "title", "type", "roles"} <= set(asset)
            assert item["id"] in asset["href"]
            assert "Signature" not in asset["href"]
            if key == "metadata":
                assert asset["href"].endswith(f"/{item['id']}_extended.json")
            if key == "thumbnail":
                assert asset["href"].endswith(f"/{item['id']}_thumb.png")


def test_products_of_a_collect_share_geometry_time_and_angles(catalog: Catalog) -> None:
    shared = ["datetime", "platform", "sar:instrument_mode", "sar:polarizations", "view:look_angle"]
    collect_ids = catalog.collect_ids()
    assert collect_ids == sorted(collect_ids)
    assert len(set(collect_ids)) == len(collect_ids)
    for collect_id in collect_ids[::50]:
        items = catalog.items_of_collect(collect_id)
        assert len(items) >= 4
        assert len({json.dumps(i["geometry"]) for i in items}) == 1
        for name in shared:
            assert len({json.dumps(i["properties"][name]) for i in items}) == 1
        assert {"SLC", "GEO", "GEC", "SICD"} <= {i["properties"]["sar:product_type"] for i in items}
    assert catalog.items_of_collect("not-a-collect") == []


def test_catalog_spreads_over_products_modes_platforms_and_collections(catalog: Catalog) -> None:
    def values(name: str) -> set[Any]:
        return {json.dumps(item["properties"][name]) for item in catalog.items}

    products = {json.loads(v) for v in values("sar:product_type")}
    assert products == {
        "SLC",
        "GEO",
        "GEC",
        "SICD",
        "SIDD",
        "CPHD",
        "CSI",
        "CSIDD",
        "VS",
        "ACD",
        "VC",
    }
    assert {json.loads(v) for v in values("platform")} == {f"capella-{n}" for n in range(2, 18)}
    assert {json.loads(v) for v in values("sar:instrument_mode")} == set(MODE_CODES)
    assert {json.loads(v)[0] for v in values("sar:polarizations")} == {"HH", "VV"}
    assert {json.loads(v) for v in values("sat:orbit_state")} == {"ascending", "descending"}
    assert {json.loads(v) for v in values("sar:observation_direction")} == {"left", "right"}
    collections = {item["collection"] for item in catalog.items}
    assert {
        "capella-geo",
        "capella-slc",
        "capella-gec",
        "capella-sicd",
        "capella-sidd",
        "capella-cphd",
        "capella-open-data",
        "capella-vessel-detection",
        "capella-beta-analytics",
    } <= collections
    straddling = [item for item in catalog.items if item["bbox"][0] > item["bbox"][2]]
    assert len(straddling) > 20


def test_ownership_is_per_collect_and_open_data_is_publicly_available(catalog: Catalog) -> None:
    seen = set()
    for item in catalog.items:
        ownership = catalog.ownership(item["id"])
        seen.add(ownership)
        assert (ownership == "publiclyAvailable") == (item["collection"] == "capella-open-data")
    assert seen == {
        "ownedByOrganization",
        "sharedWithOrganization",
        "publiclyAvailable",
        "availableForPurchase",
    }
    with pytest.raises(KeyError):
        catalog.ownership("CAPELLA_C99_SP_GEO_HH_20000101000000_20000101000001")


def test_get_returns_the_item_or_none(catalog: Catalog) -> None:
    item = catalog.items[123]
    assert catalog.get(item["id"]) is item
    assert catalog.get("CAPELLA_C99_SP_GEO_HH_20000101000000_20000101000001") is None


# ---------------------------------------------------------------------- the SDK's examples

SPOTLIGHT_GEO = {
    "constellation": {"eq": "capella"},
    "sar:instrument_mode": {"eq": "spotlight"},
    "sar:product_type": {"eq": "GEO"},
}
HEFTY_SF = {
    "bbox": SF_DOWNTOWN_BBOX,
    "collections": ["capella-geo"],
    "limit": 500,
    "query": {
        "datetime": {"gt": "2021-05-01T00:00:00Z", "lt": "2021-07-01T00:00:00Z"},
        "locale:time": {"gte": "09:00:00", "lte": "18:00:00"},
        "sar:instrument_mode": {"eq": "spotlight"},
        "sar:product_type": {"eq": "GEO"},
        "view:look_angle": {"gt": 25, "lt": 35},
        "sar:looks_equivalent_number": {"eq": 9},
        "sar:polarizations": {"in": ["HH"]},
        "sar:resolution_azimuth": {"lte": 1},
        "sar:resolution_range": {"lte": 1},
        "sat:orbit_state": {"eq": "descending"},
        "capella:orbital_plane": {"eq": 45},
        "sar:observation_direction": {"eq": "right"},
        "capella:squint_angle": {"gt": -0.5, "lt": 0.5},
    },
    "sortby": [{"field": "properties.datetime", "direction": "desc"}],
}

SEED_EXAMPLES: dict[str, dict[str, Any]] = {
    "random": {"query": {"constellation": {"eq": "capella"}}, "limit": 1},
    "spotlight": {
        "query": {"constellation": {"eq": "capella"}, "sar:instrument_mode": {"eq": "spotlight"}},
        "limit": 1,
    },
    "olympic_np_spotlight_geo": {"bbox": OLYMPIC_NP_BBOX, "query": SPOTLIGHT_GEO, "limit": 500},
    "capella_5_hh": {
        "query": {"sar:polarizations": {"eq": "HH"}, "platform": {"eq": "capella-5"}},
        "sortby": [{"field": "properties.datetime", "direction": "desc"}],
        "limit": 500,
    },
    "capella_2_vv": {
        "query": {"sar:polarizations": {"eq": "VV"}, "platform": {"eq": "capella-2"}},
        "sortby": [
            {"field": "properties.datetime", "direction": "desc"},
            {"field": "id", "direction": "asc"},
        ],
        "limit": 500,
    },
    "stripmap_slc_june_2021": {
        "query": {
            "sar:instrument_mode": {"eq": "stripmap"},
            "datetime": {"gt": "2021-06-01T00:00:00Z", "lt": "2021-07-01T00:00:00Z"},
            "sar:product_type": {"eq": "SLC"},
        },
        "limit": 10,
    },
    "geo_stripmap_or_spotlight": {
        "query": {
            "sar:instrument_mode": {"in": ["stripmap", "spotlight"]},
            "sar:product_type": {"eq": "GEO"},
        },
        "limit": 10,
    },
    "high_resolution": {
        "query": {
            "sar:resolution_azimuth": {"lte": 0.5},
            "sar:resolution_range": {"gte": 0.3, "lte": 0.5},
        },
        "limit": 10,
    },
    "sliding_spotlight_geo_look_over_35": {
        "query": {
            "view:look_angle": {"gt": 35},
            "sar:product_type": {"eq": "GEO"},
            "sar:instrument_mode": {"eq": "sliding_spotlight"},
        },
        "limit": 10,
    },
    "night_geo_in_utm_48n": {
        "query": {
            "sar:product_type": {"eq": "GEO"},
            "locale:time": {"gte": "03:00:00", "lte": "04:00:00"},
            "proj:epsg": {"eq": 32648},
        },
        "limit": 500,
    },
    "owned_geo": {
        "query": {"sar:product_type": {"eq": "GEO"}},
        "ownership": "ownedByOrganization",
        "limit": 500,
    },
    "hefty_sf": HEFTY_SF,
    "grouped_spotlight_geo": {
        "query": {"sar:instrument_mode": {"eq": "spotlight"}, "sar:product_type": {"eq": "GEO"}},
        "sortby": [{"field": "properties.datetime", "direction": "desc"}],
        "limit": 500,
    },
    "gec_of_a_collect": {"query": {"sar:product_type": {"in": ["GEC"]}}, "limit": 500},
}


@pytest.mark.parametrize("name", sorted(SEED_EXAMPLES))
def test_every_documented_search_finds_data(catalog: Catalog, name: str) -> None:
    page = search(catalog, SEED_EXAMPLES[name])
    assert page["numberReturned"] >= 1
    assert page["numberMatched"] >= page["numberReturned"]


@pytest.mark.parametrize("seed", [1, 99])
def test_handmade_collects_alone_cover_every_documented_search(seed: int) -> None:
    tiny = Catalog(seed=seed, size=1)  # only the hand-made collects
    for name, body in SEED_EXAMPLES.items():
        assert search(tiny, body)["numberReturned"] >= 1, name


def test_a_search_by_collect_id_and_by_an_items_own_bbox_finds_it(catalog: Catalog) -> None:
    for item in catalog.items[::1000]:
        collect_id = item["properties"]["capella:collect_id"]
        found = all_ids(catalog, {"query": {"capella:collect_id": {"eq": collect_id}}})
        assert item["id"] in found
        assert sorted(found) == [i["id"] for i in catalog.items_of_collect(collect_id)]
        assert item["id"] in all_ids(catalog, {"bbox": item["bbox"]})


def test_constellation_wide_search_matches_more_than_10000_items(catalog: Catalog) -> None:
    page = search(catalog, {"query": {"constellation": {"eq": "capella"}}, "limit": 1000})
    assert page["numberMatched"] > 10_000
    assert page["numberReturned"] == 1000


def test_olympic_bbox_crosses_the_antimeridian_as_stac_defines_it(catalog: Catalog) -> None:
    found = set(all_ids(catalog, {"bbox": OLYMPIC_NP_BBOX, "query": SPOTLIGHT_GEO}))
    straddlers = {"olympic-seattle", "olympic-tacoma", "olympic-coast"}
    for name in straddlers:
        assert set(handmade_ids(catalog, name, "GEO")) <= found
    # The park interior is between -124.9 and -122.4, outside [-122.4, 180] U [-180, -124.9].
    assert not set(handmade_ids(catalog, "olympic-park", "GEO")) & found
    hh = search(catalog, {"bbox": OLYMPIC_NP_BBOX, "query": SPOTLIGHT_GEO}, limit=500)["features"]
    assert any("HH" in feature["assets"] for feature in hh)
    for name in straddlers:
        for stac_id in handmade_ids(catalog, name, "GEO"):
            item = catalog.get(stac_id)
            assert item is not None
            assert "HH" in item["assets"]
    naive = set(all_ids(catalog, {"bbox": [-124.9, 46.9, -122.4, 48.5], "query": SPOTLIGHT_GEO}))
    for name in (*straddlers, "olympic-park"):
        assert set(handmade_ids(catalog, name, "GEO")) <= naive
    # The reference SDK's documentation prints these ids for this search.
    assert "CAPELLA_C03_SP_GEO_HH_20210603175705_20210603175729" in found


def test_hefty_sf_query_finds_the_downtown_geo_and_every_filter_holds(catalog: Catalog) -> None:
    page = search(catalog, HEFTY_SF)
    assert handmade_ids(catalog, "sf-downtown", "GEO")[0] in ids(page)
    for feature in page["features"]:
        props = feature["properties"]
        assert feature["collection"] == "capella-geo"
        assert "09:00:00" <= props["locale:time"] <= "18:00:00"
        assert 25 < props["view:look_angle"] < 35
        assert props["sar:looks_equivalent_number"] == 9
        assert props["capella:orbital_plane"] == 45
        assert -0.5 < props["capella:squint_angle"] < 0.5


def test_swapped_bbox_latitudes_are_tolerated(catalog: Catalog) -> None:
    swapped = all_ids(catalog, {"bbox": SF_DOWNTOWN_BBOX})
    assert swapped
    assert swapped == all_ids(catalog, {"bbox": [-122.4, 37.7, -122.3, 37.8]})


# ----------------------------------------------------------------------------- geometry


def test_antimeridian_bbox_finds_footprints_on_both_sides(catalog: Catalog) -> None:
    taveuni = set(handmade_ids(catalog, "taveuni-antimeridian"))
    item = catalog.get(next(iter(taveuni)))
    assert item is not None
    assert item["bbox"][0] > item["bbox"][2]
    assert taveuni <= set(all_ids(catalog, {"bbox": [179.9, -17.0, -179.9, -16.7]}))
    assert taveuni <= set(all_ids(catalog, {"bbox": [179.9, -17.0, 180.0, -16.7]}))
    assert taveuni <= set(all_ids(catalog, {"bbox": [-180.0, -17.0, -179.99, -16.7]}))
    assert not taveuni & set(all_ids(catalog, {"bbox": [170.0, -17.0, 179.5, -16.7]}))
    assert taveuni <= set(all_ids(catalog, {"bbox": [179.9, -17.0, 0, -179.9, -16.7, 100]}))
    # degenerate: the meridian itself, as a west > east box of zero width on both sides
    assert taveuni <= set(all_ids(catalog, {"bbox": [180.0, -17.0, -180.0, -16.7]}))


def test_degenerate_bbox_is_a_point_or_a_line(catalog: Catalog) -> None:
    sf = set(handmade_ids(catalog, "sf-downtown"))
    assert sf <= set(all_ids(catalog, {"bbox": [-122.39, 37.78, -122.39, 37.78]}))
    assert sf <= set(all_ids(catalog, {"bbox": [-122.5, 37.78, -122.2, 37.78]}))
    assert not sf & set(all_ids(catalog, {"bbox": [-122.39, 37.9, -122.39, 37.9]}))


def test_every_straddling_item_is_found_by_its_own_bbox(catalog: Catalog) -> None:
    for item in catalog.items:
        if item["bbox"][0] > item["bbox"][2]:
            assert item["id"] in all_ids(catalog, {"bbox": item["bbox"], "ids": [item["id"]]})


def test_intersects_uses_real_geometry_for_points_lines_and_polygons(catalog: Catalog) -> None:
    sf = set(handmade_ids(catalog, "sf-downtown"))
    inside = {"type": "Point", "coordinates": [-122.39, 37.78]}
    outside = {"type": "Point", "coordinates": [-122.39, 37.90]}
    assert sf <= set(all_ids(catalog, {"intersects": inside}))
    assert not sf & set(all_ids(catalog, {"intersects": outside}))
    polygon = {
        "type": "Polygon",
        "coordinates": [
            [[-122.5, 37.7], [-122.3, 37.7], [-122.3, 37.8], [-122.5, 37.8], [-122.5, 37.7]]
        ],
    }
    assert sf <= set(all_ids(catalog, {"intersects": polygon}))
    line = {"type": "LineString", "coordinates": [[-122.6, 37.78], [-122.2, 37.78]]}
    assert sf <= set(all_ids(catalog, {"intersects": line}))
    multi = {"type": "MultiPolygon", "coordinates": [polygon["coordinates"]]}
    assert sf <= set(all_ids(catalog, {"intersects": multi}))
    feature = {"type": "Feature", "geometry": inside, "properties": {}}
    assert sf <= set(all_ids(catalog, {"intersects": feature}))


def test_intersects_is_exact_not_a_bbox_test(catalog: Catalog) -> None:
    # Footprints are rotated along the track, so a bbox corner lies outside the polygon.
    item = catalog.get(handmade_ids(catalog, "tokyo-sliding", "GEO")[0])
    assert item is not None
    west, south, _east, _north = item["bbox"]
    corner = {"type": "Point", "coordinates": [west + 1e-5, south + 1e-5]}
    assert item["id"] not in all_ids(catalog, {"intersects": corner, "ids": [item["id"]]})
    tiny = [west, south, west + 2e-5, south + 2e-5]
    assert item["id"] not in all_ids(catalog, {"bbox": tiny, "ids": [item["id"]]})
    ring = item["geometry"]["coordinates"][0][:4]
    centre = [sum(p[0] for p in ring) / 4, sum(p[1] for p in ring) / 4]
    inside = {"type": "Point", "coordinates": centre}
    assert item["id"] in all_ids(catalog, {"intersects": inside, "ids": [item["id"]]})


# ----------------------------------------------------------------------------- operators


def test_every_operator_on_numbers(catalog: Catalog) -> None:
    value = catalog.items[500]["properties"]["view:look_angle"]
    column = [item["properties"]["view:look_angle"] for item in catalog.items]

    def count(ops: dict[str, Any]) -> int:
        return int(
            search(catalog, {"query": {"view:look_angle": ops}, "limit": 1})["numberMatched"]
        )

    assert count({"eq": value}) == column.count(value)
    assert count({"gt": value}) == sum(v > value for v in column)
    assert count({"gte": value}) == sum(v >= value for v in column)
    assert count({"lt": value}) == sum(v < value for v in column)
    assert count({"lte": value}) == sum(v <= value for v in column)
    assert count({"in": [value, 999]}) == column.count(value)
    assert count({"gte": 20, "lt": 30}) == sum(20 <= v < 30 for v in column)
    assert count({"gt": "20"}) == count({"gt": 20})  # numeric strings compare as numbers
    assert count({"gt": 20.0}) == count({"gt": 20})


def test_integer_fields_match_floats_numerically(catalog: Catalog) -> None:
    as_int = search(catalog, {"query": {"proj:epsg": {"eq": 32648}}, "limit": 1})
    as_float = search(catalog, {"query": {"proj:epsg": {"eq": 32648.0}}, "limit": 1})
    assert as_int["numberMatched"] == as_float["numberMatched"] >= 1


def test_every_operator_on_strings_compares_lexically(catalog: Catalog) -> None:
    column = [item["properties"]["platform"] for item in catalog.items]

    def count(ops: dict[str, Any]) -> int:
        return int(search(catalog, {"query": {"platform": ops}, "limit": 1})["numberMatched"])

    assert count({"eq": "capella-5"}) == column.count("capella-5")
    assert count({"in": ["capella-5", "capella-7"]}) == column.count("capella-5") + column.count(
        "capella-7"
    )
    # lexical: "capella-10" < "capella-2"
    assert count({"lt": "capella-2"}) == sum(v < "capella-2" for v in column)
    assert count({"gte": "capella-8"}) == sum(v >= "capella-8" for v in column)
    assert count({"gt": "capella-8", "lte": "capella-9"}) == column.count("capella-9")


def test_local_time_window_compares_as_strings(catalog: Catalog) -> None:
    body = {"query": {"locale:time": {"gte": "03:00:00", "lte": "04:00:00"}}}
    found = search(catalog, {**body, "limit": 1000})["features"]
    assert found
    assert all("03:00:00" <= f["properties"]["locale:time"] <= "04:00:00" for f in found)


def test_array_properties_match_when_any_element_matches(catalog: Catalog) -> None:
    hh = sum(item["properties"]["sar:polarizations"] == ["HH"] for item in catalog.items)

    def count(query: dict[str, Any]) -> int:
        return int(search(catalog, {"query": query, "limit": 1})["numberMatched"])

    assert count({"sar:polarizations": {"eq": "HH"}}) == hh
    assert count({"sar:polarizations": {"in": ["HH"]}}) == hh
    assert count({"sar:polarizations": {"in": ["HH", "VV"]}}) == len(catalog.items)
    assert count({"sar:polarizations": {"eq": ["HH"]}}) == hh
    assert count({"instruments": {"eq": "capella-radar-5"}}) == count(
        {"platform": {"eq": "capella-5"}}
    )
    assert count({"sar:polarizations": {"gt": "HH"}}) == len(catalog.items) - hh


def test_datetime_compares_as_instants_with_z_or_offsets(catalog: Catalog) -> None:
    def count(ops: dict[str, Any]) -> int:
        return int(search(catalog, {"query": {"datetime": ops}, "limit": 1})["numberMatched"])

    utc = count({"gte": "2022-01-01T00:00:00Z"})
    assert utc == count({"gte": "2022-01-01T02:00:00+02:00"})
    assert utc == count({"gte": "2022-01-01T00:00:00"})
    assert utc == sum(item["properties"]["datetime"] >= "2022-01-01" for item in catalog.items)
    assert count({"gt": "2021-06-01T00:00:00Z", "lt": "2021-07-01T00:00:00Z"}) == sum(
        "2021-06-01" <= item["properties"]["datetime"] < "2021-07-01" for item in catalog.items
    )
    exact = catalog.items[42]["properties"]["datetime"]
    assert count({"eq": exact}) == len(
        catalog.items_of_collect(catalog.items[42]["properties"]["capella:collect_id"])
    )


def test_root_datetime_interval_matches_the_query_form(catalog: Catalog) -> None:
    start, end = "2021-06-01T00:00:00Z", "2021-07-01T00:00:00Z"
    root = all_ids(catalog, {"datetime": f"{start}/{end}"})
    query = all_ids(catalog, {"query": {"datetime": {"gte": start, "lte": end}}})
    assert root == query
    assert 0 < len(root) < 1000
    open_end = search(catalog, {"datetime": f"{start}/..", "limit": 1})["numberMatched"]
    assert (
        open_end
        == search(catalog, {"query": {"datetime": {"gte": start}}, "limit": 1})["numberMatched"]
    )
    open_start = search(catalog, {"datetime": f"../{end}", "limit": 1})["numberMatched"]
    assert open_start + open_end == len(catalog.items) + len(root)
    instant = catalog.items[7]["properties"]["datetime"]
    assert catalog.items[7]["id"] in all_ids(catalog, {"datetime": instant})


def test_ids_collections_and_ownership_root_filters(catalog: Catalog) -> None:
    wanted = [catalog.items[3]["id"], catalog.items[4000]["id"], "CAPELLA_C99_SP_GEO_HH_1_2"]
    assert sorted(all_ids(catalog, {"ids": wanted})) == sorted(wanted[:2])
    geo = search(catalog, {"collections": ["capella-geo"], "limit": 1000})
    assert all(f["collection"] == "capella-geo" for f in geo["features"])
    owned = search(catalog, {"ownership": "ownedByOrganization", "limit": 1000})
    assert owned["numberMatched"] == sum(
        catalog.ownership(i["id"]) == "ownedByOrganization" for i in catalog.items
    )
    assert all(catalog.ownership(f["id"]) == "ownedByOrganization" for f in owned["features"])
    public = search(catalog, {"ownership": "publiclyAvailable", "limit": 1000})
    assert all(f["collection"] == "capella-open-data" for f in public["features"])


def test_unknown_query_properties_match_nothing(catalog: Catalog) -> None:
    page = search(catalog, {"query": {"capella:tasking_request_id": {"eq": "x"}}})
    assert page["numberMatched"] == 0
    assert page["features"] == []
    assert page["links"] == []


def test_short_names_are_accepted_in_query(catalog: Catalog) -> None:
    short = search(catalog, {"query": {"look_angle": {"gt": 40}}, "limit": 1})
    full = search(catalog, {"query": {"view:look_angle": {"gt": 40}}, "limit": 1})
    assert short["numberMatched"] == full["numberMatched"] > 0


# ----------------------------------------------------------------------------- sorting


def test_default_order_is_datetime_desc_then_id(catalog: Catalog) -> None:
    features = search(catalog, {"limit": 1000})["features"]
    for a, b in itertools.pairwise(features):
        da, db = a["properties"]["datetime"], b["properties"]["datetime"]
        assert da > db or (da == db and a["id"] < b["id"])


def test_sortby_multi_key_in_both_directions(catalog: Catalog) -> None:
    body = {
        "query": {"sar:product_type": {"eq": "GEO"}},
        "sortby": [
            {"field": "properties.platform", "direction": "asc"},
            {"field": "properties.view:incidence_angle", "direction": "desc"},
        ],
        "limit": 1000,
    }
    features = search(catalog, body)["features"]
    keys = [
        (f["properties"]["platform"], -f["properties"]["view:incidence_angle"]) for f in features
    ]
    assert keys == sorted(keys)
    body["sortby"] = [
        {"field": "properties.platform", "direction": "desc"},
        {"field": "id", "direction": "asc"},
    ]
    features = search(catalog, body)["features"]
    platforms = [f["properties"]["platform"] for f in features]
    assert platforms == sorted(platforms, reverse=True)
    for a, b in itertools.pairwise(features):
        if a["properties"]["platform"] == b["properties"]["platform"]:
            assert a["id"] < b["id"]


def test_sortby_accepts_the_sdk_short_names(catalog: Catalog) -> None:
    def order(field: str) -> list[str]:
        body = {
            "query": {"sar:product_type": {"eq": "SLC"}},
            "sortby": [{"field": field, "direction": "desc"}],
            "limit": 300,
        }
        return ids(search(catalog, body))

    assert order("properties.incidence_angle") == order("properties.view:incidence_angle")
    assert order("properties.look_angle") == order("properties.view:look_angle")
    features = search(
        catalog,
        {"sortby": [{"field": "properties.incidence_angle", "direction": "asc"}], "limit": 50},
    )["features"]
    angles = [f["properties"]["view:incidence_angle"] for f in features]
    assert angles == sorted(angles)


def test_sortby_on_datetime_and_id_and_collection(catalog: Catalog) -> None:
    asc = search(
        catalog, {"sortby": [{"field": "properties.datetime", "direction": "asc"}], "limit": 100}
    )
    times = [f["properties"]["datetime"] for f in asc["features"]]
    assert times == sorted(times)
    by_id = ids(search(catalog, {"sortby": [{"field": "id", "direction": "desc"}], "limit": 100}))
    assert by_id == sorted((i["id"] for i in catalog.items), reverse=True)[:100]
    by_collection = search(
        catalog, {"sortby": [{"field": "collection", "direction": "asc"}], "limit": 1000}
    )["features"]
    assert [f["collection"] for f in by_collection] == sorted(
        f["collection"] for f in by_collection
    )


# ----------------------------------------------------------------------------- paging


def test_default_limit_is_10(catalog: Catalog) -> None:
    page = search(catalog, {})
    assert page["numberReturned"] == 10
    assert page["context"] == {
        "page": 1,
        "limit": 10,
        "matched": len(catalog.items),
        "returned": 10,
    }


def test_pages_are_disjoint_and_their_union_is_the_first_n(catalog: Catalog) -> None:
    body = {"query": {"sar:product_type": {"eq": "GEO"}}}
    matched = search(catalog, {**body, "limit": 1})["numberMatched"]
    total = min(matched, 250)
    everything = ids(search(catalog, {**body, "limit": total}))
    for size in (7, 33, 250):
        collected: list[str] = []
        page_number = 1
        while len(collected) < total:
            page = search(catalog, {**body, "limit": size, "page": page_number})
            collected.extend(ids(page))
            page_number += 1
        assert len(set(collected)) == len(collected)
        assert collected[:total] == everything


def test_query_string_page_and_limit_win_over_the_body(catalog: Catalog) -> None:
    body = {"limit": 5, "page": 3}
    page = search(catalog, body, page=2, limit=4)
    assert page["context"]["page"] == 2
    assert page["numberReturned"] == 4
    assert ids(page) == ids(search(catalog, {"limit": 12}))[4:8]
    assert search(catalog, body)["context"] == {
        "page": 3,
        "limit": 5,
        "matched": len(catalog.items),
        "returned": 5,
    }


def test_next_link_only_when_another_page_exists(catalog: Catalog) -> None:
    body = {
        "query": {"platform": {"eq": "capella-5"}, "sar:product_type": {"eq": "GEO"}},
        "limit": 20,
    }
    first = search(catalog, body)
    matched = first["numberMatched"]
    assert matched > 20
    (link,) = first["links"]
    assert link["rel"] == "next"
    assert link["href"] == f"{BASE}/catalog/search?page=2"
    assert link["method"] == "POST"
    assert link["body"]["page"] == 2
    assert link["body"]["query"] == body["query"]
    last_page = (matched + 19) // 20
    last = search(catalog, {**body, "page": last_page})
    assert last["links"] == []
    assert last["numberReturned"] == matched - 20 * (last_page - 1)
    beyond = search(catalog, {**body, "page": last_page + 1})
    assert beyond["features"] == []
    assert beyond["numberMatched"] == matched
    with_query_limit = search(catalog, {"query": body["query"]}, limit=20)
    assert with_query_limit["links"][0]["href"] == f"{BASE}/catalog/search?page=2&limit=20"


def test_features_carry_absolute_links(catalog: Catalog) -> None:
    feature = search(catalog, {"limit": 1})["features"][0]
    assert all(link["href"].startswith(BASE + "/catalog") for link in feature["links"])
    stored = catalog.get(feature["id"])
    assert stored is not None
    assert stored["links"][0]["href"].startswith("/catalog")


def test_results_stop_at_10000(catalog: Catalog) -> None:
    last_full = search(catalog, {}, page=10, limit=1000)
    assert last_full["numberReturned"] == 1000
    assert last_full["numberMatched"] > MAX_RESULTS
    assert last_full["links"] == []
    straddling = search(catalog, {}, page=11, limit=999)  # items 9991..10000 only
    assert straddling["numberReturned"] == 10
    assert straddling["links"] == []
    error = error_of(catalog, {}, page=11, limit=1000)
    assert "10000" in error.message
    error_of(catalog, {"page": 101, "limit": 100})


def test_page_size_above_1000_is_refused(catalog: Catalog) -> None:
    assert search(catalog, {"limit": 1000})["numberReturned"] == 1000
    error_of(catalog, {"limit": 1001})
    error_of(catalog, {}, limit=5000)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"query": {"view:look_angle": {"gtx": 5}}}, "query.view:look_angle.gtx"),
        ({"query": {"view:look_angle": {"startsWith": "5"}}}, "query.view:look_angle.startsWith"),
        ({"query": {"view:look_angle": {"gt": "steep"}}}, "query.view:look_angle.gt"),
        ({"query": {"proj:epsg": {"in": [32648, "utm"]}}}, "query.proj:epsg.in"),
        ({"query": {"datetime": {"gt": "yesterday"}}}, "query.datetime.gt"),
        ({"query": {"platform": {"eq": {"a": 1}}}}, "query.platform.eq"),
        ({"query": ["not", "an", "object"]}, "query"),
        ({"bbox": [1, 2, 3]}, "bbox"),
        ({"bbox": [1, 2, "3", 4]}, "bbox"),
        ({"bbox": [-190, 0, 10, 10]}, "bbox"),
        ({"bbox": [0, -95, 10, 10]}, "bbox"),
        ({"bbox": "1,2,3,4"}, "bbox"),
        ({"intersects": {"type": "Polygon", "coordinates": "nope"}}, "intersects"),
        ({"intersects": {"type": "Circle", "coordinates": [0, 0]}}, "intersects"),
        ({"intersects": {"type": "Point", "coordinates": []}}, "intersects"),
        ({"intersects": [0, 0]}, "intersects"),
        ({"bbox": [0, 0, 1, 1], "intersects": {"type": "Point", "coordinates": [0, 0]}}, "bbox"),
        ({"datetime": "not a date"}, "datetime"),
        ({"datetime": "2021-07-01T00:00:00Z/2021-06-01T00:00:00Z"}, "datetime"),
        ({"datetime": "../.."}, "datetime"),
        ({"datetime": 2021}, "datetime"),
        ({"sortby": [{"field": "properties.nonsense", "direction": "asc"}]}, "sortby.0.field"),
        ({"sortby": [{"field": "id", "direction": "sideways"}]}, "sortby.0.direction"),
        ({"sortby": 5}, "sortby"),
        ({"ownership": "stolen"}, "ownership"),
        ({"limit": 0}, "limit"),
        ({"limit": -3}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": True}, "limit"),
        ({"page": 0}, "page"),
        ({"ids": "CAPELLA_X", "collections": [1, 2]}, "collections"),
    ],
)
def test_bad_input_is_a_validation_error(catalog: Catalog, body: dict[str, Any], path: str) -> None:
    error = error_of(catalog, body)
    assert error.detail is not None
    assert error.detail[0]["path"] == path
    assert error.to_body()["error"]["code"] == "VALIDATION_ERROR"


def test_bad_query_string_paging_is_a_validation_error(catalog: Catalog) -> None:
    error_of(catalog, {}, limit=0)
    error_of(catalog, {}, page=0)


def test_non_object_body_is_a_validation_error(catalog: Catalog) -> None:
    with pytest.raises(SearchError):
        catalog.search_body([], base_url=BASE)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- speed


def test_typical_searches_take_well_under_50_ms(catalog: Catalog) -> None:
    bodies = [
        {"query": {"constellation": {"eq": "capella"}}, "limit": 500},
        {"bbox": OLYMPIC_NP_BBOX, "query": SPOTLIGHT_GEO, "limit": 500},
        HEFTY_SF,
        SEED_EXAMPLES["capella_2_vv"],
        SEED_EXAMPLES["high_resolution"],
        {"datetime": "2021-01-01T00:00:00Z/2022-01-01T00:00:00Z", "limit": 100},
    ]
    for body in bodies:
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            search(catalog, body)
            timings.append(time.perf_counter() - start)
        # generous bound so slow CI machines pass; typical medians are 0.5-5 ms
        assert statistics.median(timings) < 0.05, body
