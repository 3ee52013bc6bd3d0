"""spec/openapi.yaml is valid and matches docs/architecture.md; generated/capella_api follows it."""

from __future__ import annotations

import copy
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "spec" / "openapi.yaml"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ERROR_STATUSES = ("400", "401", "403", "404", "429", "500", "502", "503")

# The table of docs/architecture.md: (tag, operationId, "METHOD path", query parameters).
OPERATIONS = [
    ("user", "getUser", "GET /user", ()),
    ("catalog", "searchCatalog", "POST /catalog/search", ("page", "limit")),
    ("orders", "reviewOrder", "POST /orders/review", ()),
    ("orders", "submitOrder", "POST /orders", ()),
    ("orders", "listOrders", "GET /orders", ("customerId",)),
    ("orders", "getOrder", "GET /orders/{orderId}", ()),
    ("orders", "getOrderDownload", "GET /orders/{orderId}/download", ()),
    ("tasking", "createTaskingRequest", "POST /task", ()),
    ("tasking", "getTaskingRequest", "GET /task/{taskingrequestId}", ()),
    ("tasking", "updateTaskingRequest", "PATCH /task/{taskingrequestId}", ()),
    ("tasking", "updateTaskingRequestStatus", "PATCH /task/{taskingrequestId}/status", ()),
    ("tasking", "searchTaskingRequests", "POST /tasks/search", ("page", "limit")),
    ("collects", "listCollectsForTask", "GET /collects/list/{taskingrequestId}", ()),
    ("repeat_requests", "createRepeatRequest", "POST /repeat-requests", ()),
    ("repeat_requests", "updateRepeatRequest", "PATCH /repeat-requests/{repeatrequestId}", ()),
    (
        "repeat_requests",
        "updateRepeatRequestStatus",
        "PATCH /repeat-requests/{repeatrequestId}/status",
        (),
    ),
    ("repeat_requests", "searchRepeatRequests", "POST /repeat-requests/search", ("page", "limit")),
    ("collection_types", "listCollectionTypes", "GET /collectiontypes", ()),
]
OPERATION_IDS = [row[1] for row in OPERATIONS]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema_nodes(spec: dict[str, Any], node: Any, seen: set[str]) -> list[dict[str, Any]]:
    """Every schema object reachable from node, following $refs once each."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in seen:
                return found
            seen.add(ref)
            return _schema_nodes(spec, _resolve(spec, node), seen)
        found.append(node)
        for value in node.values():
            found.extend(_schema_nodes(spec, value, seen))
    elif isinstance(node, list):
        for value in node:
            found.extend(_schema_nodes(spec, value, seen))
    return found


def test_spec_is_a_valid_openapi_3_1_document(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec, cls=OpenAPIV31SpecValidator)


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def test_architecture_table_lists_the_same_operations_as_this_test() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    row = re.compile(r"^\| (\w+) \| (\w+) \| ((?:GET|POST|PATCH|PUT|DELETE) \S+)", re.MULTILINE)
    assert row.findall(text) == [(tag, op_id, route) for tag, op_id, route, _ in OPERATIONS]


@pytest.mark.parametrize(("tag", "operation_id", "route", "query"), OPERATIONS, ids=OPERATION_IDS)
def test_documented_operation_exists_with_its_operation_id_tag_and_query(
    spec: dict[str, Any], tag: str, operation_id: str, route: str, query: tuple[str, ...]
) -> None:
    method, path = route.split(" ")
    operation = spec["paths"][path][method.lower()]
    assert operation["operationId"] == operation_id
    assert operation["tags"] == [tag]
    parameters = [_resolve(spec, parameter) for parameter in operation.get("parameters", [])]
    assert sorted(p["name"] for p in parameters if p["in"] == "query") == sorted(query)
    path_names = re.findall(r"{(\w+)}", path)
    assert [p["name"] for p in parameters if p["in"] == "path"] == path_names


def test_spec_has_exactly_the_documented_operations(spec: dict[str, Any]) -> None:
    found = sorted(f"{method.upper()} {path}" for method, path, _ in _operations(spec))
    assert found == sorted(route for _, _, route, _ in OPERATIONS)


def test_every_operation_has_an_operation_id(spec: dict[str, Any]) -> None:
    for method, path, operation in _operations(spec):
        assert operation.get("operationId"), f"{method.upper()} {path} has no operationId"


def test_no_operation_has_a_default_response_and_all_declare_the_error_statuses(
    spec: dict[str, Any],
) -> None:
    for method, path, operation in _operations(spec):
        responses = operation["responses"]
        assert "default" not in responses, f"{method.upper()} {path} has a default response"
        assert "200" in responses
        for status in ERROR_STATUSES:
            response = _resolve(spec, responses[status])
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (
                f"{method} {path} {status}"
            )


def test_security_is_declared_globally_with_both_auth_forms(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert (schemes["ApiKey"]["type"], schemes["ApiKey"]["in"], schemes["ApiKey"]["name"]) == (
        "apiKey",
        "header",
        "Authorization",
    )
    assert schemes["BearerAuth"]["type"] == "http"
    assert schemes["BearerAuth"]["scheme"] == "bearer"
    assert {name for requirement in spec["security"] for name in requirement} == {
        "ApiKey",
        "BearerAuth",
    }
    for method, path, operation in _operations(spec):
        assert "security" not in operation, f"{method.upper()} {path} sets security per operation"


def test_parameters_avoid_constructs_the_generator_drops(spec: dict[str, Any]) -> None:
    for _, _, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            parameter = _resolve(spec, parameter)
            assert "content" not in parameter
            assert parameter.get("explode", True) is True


def test_request_bodies_keep_date_times_as_plain_strings(spec: dict[str, Any]) -> None:
    for method, path, operation in _operations(spec):
        body = operation.get("requestBody")
        if body is None:
            continue
        schema = body["content"]["application/json"]["schema"]
        for node in _schema_nodes(spec, schema, set()):
            assert node.get("format") not in {"date-time", "date"}, f"{method.upper()} {path}"


def test_stac_item_properties_use_the_colon_names_of_the_api(spec: dict[str, Any]) -> None:
    properties = spec["components"]["schemas"]["StacItemProperties"]["properties"]
    for name in (
        "datetime",
        "created",
        "updated",
        "sar:product_type",
        "sar:instrument_mode",
        "view:look_angle",
        "view:incidence_angle",
        "sat:relative_orbit",
        "sat:absolute_orbit",
        "capella:collect_id",
        "capella:archive_holdback_date",
        "capella:use_case",
        "capella:rgt_id",
        "locale:time",
        "proj:epsg",
    ):
        assert name in properties


@pytest.mark.parametrize(
    ("tag", "operation_id"), [row[:2] for row in OPERATIONS], ids=OPERATION_IDS
)
def test_generated_package_has_a_module_per_operation(tag: str, operation_id: str) -> None:
    operation = importlib.import_module(f"capella_api.api.{tag}.{_snake(operation_id)}")
    for function in ("_get_kwargs", "sync", "sync_detailed", "asyncio", "asyncio_detailed"):
        assert callable(getattr(operation, function))


def test_generated_stac_item_has_readable_attribute_names() -> None:
    import attrs
    from capella_api.models import StacItem, StacItemProperties

    names = {field.name for field in attrs.fields(StacItemProperties)}
    assert {
        "datetime_",
        "sar_product_type",
        "sar_instrument_mode",
        "view_look_angle",
        "view_incidence_angle",
        "sat_relative_orbit",
        "capella_collect_id",
        "capella_rgt_id",
        "locale_time",
        "proj_epsg",
    } <= names
    assert not any(name.startswith(("sarproduct", "capellacollect", "viewlook")) for name in names)
    assert {"type_", "id", "geometry", "properties", "assets"} <= {
        field.name for field in attrs.fields(StacItem)
    }


def _sample_item() -> dict[str, Any]:
    stac_id = "CAPELLA_C13_SP_XYZ_HH_20240512171701_20240512171720"
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "stac_extensions": [],
        "id": stac_id,
        "collection": "capella-open-data",
        "bbox": [103.7, 1.2, 103.9, 1.4],
        "geometry": {
            "type": "MultiPolygon",
            "coordinates": [
                [[[103.7, 1.2], [103.8, 1.2], [103.8, 1.3], [103.7, 1.2]]],
                [[[103.85, 1.3], [103.9, 1.3], [103.9, 1.4], [103.85, 1.3]]],
            ],
        },
        "properties": {
            "datetime": "2024-05-12T17:17:10.928694Z",
            "start_datetime": "2024-05-12T17:17:01.000000Z",
            "end_datetime": "2024-05-12T17:17:20.000000Z",
            "platform": "capella-13",
            "constellation": "capella",
            "instruments": ["capella-radar-13"],
            "sar:instrument_mode": "spotlight",
            "sar:frequency_band": "X",
            "sar:center_frequency": 9.65,
            "sar:polarizations": ["HH"],
            "sar:product_type": "XYZ",
            "sar:looks_range": 1,
            "sar:looks_azimuth": 5,
            "sar:observation_direction": "right",
            "sat:orbit_state": "descending",
            "sat:relative_orbit": 14,
            "sat:absolute_orbit": 638,
            "view:incidence_angle": 11.6,
            "view:look_angle": 10,
            "capella:collect_id": "4d84a1a0-0f0a-4566-81cd-4ff4b1350640",
            "capella:collection_type": "spotlight_ultra",
            "capella:billable_area": 100000000,
            "capella:rgt_id": "611_97.9_104_7_20260224T172941_-1",
            "locale:timezone": "Asia/Singapore",
            "locale:datetime": "2024-05-13T01:17:10.928693+0800",
            "locale:time": "01:17:10.928693",
            "proj:epsg": 32648,
            "capella:brand_new_field": {"nested": [1, 2]},
        },
        "assets": {
            "HH": {
                "href": f"https://example.invalid/{stac_id}/{stac_id}.tif?Signature=abc",
                "title": "Data file",
                "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                "roles": ["data"],
                "sar:polarizations": ["HH"],
                "file:size": 123,
            },
            "thumbnail": {
                "href": f"https://example.invalid/{stac_id}/{stac_id}_thumb.png",
                "roles": ["thumbnail"],
            },
        },
        "links": [
            {"rel": "self", "href": "https://example.invalid/items/x", "type": "application/json"}
        ],
        "unknownTopLevel": True,
    }


def test_stac_item_round_trips_a_multipolygon_item_with_an_unknown_product_type() -> None:
    from capella_api.models import MultiPolygon, ProductType, StacItem
    from capella_api.types import Unset

    sample = _sample_item()
    original = copy.deepcopy(sample)
    item = StacItem.from_dict(sample)

    assert isinstance(item.geometry, MultiPolygon)
    assert item.properties.sar_product_type == "XYZ"
    assert not isinstance(item.properties.sar_product_type, ProductType)
    assert item.properties.capella_collect_id == "4d84a1a0-0f0a-4566-81cd-4ff4b1350640"
    assert item.properties["capella:brand_new_field"] == {"nested": [1, 2]}
    assert not isinstance(item.assets, Unset)
    assert item.assets["HH"].href is not None
    assert item.to_dict() == original
    assert sample == original


def test_stac_item_maps_known_product_types_to_the_enum() -> None:
    from capella_api.models import ProductType, StacItem

    sample = _sample_item()
    sample["properties"]["sar:product_type"] = "GEO"
    assert StacItem.from_dict(sample).properties.sar_product_type is ProductType.GEO


def test_request_bodies_survive_a_model_round_trip_unchanged() -> None:
    from capella_api.models import SearchRequest, TaskingRequestCreate

    search = {
        "bbox": [1, 2, 3, 4],
        "limit": 500,
        "page": 2,
        "ownership": "ownedByOrganization",
        "intersects": {"type": "Point", "coordinates": [-105.1, 39.9]},
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
    task = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
        "properties": {
            "taskingrequestName": "test",
            "taskingrequestDescription": "",
            "windowOpen": "2026-05-01T12:00:00.000Z",
            "windowClose": "2026-05-08T12:00:00.000Z",
            "collectionTier": "standard",
            "collectionType": "spotlight",
            "archiveHoldback": "none",
            "customAttribute1": None,
            "customAttribute2": None,
            "pre_approval": False,
            "collectConstraints": {
                "ascDsc": "either",
                "lookDirection": "either",
                "squint": "disabled",
            },
            "processingConfig": {"productTypes": ["GEO", "SLC"]},
        },
        "contractId": "contract-1",
    }
    assert SearchRequest.from_dict(copy.deepcopy(search)).to_dict() == search
    assert TaskingRequestCreate.from_dict(copy.deepcopy(task)).to_dict() == task


def test_search_catalog_kwargs_put_paging_in_the_query_string_and_the_body_in_json() -> None:
    from capella_api.api.catalog import search_catalog
    from capella_api.models import SearchRequest

    kwargs = search_catalog._get_kwargs(
        body=SearchRequest.from_dict({"limit": 10}), page=2, limit=10
    )
    assert kwargs["method"] == "post"
    assert kwargs["url"] == "/catalog/search"
    assert kwargs["params"] == {"page": 2, "limit": 10}
    assert kwargs["json"] == {"limit": 10}
