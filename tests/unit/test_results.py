"""Search result objects: the reference SDK 0.20.1 surface, without its defects."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from capella.errors import InvalidFilterError
from capella.results import (
    GroupbyResult,
    RepeatRequestSearchResult,
    StacSearchResult,
    TaskingRequestSearchResult,
)


def item(stac_id: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": stac_id,
        "collection": properties.pop("collection", "capella-geo"),
        "geometry": {"type": "Point", "coordinates": [1.0, 2.0]},
        "bbox": [1.0, 2.0, 1.0, 2.0],
        "properties": properties,
        "assets": {},
        "links": [],
    }


def page(*items: dict[str, Any], matched: int | None = None) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": list(items),
        "numberMatched": matched if matched is not None else len(items),
        "numberReturned": len(items),
        "context": {"matched": matched or len(items), "returned": len(items)},
        "links": [],
    }


A = item(
    "A",
    **{
        "capella:collect_id": "c1",
        "sar:instrument_mode": "spotlight",
        "sar:polarizations": ["HH"],
        "instruments": ["capella-radar-5"],
        "sar:product_type": "GEO",
        "view:look_angle": 30.5,
        "datetime": "2021-06-01T00:00:00Z",
    },
)
B = item(
    "B",
    **{
        "capella:collect_id": "c1",
        "sar:instrument_mode": "spotlight",
        "sar:polarizations": ["HH", "VV"],
        "instruments": ["capella-radar-5", "capella-radar-6"],
        "sar:product_type": "SLC",
    },
)
C = item("C", collection="capella-slc", **{"sar:instrument_mode": "stripmap"})


def stac(*items: dict[str, Any], body: dict[str, Any] | None = None) -> StacSearchResult:
    result = StacSearchResult(request_body=body if body is not None else {"limit": 500})
    result.add(page(*items))
    return result


# -- list-like ------------------------------------------------------------------------------


def test_a_result_indexes_slices_iterates_and_counts_like_a_list() -> None:
    result = stac(A, B, C)
    assert result[0] == A and result[-1] == C
    assert result[:2] == [A, B] and isinstance(result[:2], list)
    assert [i["id"] for i in result] == ["A", "B", "C"]
    assert len(result) == 3 and bool(result)
    assert not StacSearchResult()


def test_items_stay_plain_dicts_as_in_the_seeds() -> None:
    result = stac(A)
    assert result[0]["properties"]["capella:collect_id"] == "c1"
    assert [i["id"] for i in result[:2]] == ["A"]


def test_repr_says_how_many_items() -> None:
    assert repr(stac(A, B)) == "<StacSearchResult (2 STAC items)>"
    assert repr(stac(A)) == "<StacSearchResult (1 STAC item)>"


def test_stac_ids_and_collect_ids() -> None:
    result = stac(A, B, C)
    assert result.stac_ids == ["A", "B", "C"]
    assert result.collect_ids == ["c1", "c1", "N/A"]


def test_request_body_is_kept() -> None:
    assert stac(A, body={"limit": 7, "query": {}}).request_body == {"limit": 7, "query": {}}


def test_results_compare_by_content_and_are_unhashable() -> None:
    assert stac(A, B) == stac(A, B)
    assert stac(A, B) != stac(B, A)
    with pytest.raises(TypeError):
        hash(stac(A))


# -- adding pages ---------------------------------------------------------------------------


def test_add_drops_duplicates_within_a_page_and_across_pages_keeping_order() -> None:
    result = StacSearchResult()
    assert result.add(page(A, B, A, C)) == 3
    assert result.add(page(C, B)) == 0
    assert result.add(page(C, item("D"))) == 1
    assert result.stac_ids == ["A", "B", "C", "D"]


def test_add_keep_duplicates() -> None:
    result = StacSearchResult()
    result.add(page(A, A), keep_duplicates=True)
    assert result.stac_ids == ["A", "A"]


def test_add_does_not_modify_the_page() -> None:
    result = stac(A)
    incoming = page(A, B)
    before = copy.deepcopy(incoming)
    result.add(incoming)
    assert incoming == before


def test_add_feature_appends_as_is() -> None:
    result = stac(A)
    result.add_feature(A)
    assert result.stac_ids == ["A", "A"]


def test_truncate_trims_items_and_pages_to_the_limit() -> None:
    result = StacSearchResult(request_body={"limit": 2})
    result.add(page(A))
    result.add(page(B, C))
    result._truncate()
    assert result.stac_ids == ["A", "B"]
    assert [[f["id"] for f in p["features"]] for p in result._pages] == [["A"], ["B"]]


# -- to_feature_collection ------------------------------------------------------------------


def test_to_feature_collection_is_a_geojson_feature_collection() -> None:
    fc = stac(A, B).to_feature_collection()
    assert fc == {"type": "FeatureCollection", "features": [A, B]}


def test_changing_the_feature_collection_does_not_change_the_result() -> None:
    result = stac(A, B)
    fc = result.to_feature_collection()
    fc["features"].pop()
    fc["features"][0]["properties"]["sar:product_type"] = "changed"
    fc["features"][0]["properties"]["sar:polarizations"].append("VV")
    fc["features"][0]["geometry"]["coordinates"][0] = 99
    assert len(result) == 2
    assert result[0]["properties"]["sar:product_type"] == "GEO"
    assert result[0]["properties"]["sar:polarizations"] == ["HH"]
    assert result[0]["geometry"]["coordinates"] == [1.0, 2.0]


# -- groupby --------------------------------------------------------------------------------


def test_groupby_returns_same_typed_results_by_value() -> None:
    groups = stac(A, B, C).groupby("instrument_mode")
    assert isinstance(groups, GroupbyResult) and isinstance(groups, dict)
    assert set(groups) == {"spotlight", "stripmap"}
    assert all(type(g) is StacSearchResult for g in groups.values())
    assert groups["spotlight"].stac_ids == ["A", "B"]
    assert groups.value_counts() == {"spotlight": 2, "stripmap": 1}
    assert repr(groups) == "<GroupbyResult by instrument_mode (2 keys)>"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("id", {"A": 1, "B": 1, "C": 1}),
        ("collection", {"capella-geo": 2, "capella-slc": 1}),
        ("collect_id", {"c1": 2, "unknown": 1}),
        ("product_type", {"GEO": 1, "SLC": 1, "unknown": 1}),
        ("polarizations", {"HH": 1, "HH-VV": 1, "unknown": 1}),
        ("instruments", {"capella-radar-5": 1, "capella-radar-5-capella-radar-6": 1, "unknown": 1}),
        ("look_angle", {30.5: 1, "unknown": 2}),
        ("datetime", {"2021-06-01T00:00:00Z": 1, "unknown": 2}),
        ("sar:instrument_mode", {"spotlight": 2, "stripmap": 1}),  # wire names work too
    ],
)
def test_groupby_follows_the_reference_rules(field: str, expected: dict[Any, int]) -> None:
    assert stac(A, B, C).groupby(field=field).value_counts() == expected


def test_groupby_keeps_the_request_body() -> None:
    groups = stac(A, B, body={"limit": 3}).groupby("id")
    assert groups["A"].request_body == {"limit": 3}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("instrument_mod", "cannot group by 'instrument_mod': did you mean 'instrument_mode'?"),
        ("bbox", "groupable fields:"),
        ("limit", "cannot group by 'limit'"),
    ],
)
def test_groupby_on_an_unknown_field_is_refused(field: str, message: str) -> None:
    with pytest.raises(InvalidFilterError, match=message):
        stac(A).groupby(field)


def test_grouping_an_empty_result_gives_no_groups() -> None:
    assert StacSearchResult().groupby("id") == {}


# -- merge ----------------------------------------------------------------------------------


def test_merge_appends_the_other_items_without_duplicates() -> None:
    merged = stac(A, B).merge(stac(B, C))
    assert merged.stac_ids == ["A", "B", "C"]
    assert type(merged) is StacSearchResult


def test_merge_changes_neither_operand() -> None:
    left, right = stac(A, B), stac(B, C)
    left_pages, right_pages = copy.deepcopy(left._pages), copy.deepcopy(right._pages)
    left.merge(right)
    assert left.stac_ids == ["A", "B"] and right.stac_ids == ["B", "C"]
    assert left._pages == left_pages and right._pages == right_pages


def test_merge_never_brings_back_items_trimmed_by_a_limit() -> None:
    trimmed = StacSearchResult(request_body={"limit": 1})
    trimmed.add(page(B, C))
    trimmed._truncate()
    assert trimmed.stac_ids == ["B"]
    assert stac(A).merge(trimmed).stac_ids == ["A", "B"]


def test_merge_with_a_groupby_result_adds_its_items() -> None:
    groups = stac(A, B, C).groupby("instrument_mode")
    merged = groups["stripmap"].merge(groups["spotlight"])
    assert merged.stac_ids == ["C", "A", "B"]


def test_merge_keep_duplicates() -> None:
    assert stac(A).merge(stac(A), keep_duplicates=True).stac_ids == ["A", "A"]


def test_dropping_from_a_merged_result_leaves_the_operands_alone() -> None:
    left, right = stac(A, B), stac(C)
    merged = left.merge(right)
    merged.drop(["A", "C"])
    assert merged.stac_ids == ["B"]
    assert left.stac_ids == ["A", "B"] and right.stac_ids == ["C"]
    assert left._pages[0]["numberMatched"] == 2


# -- drop -----------------------------------------------------------------------------------


def test_drop_removes_items_and_lowers_the_page_counts() -> None:
    result = StacSearchResult()
    result.add(page(A, B, matched=10))
    result.add(page(C, matched=10))
    result.drop(["B", "C", "unknown-id"])
    assert result.stac_ids == ["A"]
    first, second = result._pages
    assert first["numberMatched"] == 8 and first["context"]["matched"] == 8
    assert first["numberReturned"] == 1 and first["context"]["returned"] == 1
    assert second["numberReturned"] == 0 and second["numberMatched"] == 8


def test_drop_of_nothing_changes_nothing() -> None:
    result = stac(A)
    pages = copy.deepcopy(result._pages)
    result.drop([])
    result.drop(["X"])
    assert result.stac_ids == ["A"] and result._pages == pages


# -- typed access ---------------------------------------------------------------------------


def test_stac_item_gives_the_generated_model_parsed_once() -> None:
    from capella_api.models import StacItem

    result = stac(A, B)
    model = result.stac_item(0)
    assert isinstance(model, StacItem)
    assert model.id == "A"
    assert result.stac_item(0) is model  # cached
    assert [m.id for m in result.stac_items()] == ["A", "B"]
    assert result[0] == A and type(A) is dict  # the dict is untouched


def test_models_are_parsed_only_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from capella_api.models import StacItem

    parsed: list[str] = []
    original = StacItem.from_dict.__func__  # type: ignore[attr-defined]

    def counting(cls: type[StacItem], src: dict[str, Any]) -> StacItem:
        parsed.append(src["id"])
        return original(cls, src)  # type: ignore[no-any-return]

    monkeypatch.setattr(StacItem, "from_dict", classmethod(counting))
    result = StacSearchResult()
    result.add(page(*[item(f"I{i}") for i in range(1000)]))
    result.groupby("id")
    result.to_feature_collection()
    assert parsed == []
    result.stac_item(500)
    result.stac_item(500)
    assert parsed == ["I500"]


# -- tasking and repeat requests ------------------------------------------------------------


def tr(task_id: str, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"taskingrequestId": task_id, **properties}}


def test_tasking_request_results_read_results_and_keep_duplicates() -> None:
    result = TaskingRequestSearchResult({"query": {"userId": "u"}})
    one = tr("t1", collectionTier="urgent", repeatrequestId="r1")
    assert result.add({"results": [one, tr("t2")], "currentPage": 1, "totalPages": 2}) == 2
    assert result.add({"results": [one], "currentPage": 2, "totalPages": 2}) == 1
    assert result.tasking_request_ids == ["t1", "t2", "t1"]
    assert result.repeat_request_ids == ["r1", "N/A", "r1"]
    assert result.request_body == {"query": {"userId": "u"}}
    assert len(result) == 3 and result[1]["properties"]["taskingrequestId"] == "t2"
    assert [r["properties"]["taskingrequestId"] for r in result] == ["t1", "t2", "t1"]
    assert repr(result) == "<TaskingRequestSearchResult (3 tasking requests)>"
    assert result.to_feature_collection()["features"] == [one, tr("t2"), one]


def test_tasking_request_groupby_uses_the_camel_case_properties() -> None:
    result = TaskingRequestSearchResult({})
    result.add(
        {
            "results": [
                tr("t1", collectionTier="urgent", processingConfig={"productTypes": ["GEO"]}),
                tr("t2", collectionTier="urgent"),
                tr("t3"),
            ]
        }
    )
    groups = result.groupby("collectionTier")
    assert groups.value_counts() == {"urgent": 2, "unknown": 1}
    assert type(groups["urgent"]) is TaskingRequestSearchResult
    assert result.groupby("processingConfig").value_counts() == {"productTypes": 1, "unknown": 2}
    with pytest.raises(InvalidFilterError, match="did you mean 'collectionTier'"):
        result.groupby("collection_tier")


def test_repeat_request_results() -> None:
    result = RepeatRequestSearchResult({"filter": {}})
    result.add(
        {"results": [{"properties": {"repeatrequestId": "r1", "collectionTier": "routine"}}]}
    )
    result.add({"results": [{"properties": {"repeatrequestId": "r2"}}]})
    assert result.repeat_request_ids == ["r1", "r2"]
    assert repr(result) == "<RepeatRequestSearchResult (2 repeat requests)>"
    assert result.groupby("collectionTier").value_counts() == {"routine": 1, "unknown": 1}
    with pytest.raises(InvalidFilterError):
        result.groupby("windowOpen")  # a tasking request field, not a repeat request one
    assert result.merge(result).repeat_request_ids == ["r1", "r2", "r1", "r2"]


def test_requests_give_their_generated_models_parsed_once() -> None:
    from capella_api.models import RepeatRequest, TaskingRequest

    point = {"type": "Point", "coordinates": [0, 0]}
    tasks = TaskingRequestSearchResult({})
    tasks.add({"results": [{**tr("t1"), "geometry": point}, {**tr("t2"), "geometry": point}]})
    model = tasks.tasking_request(1)
    assert isinstance(model, TaskingRequest)
    assert model.properties.taskingrequest_id == "t2"
    assert tasks.tasking_request(1) is model  # cached
    assert [m.properties.taskingrequest_id for m in tasks.tasking_requests()] == ["t1", "t2"]
    repeats = RepeatRequestSearchResult({})
    feature = {"type": "Feature", "geometry": point, "properties": {"repeatrequestId": "r1"}}
    repeats.add({"results": [feature]})
    assert isinstance(repeats.repeat_request(0), RepeatRequest)
    assert [m.properties.repeatrequest_id for m in repeats.repeat_requests()] == ["r1"]
