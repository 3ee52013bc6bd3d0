"""Creating tasking and repeat requests: exact wire bodies, defaults, validation, seed spellings."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import geojson
import httpx
import pytest

from capella import CapellaConsoleClient
from capella.enumerations import (
    ArchiveHoldback,
    CollectionTier,
    CollectionType,
    InsarOrbit,
    LocalTimeOption,
    ObservationDirection,
    OrbitalPlane,
    OrbitState,
    Polarization,
    RepeatCollectionTier,
    RepeatCycle,
    SquintMode,
)
from capella.errors import (
    ContractNotFoundError,
    InvalidInputError,
    RepeatRequestPayloadValidationError,
)

POINT = geojson.Point([11.148216220469152, 49.59672249842626])
RING = [
    [11.148216220469152, 49.59672249842626],
    [11.148216220469152, 49.55415435337187],
    [11.219621049225651, 49.55415435337187],
    [11.219621049225651, 49.59672249842626],
    [11.148216220469152, 49.59672249842626],
]
POLYGON = geojson.Polygon([RING])  # geojson rounds coordinates to 6 decimals
POLYGON_SENT = json.loads(geojson.dumps(POLYGON))
OPEN = "2026-05-01T12:00:00.000Z"
CLOSE = "2026-05-08T12:00:00.000Z"


class FakeApi:
    """Records requests to ``POST /task`` and ``POST /repeat-requests``; answers with the body."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answer is not None:
            return self.answer(request)
        feature = json.loads(request.content)
        key = "taskingrequestId" if request.url.path == "/task" else "repeatrequestId"
        feature["properties"][key] = "27a71826-7819-48cc-b8f2-0ad10bee0f97"
        return httpx.Response(200, json=feature)

    @property
    def body(self) -> Any:
        assert len(self.requests) == 1, [str(r.url) for r in self.requests]
        return json.loads(self.requests[0].content)


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def client(api: FakeApi) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(
        api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
    ) as c:
        yield c


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


# -- tasking requests: bodies --------------------------------------------------------------


def test_point_request_sends_the_reference_body_with_defaults(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    created = client.create_tasking_request(geometry=POINT, name="point tasking request #127")
    request = api.requests[0]
    assert request.method == "POST"
    assert request.url.path == "/task"
    body = api.body
    properties = body["properties"]
    opens, closes = _parse(properties.pop("windowOpen")), _parse(properties.pop("windowClose"))
    assert before <= opens <= datetime.now(UTC)
    assert closes - opens == timedelta(days=7)
    assert body == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(POINT["coordinates"])},
        "properties": {
            "taskingrequestName": "point tasking request #127",
            "taskingrequestDescription": "",
            "collectionTier": "standard",
            "collectionType": "spotlight",
            "archiveHoldback": "none",
            "customAttribute1": None,
            "customAttribute2": None,
            "pre_approval": False,
            "collectConstraints": {
                "ascDsc": "either",
                "lookDirection": "either",
                "squint": "enabled",
            },
        },
    }
    assert created["properties"]["taskingrequestId"] == "27a71826-7819-48cc-b8f2-0ad10bee0f97"


def test_area_request_defaults_squint_to_disabled(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_tasking_request(
        geometry=POLYGON, name="area tasking request #127", collection_type="stripmap_100"
    )
    body = api.body
    assert body["geometry"] == POLYGON_SENT
    assert body["properties"]["collectionType"] == "stripmap_100"
    assert body["properties"]["collectConstraints"]["squint"] == "disabled"


CUSTOMISED_CONSTRAINTS = {
    "localTime": "day",
    "offNadirMin": 5,
    "offNadirMax": 50,
    "orbitalPlanes": [45, 53],
    "ascDsc": "ascending",
    "lookDirection": "right",
    "polarization": "HH",
    "azimuthAngleMin": 340,
    "azimuthAngleMax": 20,
    "squint": "enabled",
    "maxSquintAngle": 25,
}


@pytest.mark.usefixtures("seed_clock")
def test_seed_customisation_with_api_spellings_sends_canonical_values(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_tasking_request(
        geometry=POLYGON,
        name="highly customizable #127",
        description="too many knobs",
        collection_tier="urgent",
        collection_type="spotlight_ultra",
        local_time="day",
        off_nadir_min=5,
        off_nadir_max=50,
        orbitalPlanes=[45, 53],
        asc_dsc="ascending",
        look_direction="right",
        polarization="HH",
        archive_holdback="30 day",
        custom_attribute_1="correlation #1",
        custom_attribute_2="correlation #2",
        pre_approval=True,
        azimuth_angle_min=340,
        azimuth_angle_max=20,
        squint="enabled",
        max_squint_angle=25,
        window_open=OPEN,
    )
    properties = api.body["properties"]
    assert properties == {
        "taskingrequestName": "highly customizable #127",
        "taskingrequestDescription": "too many knobs",
        "windowOpen": OPEN,
        "windowClose": CLOSE,
        "collectionTier": "urgent",
        "collectionType": "spotlight_ultra",
        "archiveHoldback": "30_day",
        "customAttribute1": "correlation #1",
        "customAttribute2": "correlation #2",
        "pre_approval": True,
        "collectConstraints": CUSTOMISED_CONSTRAINTS,
    }


def test_seed_customisation_with_enums_sends_the_same_values(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_tasking_request(
        geometry=POINT,
        name="highly customizable #127",
        description="too many knobs",
        collection_tier=CollectionTier.urgent,
        collection_type=CollectionType.SPOTLIGHT_ULTRA,
        local_time=LocalTimeOption.day,
        off_nadir_min=5,
        off_nadir_max=50,
        orbital_planes=[OrbitalPlane.fortyfive, OrbitalPlane.fiftythree],
        asc_dsc=OrbitState.ascending,
        look_direction=ObservationDirection.right,
        polarization=Polarization.HH,
        archive_holdback=ArchiveHoldback.thirty_day,
        custom_attribute_1="correlation #1",
        custom_attribute_2="correlation #2",
        pre_approval=True,
        azimuth_angle_min=340,
        azimuth_angle_max=20,
        squint=SquintMode.ENABLED,
        max_squint_angle=30,
    )
    properties = api.body["properties"]
    assert properties["collectConstraints"] == {**CUSTOMISED_CONSTRAINTS, "maxSquintAngle": 30}
    assert properties["archiveHoldback"] == "30_day"
    assert properties["collectionTier"] == "urgent"
    # enum members go out as plain wire values
    assert json.loads(api.requests[0].content)["properties"]["collectionType"] == "spotlight_ultra"


@pytest.mark.usefixtures("seed_clock")
def test_every_remaining_parameter_reaches_the_body(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_tasking_request(
        geometry={"type": "Point", "coordinates": [-105.12036, 39.96533]},
        name="all",
        window_open="2026-05-01T12:00:00Z",
        window_close="2026-05-03 12:00",
        local_time=[[21600, 64800]],
        product_types=["GEO", "SLC"],
        image_width=5000,
        contract_id="contract-1",
        squint="forward",
        collection_tier="priority",
    )
    body = api.body
    assert body["contractId"] == "contract-1"
    assert "contractId" not in body["properties"]
    assert body["properties"]["windowOpen"] == OPEN
    assert body["properties"]["windowClose"] == "2026-05-03T12:00:00.000Z"
    assert body["properties"]["processingConfig"] == {"productTypes": ["GEO", "SLC"]}
    assert body["properties"]["collectConstraints"] == {
        "ascDsc": "either",
        "lookDirection": "either",
        "localTime": [[21600, 64800]],
        "imageWidth": 5000,
        "squint": "forward",
    }


def test_unset_constraints_are_left_out_but_custom_attributes_are_sent_as_null(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_tasking_request(geometry=POINT, name="n", polarization=None, image_width=None)
    properties = api.body["properties"]
    assert set(properties["collectConstraints"]) == {"ascDsc", "lookDirection", "squint"}
    assert properties["customAttribute1"] is None
    assert properties["customAttribute2"] is None
    assert "processingConfig" not in properties
    assert "contractId" not in api.body


# -- datetimes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (datetime(2026, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))), OPEN),
        (datetime(2026, 5, 1, 7, 0, tzinfo=timezone(timedelta(hours=-5))), OPEN),
        (datetime(2026, 5, 1, 12, 0), OPEN),  # naive means UTC
        (datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC), "2026-05-01T12:00:00.123Z"),
        ("2026-05-01T14:00:00+02:00", OPEN),
        ("2026-05-01T12:00:00Z", OPEN),
        ("May 1 2026 12:00", OPEN),
        (date(2026, 5, 1), "2026-05-01T00:00:00.000Z"),
        ("2026-05-01", "2026-05-01T00:00:00.000Z"),
    ],
)
@pytest.mark.usefixtures("seed_clock")
def test_window_open_is_sent_in_utc_with_milliseconds(
    client: CapellaConsoleClient, api: FakeApi, given: Any, sent: str
) -> None:
    client.create_tasking_request(geometry=POINT, name="n", window_open=given)
    properties = api.body["properties"]
    assert properties["windowOpen"] == sent
    assert _parse(properties["windowClose"]) - _parse(sent) == timedelta(days=7)


@pytest.mark.parametrize(
    ("create", "window"),
    [
        ("create_tasking_request", {"window_open": "2026-03-01", "window_close": "2026-03-08"}),
        ("create_tasking_request", {"window_close": "2026-03-31T23:59:59Z"}),
        ("create_repeat_request", {"repeat_start": "2026-03-01", "repeat_end": "2026-04-01"}),
    ],
)
def test_a_window_entirely_in_the_past_is_refused_before_any_request(
    client: CapellaConsoleClient, api: FakeApi, seed_clock: datetime, create: str, window: Any
) -> None:
    name = "window_close" if "window_close" in window else "repeat_end"
    with pytest.raises(InvalidInputError, match=f"{name} .* is in the past .* after now"):
        getattr(client, create)(geometry=POINT, name="n", **window)
    assert api.requests == []


def test_a_window_that_opened_in_the_past_and_closes_later_is_sent(
    client: CapellaConsoleClient, api: FakeApi, seed_clock: datetime
) -> None:
    client.create_tasking_request(
        geometry=POINT, name="n", window_open="2026-03-01", window_close="2026-04-01T00:00:01Z"
    )
    assert api.body["properties"]["windowClose"] == "2026-04-01T00:00:01.000Z"


@pytest.mark.usefixtures("seed_clock")
def test_window_close_before_open_is_refused_before_any_request(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    with pytest.raises(InvalidInputError, match=r"window_close .* must be after window_open"):
        client.create_tasking_request(
            geometry=POINT, name="n", window_open="2026-05-08", window_close="2026-05-01"
        )
    assert api.requests == []


def test_unparseable_datetime_is_refused(client: CapellaConsoleClient, api: FakeApi) -> None:
    with pytest.raises(InvalidInputError, match="window_open"):
        client.create_tasking_request(geometry=POINT, name="n", window_open="next tuesday-ish")
    with pytest.raises(InvalidInputError, match="window_close"):
        client.create_tasking_request(geometry=POINT, name="n", window_close=12)  # type: ignore[arg-type]
    assert api.requests == []


# -- enum arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("30 day", "30_day"),
        ("1 year", "1_year"),
        ("one_year", "1_year"),
        ("thirty_day", "30_day"),
        ("30_day", "30_day"),
        ("permanent", "permanent"),
        (ArchiveHoldback.one_year, "1_year"),
    ],
)
def test_archive_holdback_spellings_are_sent_as_wire_values(
    client: CapellaConsoleClient, api: FakeApi, given: Any, sent: str
) -> None:
    client.create_tasking_request(geometry=POINT, name="n", archive_holdback=given)
    assert api.body["properties"]["archiveHoldback"] == sent


def test_enum_strings_match_case_insensitively(client: CapellaConsoleClient, api: FakeApi) -> None:
    client.create_tasking_request(
        geometry=POINT,
        name="n",
        collection_type="SPOTLIGHT_ULTRA",  # type: ignore[arg-type]
        product_types=["geo", "Slc"],  # type: ignore[list-item]
        polarization="vv",  # type: ignore[arg-type]
    )
    properties = api.body["properties"]
    assert properties["collectionType"] == "spotlight_ultra"
    assert properties["processingConfig"] == {"productTypes": ["GEO", "SLC"]}
    assert properties["collectConstraints"]["polarization"] == "VV"


@pytest.mark.parametrize(
    ("argument", "value", "named"),
    [
        ("collection_type", "spotlite", "'spotlight'"),
        ("collection_tier", "routine", "'urgent'"),
        ("asc_dsc", "up", "'ascending'"),
        ("look_direction", "down", "'left'"),
        ("polarization", "HV", "'HH'"),
        ("archive_holdback", "2 years", "'30_day'"),
        ("squint", "sideways", "'enabled'"),
        ("product_types", ["GEOC"], "'GEO'"),
        ("orbital_planes", [44], "45"),
        ("local_time", "noon", "'day'"),
        ("collection_tier", None, "'standard'"),
    ],
)
def test_invalid_enum_values_name_the_valid_ones_before_any_request(
    client: CapellaConsoleClient, api: FakeApi, argument: str, value: Any, named: str
) -> None:
    with pytest.raises(InvalidInputError, match=argument) as caught:
        client.create_tasking_request(geometry=POINT, name="n", **{argument: value})
    assert named in str(caught.value)
    assert caught.value.code == "INVALID_INPUT"
    assert api.requests == []


def test_invalid_input_error_is_a_value_error(client: CapellaConsoleClient) -> None:
    with pytest.raises(ValueError, match="collection_type"):
        client.create_tasking_request(geometry=POINT, name="n", collection_type="x")  # type: ignore[arg-type]


def test_unknown_keyword_raises_type_error(client: CapellaConsoleClient, api: FakeApi) -> None:
    with pytest.raises(TypeError, match="offNadirMin"):
        client.create_tasking_request(geometry=POINT, name="n", offNadirMin=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="window"):
        client.create_tasking_request(geometry=POINT, name="n", window=1)  # type: ignore[call-arg]
    assert api.requests == []


def test_orbital_planes_in_both_spellings_is_a_type_error(client: CapellaConsoleClient) -> None:
    with pytest.raises(TypeError, match="orbitalPlanes"):
        client.create_tasking_request(
            geometry=POINT, name="n", orbital_planes=[45], orbitalPlanes=[53]
        )


def test_name_and_geometry_are_required(client: CapellaConsoleClient) -> None:
    with pytest.raises(TypeError):
        client.create_tasking_request(geometry=POINT)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        client.create_tasking_request(name="n")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"off_nadir_min": 50, "off_nadir_max": 5}, "off_nadir_min"),
        ({"off_nadir_max": 91}, "off_nadir_max"),
        ({"image_width": 0}, "image_width"),
        ({"azimuth_angle_min": -1}, "azimuth_angle_min"),
        ({"max_squint_angle": "25"}, "max_squint_angle"),
        ({"pre_approval": "yes"}, "pre_approval"),
        ({"off_nadir_min": True}, "off_nadir_min"),
        ({"contract_id": ""}, "contract_id"),
        ({"custom_attribute_1": 7}, "custom_attribute_1"),
    ],
)
def test_invalid_numbers_and_flags_are_refused(
    client: CapellaConsoleClient, api: FakeApi, arguments: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        client.create_tasking_request(geometry=POINT, name="n", **arguments)
    assert api.requests == []


# -- local time -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("night", "night"),
        (LocalTimeOption.anytime, "anytime"),
        ([[0, 21600], [64800, 86400]], [[0, 21600], [64800, 86400]]),
        (((0, 86400),), [[0, 86400]]),
        ([21600, 64800], [[21600, 64800]]),  # a single flat pair
    ],
)
def test_local_time_strings_are_sent_as_given_and_ranges_as_lists(
    client: CapellaConsoleClient, api: FakeApi, given: Any, sent: Any
) -> None:
    client.create_tasking_request(geometry=POINT, name="n", local_time=given)
    assert api.body["properties"]["collectConstraints"]["localTime"] == sent


@pytest.mark.parametrize(
    "given",
    [[[0, 90000]], [[-1, 100]], [[64800, 21600]], [[100, 100]], [[0, 1, 2]], [], [[0.5, 10]]],
)
def test_local_time_ranges_are_validated(
    client: CapellaConsoleClient, api: FakeApi, given: Any
) -> None:
    with pytest.raises(InvalidInputError, match="local_time"):
        client.create_tasking_request(geometry=POINT, name="n", local_time=given)
    assert api.requests == []


# -- geometry ---------------------------------------------------------------------------------


class Shape:
    """An object exposing ``__geo_interface__`` (like shapely geometries) with tuples."""

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        return {"type": "Polygon", "coordinates": (tuple(tuple(p) for p in RING),)}


def test_geojson_geometry_is_sent_as_the_object_holds_it(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_tasking_request(geometry=POLYGON, name="n")
    assert api.body["geometry"] == POLYGON_SENT


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": [RING]},
        Shape(),
        geojson.Feature(geometry=geojson.Polygon([RING], precision=15)),
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [RING]}},
    ],
)
def test_geometry_is_read_from_dicts_geojson_and_geo_interface(
    client: CapellaConsoleClient, api: FakeApi, geometry: Any
) -> None:
    client.create_tasking_request(geometry=geometry, name="n")
    assert api.body["geometry"] == {"type": "Polygon", "coordinates": [RING]}


@pytest.mark.parametrize(
    ("geometry", "match"),
    [
        (geojson.MultiPolygon([[RING]]), "MultiPolygon"),
        (geojson.LineString(RING), "LineString"),
        ({"type": "FeatureCollection", "features": []}, "FeatureCollection"),
        ("POINT (1 2)", "str"),
        ({"type": "Point", "coordinates": [200, 10]}, "longitude"),
        ({"type": "Point", "coordinates": [10, 95]}, "latitude"),
        ({"type": "Point", "coordinates": [10]}, "position"),
        ({"type": "Polygon", "coordinates": [RING[:-1]]}, "ring"),
        ({"type": "Polygon", "coordinates": []}, "ring"),
    ],
)
def test_unsupported_or_broken_geometries_are_refused(
    client: CapellaConsoleClient, api: FakeApi, geometry: Any, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        client.create_tasking_request(geometry=geometry, name="n")
    assert api.requests == []


# -- API errors ---------------------------------------------------------------------------------


def test_api_errors_are_raised_as_typed_exceptions() -> None:
    api = FakeApi(
        lambda _: httpx.Response(
            400, json={"error": {"message": "Contract not found", "code": "CONTRACT_NOT_FOUND"}}
        )
    )
    with CapellaConsoleClient(
        api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
    ) as client:
        with pytest.raises(ContractNotFoundError, match="Contract not found"):
            client.create_tasking_request(geometry=POINT, name="n", contract_id="nope")
        assert len(api.requests) == 1  # a create is not retried on a 4xx


# -- repeat requests --------------------------------------------------------------------------


def test_repeat_request_defaults(client: CapellaConsoleClient, api: FakeApi) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    client.create_repeat_request(geometry=POINT, name="daily repeat")
    assert api.requests[0].url.path == "/repeat-requests"
    body = api.body
    repetition = body["properties"].pop("repetitionProperties")
    assert before <= _parse(repetition.pop("repeatStart")) <= datetime.now(UTC)
    assert repetition == {"repetitionInterval": 7}
    assert body == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(POINT["coordinates"])},
        "properties": {
            "repeatrequestName": "daily repeat",
            "repeatrequestDescription": "",
            "collectionTier": "routine",
            "collectionType": "spotlight",
            "archiveHoldback": "none",
            "customAttribute1": None,
            "customAttribute2": None,
            "collectConstraints": {
                "ascDsc": "either",
                "lookDirection": "either",
                "squint": "enabled",
            },
        },
    }


def test_repeat_request_seed_customisation(client: CapellaConsoleClient, api: FakeApi) -> None:
    client.create_repeat_request(
        geometry=POINT,
        name="highly customizable repeat request #127",
        description="too many knobs",
        collection_tier=RepeatCollectionTier.flexible,
        collection_type=CollectionType.SPOTLIGHT_ULTRA,
        local_time=LocalTimeOption.day,
        off_nadir_min=5,
        off_nadir_max=50,
        orbital_planes=[OrbitalPlane.fortyfive, OrbitalPlane.fiftythree],
        asc_dsc=OrbitState.ascending,
        look_direction=ObservationDirection.right,
        polarization=Polarization.HH,
        archive_holdback=ArchiveHoldback.thirty_day,
        custom_attribute_1="correlation #1",
        custom_attribute_2="correlation #2",
        azimuth_angle_min=340,
        azimuth_angle_max=20,
        squint=SquintMode.ENABLED,
        max_squint_angle=30,
        repeat_start=OPEN,
    )
    properties = api.body["properties"]
    assert properties == {
        "repeatrequestName": "highly customizable repeat request #127",
        "repeatrequestDescription": "too many knobs",
        "collectionTier": "flexible",
        "collectionType": "spotlight_ultra",
        "archiveHoldback": "30_day",
        "customAttribute1": "correlation #1",
        "customAttribute2": "correlation #2",
        "collectConstraints": {**CUSTOMISED_CONSTRAINTS, "maxSquintAngle": 30},
        "repetitionProperties": {"repeatStart": OPEN, "repetitionInterval": 7},
    }
    assert "pre_approval" not in properties


@pytest.mark.usefixtures("seed_clock")
def test_repeat_cadence_start_end_interval(client: CapellaConsoleClient, api: FakeApi) -> None:
    repeat_start = datetime(2026, 5, 1, 12, tzinfo=UTC)
    client.create_repeat_request(
        geometry=POINT,
        name="daily repeat",
        description="daily repeat",
        repeat_start=repeat_start,
        repeat_end=repeat_start + timedelta(days=27),
        repetition_interval=RepeatCycle.DAILY,
    )
    assert api.body["properties"]["repetitionProperties"] == {
        "repeatStart": OPEN,
        "repeatEnd": "2026-05-28T12:00:00.000Z",
        "repetitionInterval": 1,
    }


def test_repeat_cadence_count_interval(client: CapellaConsoleClient, api: FakeApi) -> None:
    client.create_repeat_request(
        geometry=POINT,
        name="repeat five weeks",
        repeat_start=OPEN,
        repetition_count=5,
        repetition_interval=RepeatCycle.WEEKLY,
    )
    assert api.body["properties"]["repetitionProperties"] == {
        "repeatStart": OPEN,
        "repetitionInterval": 7,
        "repetitionCount": 5,
    }


def test_repeat_end_with_repetition_count_is_refused(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    with pytest.raises(RepeatRequestPayloadValidationError, match="repetition_count"):
        client.create_repeat_request(
            geometry=POINT, name="n", repeat_end="2026-12-01", repetition_count=5
        )
    assert api.requests == []


def test_every_repetition_property_reaches_the_body(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_repeat_request(
        geometry=POLYGON,
        name="n",
        repeat_start=datetime(2026, 5, 1, 14, tzinfo=timezone(timedelta(hours=2))),
        repetition_interval=14,
        maintain_scene_framing=True,
        look_angle_tolerance=5,
        azimuth_angle_tolerance=10,
        window_duration=86400,
        product_types=["SLC", "GEO"],
        contract_id="c-1",
    )
    body = api.body
    assert body["contractId"] == "c-1"
    assert body["properties"]["repetitionProperties"] == {
        "repeatStart": OPEN,
        "repetitionInterval": 14,
        "maintainSceneFraming": True,
        "lookAngleTolerance": 5,
        "azimuthAngleTolerance": 10,
    }
    assert body["properties"]["windowDuration"] == 86400
    assert body["properties"]["processingConfig"] == {"productTypes": ["SLC", "GEO"]}
    assert body["properties"]["collectConstraints"]["squint"] == "disabled"


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"window_duration": 0}, "window_duration"),
        ({"window_duration": -60}, "window_duration"),
        ({"repetition_interval": 0}, "repetition_interval"),
        ({"repetition_interval": 1.5}, "repetition_interval"),
        ({"repetition_count": 0}, "repetition_count"),
        ({"repeat_start": "2026-05-08", "repeat_end": "2026-05-01"}, "repeat_end .* after"),
        ({"maintain_scene_framing": "yes"}, "maintain_scene_framing"),
        ({"collection_tier": "urgent"}, "collection_tier"),
        ({"look_angle_tolerance": -1}, "look_angle_tolerance"),
    ],
)
@pytest.mark.usefixtures("seed_clock")
def test_invalid_repeat_arguments_are_refused(
    client: CapellaConsoleClient, api: FakeApi, arguments: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        client.create_repeat_request(geometry=POINT, name="n", **arguments)
    assert api.requests == []


def test_repeat_request_takes_no_pre_approval(client: CapellaConsoleClient) -> None:
    with pytest.raises(TypeError, match="pre_approval"):
        client.create_repeat_request(geometry=POINT, name="n", pre_approval=True)  # type: ignore[call-arg]


def test_repeat_request_accepts_orbital_planes_api_spelling(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_repeat_request(geometry=POINT, name="n", orbitalPlanes=[97])
    assert api.body["properties"]["collectConstraints"]["orbitalPlanes"] == [97]


# -- insar ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seed_clock")
def test_insar_with_start_end_and_mio_orbit(client: CapellaConsoleClient, api: FakeApi) -> None:
    client.create_repeat_request(
        geometry=POINT,
        name="stripmap_100 insar repeat request",
        collection_tier="insar",
        collection_type="stripmap_100",
        product_types=["SLC", "GEO"],
        squint="disabled",
        repeat_start="2026-05-01",
        repeat_end="2026-12-01",
        insar_orbit=InsarOrbit.MIO_53_2P95,
    )
    properties = api.body["properties"]
    assert properties["collectionTier"] == "insar"
    assert properties["insar"] == {"orbit": "MIO_53_2P95"}
    assert properties["repetitionProperties"] == {
        "repeatStart": "2026-05-01T00:00:00.000Z",
        "repeatEnd": "2026-12-01T00:00:00.000Z",
        "repetitionInterval": 7,
    }
    assert properties["collectConstraints"]["squint"] == "disabled"


def test_insar_with_repetition_count_and_sso_orbit(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.create_repeat_request(
        geometry=POINT,
        name="spotlight insar repeat request",
        collection_tier="insar",
        collection_type="spotlight",
        product_types=["SLC", "GEO"],
        squint="disabled",
        repetition_count=10,
        insar_orbit=InsarOrbit.SSO_97_7P00,
    )
    properties = api.body["properties"]
    assert properties["insar"] == {"orbit": "SSO_97_7P00"}
    assert properties["repetitionProperties"]["repetitionCount"] == 10


def test_insar_tier_requires_an_orbit(client: CapellaConsoleClient, api: FakeApi) -> None:
    with pytest.raises(RepeatRequestPayloadValidationError, match="insar_orbit"):
        client.create_repeat_request(geometry=POINT, name="n", collection_tier="insar")
    with pytest.raises(RepeatRequestPayloadValidationError, match="insar_orbit"):
        client.create_repeat_request(geometry=POINT, name="n", collection_tier="insar-internal")
    assert api.requests == []


def test_insar_orbit_outside_the_insar_tiers_is_refused(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    with pytest.raises(RepeatRequestPayloadValidationError, match="insar tiers"):
        client.create_repeat_request(geometry=POINT, name="n", insar_orbit="MIO_53_2P95")
    with pytest.raises(InvalidInputError, match="insar_orbit"):
        client.create_repeat_request(
            geometry=POINT,
            name="n",
            collection_tier="insar",
            insar_orbit="LEO",  # type: ignore[arg-type]
        )
    assert api.requests == []


# -- the client methods -----------------------------------------------------------------------


def test_client_methods_show_the_tasking_signatures_and_docstrings(
    client: CapellaConsoleClient,
) -> None:
    import inspect

    parameters = inspect.signature(client.create_tasking_request).parameters
    assert list(parameters)[:3] == ["geometry", "name", "description"]
    assert parameters["collection_tier"].default == "standard"
    assert parameters["geometry"].kind is inspect.Parameter.KEYWORD_ONLY
    unbound = inspect.signature(CapellaConsoleClient.create_repeat_request).parameters
    assert next(iter(unbound)) == "self"
    assert "repeat_end" in unbound
    for name in (
        "create_tasking_request",
        "create_repeat_request",
        "get_task",
        "is_task_completed",
        "get_collects_for_task",
        "search_tasking_requests",
        "search_repeat_requests",
        "search_repeat_request",
        "cancel_tasking_requests",
        "cancel_repeat_requests",
        "update_tasking_requests",
        "update_repeat_requests",
    ):
        assert getattr(client, name).__doc__, name
