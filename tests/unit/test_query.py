"""Catalog query translation: the request body for every field and operator, and the failures."""

from __future__ import annotations

import json
import logging
import subprocess
import warnings
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import geojson
import httpx
import pytest
import shapely.geometry

from capella import CapellaConsoleClient
from capella.enumerations import InstrumentMode, OrbitalPlane, OwnershipOption, ProductType
from capella.errors import CapellaConsoleClientError, InvalidFilterError, InvalidInputError
from capella.fields import FIELDS, Place
from capella.query import build_query, format_datetime, sort_payload

# The wire names, as the reference SDK 0.20.1 maps them (config.STAC_PREFIXED_BY_QUERY_FIELDS),
# written out independently of capella/fields.py.
WIRE = {
    "absolute_orbit": "sat:absolute_orbit",
    "archive_holdback": "capella:archive_holdback_date",
    "azimuth_angle": "view:azimuth",
    "billable_area": "capella:billable_area",
    "center_frequency": "sar:center_frequency",
    "collect_id": "capella:collect_id",
    "collection_type": "capella:collection_type",
    "constellation": "constellation",
    "created": "created",
    "datetime": "datetime",
    "epsg": "proj:epsg",
    "frequency_band": "sar:frequency_band",
    "hash": "capella:hash",
    "image_formation_algorithm": "capella:image_formation_algorithm",
    "incidence_angle": "view:incidence_angle",
    "instrument_mode": "sar:instrument_mode",
    "instruments": "instruments",
    "layover_angle": "capella:layover_angle",
    "local_datetime": "locale:datetime",
    "local_time": "locale:time",
    "local_timezone": "locale:timezone",
    "look_angle": "view:look_angle",
    "looks_azimuth": "sar:looks_azimuth",
    "looks_equivalent_number": "sar:looks_equivalent_number",
    "looks_range": "sar:looks_range",
    "observation_direction": "sar:observation_direction",
    "orbit_state": "sat:orbit_state",
    "orbital_plane": "capella:orbital_plane",
    "pixel_spacing_azimuth": "sar:pixel_spacing_azimuth",
    "pixel_spacing_range": "sar:pixel_spacing_range",
    "platform": "platform",
    "polarizations": "sar:polarizations",
    "product_type": "sar:product_type",
    "relative_orbit": "sat:relative_orbit",
    "resolution_azimuth": "sar:resolution_azimuth",
    "resolution_ground_range": "capella:resolution_ground_range",
    "resolution_range": "sar:resolution_range",
    "rgt_id": "capella:rgt_id",
    "squint_angle": "capella:squint_angle",
    "updated": "updated",
    "use_case": "capella:use_case",
}

# One valid value per field, and a second one for ``in`` lists.
SAMPLES: dict[str, tuple[Any, Any]] = {
    "absolute_orbit": (638, 639),
    "archive_holdback": ("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    "azimuth_angle": (196.5, 20),
    "billable_area": (100000000, 2.5e7),
    "center_frequency": (9.65, 9.6),
    "collect_id": ("27a71826-7819-48cc-b8f2-0ad10bee0f97", "78616ccc-0436-4dc2-adc8-b0a1e316b095"),
    "collection_type": ("spotlight_ultra", "stripmap_20"),
    "constellation": ("capella", "other"),
    "created": ("2021-06-01T00:00:00Z", "2021-06-02T00:00:00Z"),
    "datetime": ("2021-06-01T00:00:00Z", "2021-07-01T00:00:00.5+00:00"),
    "epsg": (32648, 4326),
    "frequency_band": ("X", "Ku"),
    "hash": ("abc", "def"),
    "image_formation_algorithm": ("pfa", "backprojection"),
    "incidence_angle": (11.6, 40),
    "instrument_mode": ("spotlight", "sliding_spotlight"),
    "instruments": ("capella-radar-5", "capella-radar-6"),
    "layover_angle": (-0.1, 0.2),
    "local_datetime": ("2022-12-12T07:37:42.324551+0800", "2022-12-13T07:37:42+0800"),
    "local_time": ("07:37:42.324551", "09:00:00"),
    "local_timezone": ("Asia/Shanghai", "Etc/GMT-5"),
    "look_angle": (28.4, 35),
    "looks_azimuth": (5, 1),
    "looks_equivalent_number": (3, 9.5),
    "looks_range": (5, 1),
    "observation_direction": ("right", "left"),
    "orbit_state": ("ascending", "descending"),
    "orbital_plane": (45, 97),
    "pixel_spacing_azimuth": (0.5, 1),
    "pixel_spacing_range": (0.5, 1),
    "platform": ("capella-2", "capella-5"),
    "polarizations": ("HH", "VV"),
    "product_type": ("GEO", "SLC"),
    "relative_orbit": (14, 15),
    "resolution_azimuth": (0.5, 1.0),
    "resolution_ground_range": (0.5, 1.0),
    "resolution_range": (0.5, 1.0),
    "rgt_id": ("611_97.9_104_7_20260224T172941_-1", "x"),
    "squint_angle": (30.1, -0.5),
    "updated": ("2021-06-01T00:00:00Z", "2021-06-02"),
    "use_case": ("maritime", "urban"),
}

OPS = ("eq", "gt", "gte", "lt", "lte")


def body(**filters: Any) -> dict[str, Any]:
    return build_query(filters).body


# -- the table ------------------------------------------------------------------------------


def test_the_field_table_covers_every_reference_field_with_its_wire_name() -> None:
    table = {f.name: f.wire for f in FIELDS if f.place is Place.QUERY}
    assert table == WIRE


def test_the_root_fields_are_those_of_the_reference() -> None:
    assert {f.name for f in FIELDS if f.is_root} == {
        "bbox",
        "intersects",
        "collections",
        "ids",
        "limit",
    }


# -- every field and operator ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WIRE))
def test_a_bare_field_filters_on_equality(name: str) -> None:
    value = SAMPLES[name][0]
    assert body(**{name: value}) == {"query": {WIRE[name]: {"eq": value}}, "limit": 500}


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("name", sorted(WIRE))
def test_each_operator_goes_under_the_wire_name(name: str, op: str) -> None:
    value = SAMPLES[name][0]
    assert body(**{f"{name}__{op}": value}) == {
        "query": {WIRE[name]: {op: value}},
        "limit": 500,
    }


@pytest.mark.parametrize("name", sorted(WIRE))
def test_a_list_value_means_in(name: str) -> None:
    values = list(SAMPLES[name])
    expected = {"query": {WIRE[name]: {"in": values}}, "limit": 500}
    assert body(**{name: values}) == expected
    assert body(**{f"{name}__in": values}) == expected
    assert body(**{f"{name}__eq": values}) == expected


def test_several_operators_on_one_field_merge() -> None:
    assert body(look_angle__gte=0.9, look_angle__lte=12.0, look_angle__gt=0.5) == {
        "query": {"view:look_angle": {"gte": 0.9, "lte": 12.0, "gt": 0.5}},
        "limit": 500,
    }


def test_the_research_example_body() -> None:
    assert body(
        bbox=[1, 2, 3, 4],
        ownership="ownedByOrganization",
        product_type=["SLC", "GEO"],
        look_angle__gte=0.9,
        look_angle__lte=12.0,
        datetime__gt="2021-06-01T00:00:00Z",
        sortby=["-datetime", "+id"],
    ) == {
        "bbox": [1, 2, 3, 4],
        "limit": 500,
        "ownership": "ownedByOrganization",
        "query": {
            "sar:product_type": {"in": ["SLC", "GEO"]},
            "view:look_angle": {"gte": 0.9, "lte": 12.0},
            "datetime": {"gt": "2021-06-01T00:00:00Z"},
        },
        "sortby": [
            {"field": "properties.datetime", "direction": "desc"},
            {"field": "id", "direction": "asc"},
        ],
    }


def test_keys_come_in_the_reference_order() -> None:
    query = body(
        limit=10,
        product_type="GEO",
        bbox=[1, 2, 3, 4],
        sortby="id",
        ownership="ownedByOrganization",
    )
    assert list(query) == ["sortby", "ownership", "limit", "bbox", "query"]
    assert list(body(product_type="GEO")) == ["query", "limit"]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("bbox", [12.35, 41.78, 12.61, 42], [12.35, 41.78, 12.61, 42]),
        ("bbox", (1, 2, 3, 4, 5, 6), [1, 2, 3, 4, 5, 6]),
        ("collections", ["capella-open-data"], ["capella-open-data"]),
        ("collections", "capella-geo", ["capella-geo"]),
        (
            "ids",
            ["CAPELLA_C02_SP_GEO_HH_20201109060434_20201109060437"],
            ["CAPELLA_C02_SP_GEO_HH_20201109060434_20201109060437"],
        ),
        ("ids", ("a", "b"), ["a", "b"]),
        (
            "intersects",
            {"type": "Point", "coordinates": [-113.1, 51.1]},
            {"type": "Point", "coordinates": [-113.1, 51.1]},
        ),
        ("limit", 1, 1),
    ],
)
def test_root_fields_go_to_the_root(name: str, value: Any, expected: Any) -> None:
    query = body(**{name: value})
    assert query[name] == expected
    assert "query" not in query


# -- limit ----------------------------------------------------------------------------------


def test_limit_defaults_to_500() -> None:
    assert build_query({}).body == {"limit": 500}
    assert build_query({}).limit == 500


def test_limit_above_10000_is_capped_with_a_warning() -> None:
    warnings: list[str] = []
    query = build_query({"limit": 20_000}, warn=warnings.append)
    assert query.body == {"limit": 10_000}
    assert len(warnings) == 1 and "10000" in warnings[0] and "20000" in warnings[0]


def test_the_limit_warning_is_logged_on_the_capella_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def empty(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"type": "FeatureCollection", "features": [], "numberMatched": 0}
        )

    client = CapellaConsoleClient(
        api_key="k", no_token_check=True, transport=httpx.MockTransport(empty)
    )
    with caplog.at_level(logging.WARNING, logger="capella"):
        client.search(limit=12_000)
    assert [r.name for r in caplog.records if "limiting to 10000" in r.getMessage()] == ["capella"]


@pytest.mark.parametrize("limit", [0, -5, 1.5, "10", True, None])
def test_invalid_limits_are_refused(limit: Any) -> None:
    with pytest.raises(InvalidFilterError, match="limit"):
        build_query({"limit": limit})


# -- sortby ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sortby", "expected"),
    [
        ("datetime", [{"field": "properties.datetime", "direction": "asc"}]),
        ("-datetime", [{"field": "properties.datetime", "direction": "desc"}]),
        ("+datetime", [{"field": "properties.datetime", "direction": "asc"}]),
        ("id", [{"field": "id", "direction": "asc"}]),
        ("-id", [{"field": "id", "direction": "desc"}]),
        ("collection", [{"field": "collection", "direction": "asc"}]),
        ("created", [{"field": "properties.created", "direction": "asc"}]),
        ("platform", [{"field": "properties.platform", "direction": "asc"}]),
        # the deliberate difference from the reference SDK: prefixed properties by wire name
        ("-incidence_angle", [{"field": "properties.view:incidence_angle", "direction": "desc"}]),
        ("azimuth_angle", [{"field": "properties.view:azimuth", "direction": "asc"}]),
        (
            "archive_holdback",
            [{"field": "properties.capella:archive_holdback_date", "direction": "asc"}],
        ),
        # root filter fields stay bare, as in the reference SDK
        ("bbox", [{"field": "bbox", "direction": "asc"}]),
        (
            ["-datetime", "+id"],
            [
                {"field": "properties.datetime", "direction": "desc"},
                {"field": "id", "direction": "asc"},
            ],
        ),
        (("product_type",), [{"field": "properties.sar:product_type", "direction": "asc"}]),
    ],
)
def test_sortby(sortby: Any, expected: list[dict[str, str]]) -> None:
    assert sort_payload(sortby) == expected
    assert body(sortby=sortby)["sortby"] == expected


def test_every_query_field_sorts_on_its_wire_name() -> None:
    for name, wire in WIRE.items():
        assert sort_payload(f"-{name}") == [{"field": f"properties.{wire}", "direction": "desc"}]


def test_an_empty_sortby_sends_none() -> None:
    assert "sortby" not in body(sortby=[])
    assert "sortby" not in body(sortby=None)


@pytest.mark.parametrize(
    ("sortby", "message"),
    [
        ("-datetme", "cannot sort by 'datetme': did you mean 'datetime'?"),
        (["+id", "look_angel"], "did you mean 'look_angle'?"),
        (5, "sortby expects a string or a list"),
        ([""], "sortby entries must be field names"),
    ],
)
def test_unknown_sort_fields_are_refused(sortby: Any, message: str) -> None:
    with pytest.raises(InvalidFilterError, match=message):
        build_query({"sortby": sortby})


# -- ownership and threaded -----------------------------------------------------------------


@pytest.mark.parametrize("option", list(OwnershipOption))
def test_ownership_goes_to_the_root(option: OwnershipOption) -> None:
    assert body(ownership=option.value)["ownership"] == option.value
    assert body(ownership=option)["ownership"] == option.value


def test_an_invalid_ownership_is_refused_with_the_choices() -> None:
    with pytest.raises(
        InvalidFilterError, match=r"did you mean 'ownedByOrganization'\?.*publiclyAvailable"
    ):
        build_query({"ownership": "ownedbyorganization"})


def test_threaded_is_an_option_not_a_filter() -> None:
    query = build_query({"threaded": True, "product_type": "GEO"})
    assert query.threaded is True
    assert "threaded" not in json.dumps(query.body)
    assert build_query({}).threaded is False
    with pytest.raises(InvalidFilterError, match="threaded"):
        build_query({"threaded": "yes"})


# -- fail closed ----------------------------------------------------------------------------


def test_an_unknown_field_is_refused_with_a_suggestion_and_the_valid_fields() -> None:
    with pytest.raises(InvalidFilterError) as caught:
        build_query({"look_angel__gt": 35})
    message = str(caught.value)
    assert "unknown filter 'look_angel__gt': did you mean 'look_angle'?" in message
    assert "valid fields:" in message and "product_type" in message and "bbox" in message


def test_filter_errors_are_invalid_input_errors_and_sdk_errors() -> None:
    with pytest.raises(InvalidInputError) as caught:
        build_query({"product_typ": "GEO"})
    assert isinstance(caught.value, CapellaConsoleClientError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == "INVALID_INPUT"
    assert "did you mean 'product_type'?" in str(caught.value)


@pytest.mark.parametrize("key", ["id", "collection", "sort", "page"])
def test_names_that_are_not_filters_are_refused(key: str) -> None:
    with pytest.raises(InvalidFilterError, match="unknown filter"):
        build_query({key: "x"})


def test_an_unknown_operator_is_refused_with_the_valid_operators() -> None:
    with pytest.raises(InvalidFilterError) as caught:
        build_query({"look_angle__gtt": 35})
    message = str(caught.value)
    assert "unknown operator 'gtt' in 'look_angle__gtt': did you mean 'gt'?" in message
    assert "valid operators: eq, in, gt, gte, lt, lte" in message


@pytest.mark.parametrize("key", ["look_angle__gt__x", "product_type__startsWith", "datetime__"])
def test_malformed_operators_are_refused(key: str) -> None:
    with pytest.raises(InvalidFilterError, match="unknown operator"):
        build_query({key: 1})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("product_type", "geo", "invalid value 'geo' for product_type: did you mean 'GEO'?"),
        ("product_type", ["GEO", "SLCC"], "invalid value 'SLCC' for product_type"),
        ("instrument_mode__in", ["spotlite"], "did you mean 'spotlight'?"),
        ("polarizations", "HX", "valid values: HH, VV, HV, VH"),
        ("orbit_state", "either", "valid values: ascending, descending"),
        ("observation_direction", "up", "valid values: left, right"),
        ("orbital_plane", 46, "valid values: 45, 53, 97"),
        ("orbital_plane", "45", "for orbital_plane"),
        ("frequency_band", "x", "valid values: P, L, S, C, X, Ku, K, Ka"),
        ("image_formation_algorithm", "rda", "pfa, backprojection"),
        ("collection_type", "spotlight-ultra", "did you mean 'spotlight_ultra'?"),
    ],
)
def test_values_outside_an_enum_are_refused(key: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidFilterError, match=message.replace("(", r"\(").replace("?", r"\?")):
        build_query({key: value})


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"look_angle": "steep"}, "look_angle expects a number"),
        ({"look_angle__gt": True}, "look_angle__gt expects a number"),
        ({"look_angle": float("nan")}, "finite"),
        ({"look_angle__gt": [1, 2]}, "look_angle__gt takes one value"),
        ({"platform": 2}, "platform expects a string"),
        ({"datetime__gt": "June 2021"}, "datetime__gt expects an ISO 8601"),
        ({"datetime": 2021}, "datetime expects a datetime"),
        ({"product_type": None}, "product_type=None"),
        ({"bbox": [1, 2, 3]}, "bbox expects 4 or 6 numbers"),
        ({"bbox": "1,2,3,4"}, "bbox expects 4 or 6 numbers"),
        ({"bbox": [1, 2, "3", 4]}, "bbox expects 4 or 6 numbers"),
        ({"bbox__gt": [1, 2, 3, 4]}, "bbox takes no operator"),
        ({"bbox": [1, 40, 3, 30]}, r"south \(40\) is greater than north \(30\)"),
        ({"bbox": [1, 40, 0, 3, 30, 10]}, r"south \(40\) is greater than north \(30\)"),
        ({"bbox": [1, 2, float("nan"), 4]}, "no NaN or inf"),
        ({"bbox": [1, 2, 3, float("inf")]}, "no NaN or inf"),
        ({"bbox": [-181, 2, 3, 4]}, "longitudes must be between -180 and 180"),
        ({"bbox": [1, -91, 3, 4]}, "latitudes must be between -90 and 90"),
        ({"collections": [1]}, "collections expects a list of strings"),
        ({"ids": 5}, "ids expects a list of strings"),
        ({"intersects": [1, 2]}, "intersects expects a GeoJSON geometry"),
        ({"intersects": {"type": "Circle", "coordinates": [1, 2]}}, "got type 'Circle'"),
        ({"intersects": {"type": "Point"}}, "a Point needs 'coordinates'"),
    ],
)
def test_invalid_values_are_refused_before_any_request(
    filters: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidFilterError, match=message):
        build_query(filters)


def test_the_client_refuses_before_sending_anything() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    client = CapellaConsoleClient(
        api_key="k", no_token_check=True, transport=httpx.MockTransport(record)
    )
    with pytest.raises(InvalidFilterError):
        client.search(product_typ="GEO")  # type: ignore[call-arg]
    assert sent == []


def test_the_clients_bbox_warning_points_at_the_callers_line() -> None:
    def empty(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"type": "FeatureCollection", "features": []})

    client = CapellaConsoleClient(
        api_key="k", no_token_check=True, transport=httpx.MockTransport(empty)
    )
    with pytest.warns(UserWarning, match="antimeridian") as caught:
        client.search(bbox=[-122.4, 46.9, -124.9, 48.5])
    assert {w.filename for w in caught} == {__file__}


# -- normalisation at the edge --------------------------------------------------------------


def test_enums_are_accepted_wherever_strings_are() -> None:
    assert body(
        product_type=ProductType.GEO,
        instrument_mode=[InstrumentMode.spotlight, "stripmap"],
        orbital_plane=OrbitalPlane.fortyfive,
    )["query"] == {
        "sar:product_type": {"eq": "GEO"},
        "sar:instrument_mode": {"in": ["spotlight", "stripmap"]},
        "capella:orbital_plane": {"eq": 45},
    }
    assert type(body(product_type=ProductType.GEO)["query"]["sar:product_type"]["eq"]) is str


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2021, 6, 1, tzinfo=UTC), "2021-06-01T00:00:00Z"),
        (datetime(2021, 6, 1, 10, 0), "2021-06-01T10:00:00Z"),  # naive: taken as UTC
        (datetime(2024, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=2))), "2024-01-01T08:00:00Z"),
        (datetime(2024, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), "2023-12-31T23:30:00Z"),
        (datetime(2021, 6, 1, 0, 0, 0, 123456, tzinfo=UTC), "2021-06-01T00:00:00.123456Z"),
        (date(2021, 6, 1), "2021-06-01T00:00:00Z"),
        ("2021-06-01T00:00:00Z", "2021-06-01T00:00:00Z"),  # strings are sent as given
        ("2021-06-01", "2021-06-01"),
    ],
)
def test_datetimes_become_iso_8601_utc(value: Any, expected: str) -> None:
    assert format_datetime(value) == expected
    for name in ("datetime", "created", "updated", "archive_holdback"):
        assert body(**{f"{name}__gt": value})["query"][WIRE[name]] == {"gt": expected}


def test_datetimes_in_lists_are_normalised_too() -> None:
    assert body(datetime=[date(2021, 6, 1), datetime(2021, 6, 2, 1, tzinfo=UTC)])["query"] == {
        "datetime": {"in": ["2021-06-01T00:00:00Z", "2021-06-02T01:00:00Z"]}
    }


def test_a_body_with_datetimes_is_json_serialisable() -> None:
    query = body(datetime__gt=datetime(2021, 6, 1), datetime__lt=date(2021, 7, 1))
    assert json.loads(json.dumps(query)) == query


def test_local_time_accepts_a_time() -> None:
    assert body(local_time__gte=time(3, 0))["query"] == {"locale:time": {"gte": "03:00:00"}}


POINT = {"type": "Point", "coordinates": [11.148216, 49.596722]}
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]],
}


class HasGeoInterface:
    __geo_interface__ = POINT


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (POINT, POINT),
        (geojson.Point([11.148216, 49.596722]), POINT),
        (geojson.Polygon([[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]), SQUARE),
        (shapely.geometry.Point(11.148216, 49.596722), POINT),
        (shapely.geometry.box(0.0, 0.0, 1.0, 1.0), None),
        (HasGeoInterface(), POINT),
        ({"type": "Feature", "geometry": POINT, "properties": {}}, POINT),
        (geojson.Feature(geometry=geojson.Point([11.148216, 49.596722])), POINT),
    ],
)
def test_geometries_are_accepted_from_dicts_geojson_and_geo_interface(
    geometry: Any, expected: Any
) -> None:
    intersects = body(intersects=geometry)["intersects"]
    assert type(intersects) is dict
    assert json.loads(json.dumps(intersects)) == intersects  # plain JSON, tuples as lists
    if expected is not None:
        assert intersects == expected
    else:
        assert intersects["type"] == "Polygon"
        assert all(isinstance(p, list) for p in intersects["coordinates"][0])


def test_a_bbox_across_the_antimeridian_over_180_degrees_wide_warns_with_the_swap() -> None:
    with pytest.warns(UserWarning) as caught:
        query = body(bbox=[-122.4, 46.9, -124.9, 48.5])
    assert query["bbox"] == [-122.4, 46.9, -124.9, 48.5]  # the STAC meaning is kept
    (warning,) = caught
    assert "357.5 degrees wide" in str(warning.message)
    assert "pass [-124.9, 46.9, -122.4, 48.5]" in str(warning.message)
    assert warning.filename == __file__  # points at the caller, not into capella


def test_a_3d_bbox_warning_swaps_west_and_east_not_the_heights() -> None:
    with pytest.warns(UserWarning, match=r"pass \[-124.9, 46.9, 0, -122.4, 48.5, 100\]"):
        body(bbox=[-122.4, 46.9, 0, -124.9, 48.5, 100])


def test_a_narrow_bbox_across_the_antimeridian_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert body(bbox=[179, -17, -179, -16])["bbox"] == [179, -17, -179, -16]
        assert body(bbox=[-124.9, 46.9, -122.4, 48.5])["bbox"] == [-124.9, 46.9, -122.4, 48.5]


def test_bbox_is_accepted_from_any_sequence() -> None:
    assert body(bbox=(1, 2, 3, 4))["bbox"] == [1, 2, 3, 4]
    assert body(bbox=iter([1.5, 2, 3, 4]))["bbox"] == [1.5, 2, 3, 4]
    assert body(bbox=shapely.geometry.box(1, 2, 3, 4).bounds)["bbox"] == [1.0, 2.0, 3.0, 4.0]


def test_tuples_and_sets_mean_in_like_lists() -> None:
    assert body(product_type=("GEO", "SLC"))["query"] == {
        "sar:product_type": {"in": ["GEO", "SLC"]}
    }
    assert body(product_type={"GEO"})["query"] == {"sar:product_type": {"in": ["GEO"]}}


def test_in_with_one_value_sends_a_list() -> None:
    assert body(product_type__in="GEO")["query"] == {"sar:product_type": {"in": ["GEO"]}}


def test_numeric_strings_are_sent_as_given() -> None:
    # the seed documents layover_angle as a string, e.g. "-0.1"
    assert body(layover_angle="-0.1")["query"] == {"capella:layover_angle": {"eq": "-0.1"}}


def test_the_caller_s_values_are_not_shared_with_the_body() -> None:
    bbox = [1, 2, 3, 4]
    types = ["GEO"]
    query = body(bbox=bbox, product_type=types)
    query["bbox"].append(5)
    query["query"]["sar:product_type"]["in"].append("SLC")
    assert bbox == [1, 2, 3, 4] and types == ["GEO"]


# -- the reference SDK's own payload builder ------------------------------------------------

# Bodies the reference SDK built for REFERENCE_CASES, checked in so that the comparison runs on
# any machine; `python tests/unit/test_query.py --record PYTHON` rebuilds them with the
# reference SDK installed in PYTHON's environment (e.g. .bench/refvenv/bin/python).
REFERENCE_BODIES = Path(__file__).parent.parent / "data" / "reference_search_bodies.json"

# Valid inputs (seed snippets and more); the reference SDK must build the same body.
REFERENCE_CASES: list[dict[str, Any]] = [
    {"constellation": "capella", "limit": 1},
    {"bbox": [-122.4, 46.9, -124.9, 48.5]},
    {"constellation": "capella", "instrument_mode": "spotlight", "limit": 1},
    {
        "constellation": "capella",
        "instrument_mode": "spotlight",
        "bbox": [-122.4, 46.9, -124.9, 48.5],
        "product_type": "GEO",
    },
    {"constellation": "capella", "limit": 1000},
    {"constellation": "capella", "limit": 9999, "threaded": True},
    {"polarizations": "HH", "platform": "capella-5", "sortby": "-datetime"},
    {"polarizations": "VV", "platform": "capella-2", "sortby": ["-datetime", "+id"]},
    {
        "instrument_mode": "stripmap",
        "datetime__gt": "2021-06-01T00:00:00Z",
        "datetime__lt": "2021-07-01T00:00:00Z",
        "product_type": "SLC",
        "limit": 10,
    },
    {"instrument_mode": ["stripmap", "spotlight"], "product_type": "GEO", "limit": 10},
    {
        "resolution_azimuth__lte": 0.5,
        "resolution_range__gte": 0.3,
        "resolution_range__lte": 0.5,
        "limit": 10,
    },
    {
        "look_angle__gt": 35,
        "product_type": "GEO",
        "instrument_mode": "sliding_spotlight",
        "limit": 10,
    },
    {"collect_id": "27a71826-7819-48cc-b8f2-0ad10bee0f97"},
    {
        "product_type": "GEO",
        "local_time__gte": "03:00:00",
        "local_time__lte": "04:00:00",
        "epsg": 32648,
    },
    {"product_type": "GEO", "ownership": "ownedByOrganization"},
    {
        "bbox": [-122.4, 37.7, -122.3, 37.8],
        "datetime__gt": "2021-05-01T00:00:00Z",
        "datetime__lt": "2021-07-01T00:00:00Z",
        "local_time__gte": "09:00:00",
        "local_time__lte": "18:00:00",
        "instrument_mode": "spotlight",
        "product_type": "GEO",
        "look_angle__gt": 25,
        "look_angle__lt": 35,
        "looks_equivalent_number": 9,
        "polarizations": ["HH"],
        "resolution_azimuth__lte": 1,
        "resolution_range__lte": 1,
        "orbit_state": "descending",
        "orbital_plane": 45,
        "observation_direction": "right",
        "squint_angle__gt": -0.5,
        "squint_angle__lt": 0.5,
        "sortby": "-datetime",
        "collections": ["capella-geo"],
    },
    {"instrument_mode": "spotlight", "product_type": "GEO", "sortby": "-datetime"},
    {
        "intersects": {"type": "Point", "coordinates": [-113.1, 51.1]},
        "ids": ["a", "b"],
        "limit": 20000,
    },
    {"sortby": ["id", "-id", "+datetime"], "limit": 10000},
    *({name: SAMPLES[name][0]} for name in sorted(WIRE)),
    *({name: list(SAMPLES[name])} for name in sorted(WIRE)),
    *(
        {f"{name}__{op}": SAMPLES[name][0]}
        for name in sorted(WIRE)
        for op in ("eq", "gt", "gte", "lt", "lte")
    ),
    *({f"{name}__in": list(SAMPLES[name])} for name in sorted(WIRE)),
    *({f"{name}__gte": SAMPLES[name][0], f"{name}__lt": SAMPLES[name][1]} for name in sorted(WIRE)),
]

_REFERENCE_SCRIPT = """
import json, logging, sys
logging.disable(logging.CRITICAL)
from capella_console_client.search import StacSearch
cases = json.load(sys.stdin)
json.dump([StacSearch(session=None, **case).payload for case in cases], sys.stdout)
"""


def reference_payloads(python: str) -> list[dict[str, Any]]:
    """Ask the reference SDK installed for ``python`` to build the body of every case."""
    done = subprocess.run(
        [python, "-c", _REFERENCE_SCRIPT],
        input=json.dumps(REFERENCE_CASES),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(done.stdout))


@pytest.fixture(scope="module")
def reference_bodies() -> list[dict[str, Any]]:
    recorded = json.loads(REFERENCE_BODIES.read_text())
    assert recorded["cases"] == json.loads(json.dumps(REFERENCE_CASES)), (
        "REFERENCE_CASES changed: re-record with `python tests/unit/test_query.py --record PY`"
    )
    return list(recorded["bodies"])


@pytest.mark.parametrize("index", range(len(REFERENCE_CASES)))
def test_the_body_is_the_one_the_reference_sdk_builds(
    index: int, reference_bodies: list[dict[str, Any]]
) -> None:
    with warnings.catch_warnings():
        # Some cases are the seed's swapped Olympic box; its warning has its own tests.
        warnings.simplefilter("ignore", UserWarning)
        ours = build_query(REFERENCE_CASES[index]).body
    expected = reference_bodies[index]
    assert ours == expected
    assert list(ours) == list(expected)  # same key order, so logged payloads read the same


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] != ["--record"] or len(sys.argv) != 3:
        sys.exit("usage: python tests/unit/test_query.py --record PYTHON_WITH_REFERENCE_SDK")
    bodies = reference_payloads(sys.argv[2])
    data = {"cases": REFERENCE_CASES, "bodies": bodies}
    REFERENCE_BODIES.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    print(f"wrote {len(bodies)} reference bodies to {REFERENCE_BODIES}")
