from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.collection_type import CollectionType
from ..models.instrument_mode import InstrumentMode
from ..models.product_type import ProductType
from ..types import UNSET, Unset

T = TypeVar("T", bound="StacItemProperties")


@_attrs_define
class StacItemProperties:
    """Item properties. Date-times are kept as the server's strings.

    Attributes:
        datetime_ (None | str | Unset): Mid-collect time (RFC 3339; very old items lack the `Z`).
        start_datetime (str | Unset):
        end_datetime (str | Unset):
        created (str | Unset):
        updated (str | Unset):
        platform (str | Unset): e.g. `capella-2`.
        constellation (str | Unset):
        instruments (list[str] | Unset):
        sar_instrument_mode (InstrumentMode | str | Unset):
        sar_frequency_band (str | Unset):
        sar_center_frequency (float | Unset): GHz.
        sar_polarizations (list[str] | Unset):
        sar_product_type (ProductType | str | Unset):
        sar_pixel_spacing_range (float | Unset):
        sar_pixel_spacing_azimuth (float | Unset):
        sar_resolution_range (float | Unset):
        sar_resolution_azimuth (float | Unset):
        sar_looks_range (int | Unset):
        sar_looks_azimuth (int | Unset):
        sar_looks_equivalent_number (float | Unset):
        sar_observation_direction (str | Unset): `left` or `right`.
        sat_orbit_state (str | Unset): `ascending` or `descending`.
        sat_relative_orbit (int | Unset):
        sat_absolute_orbit (int | Unset):
        view_incidence_angle (float | Unset):
        view_look_angle (float | Unset):
        view_azimuth (float | Unset):
        capella_collect_id (str | Unset):
        capella_resolution_ground_range (float | Unset):
        capella_squint_angle (float | Unset):
        capella_layover_angle (float | Unset):
        capella_orbital_plane (int | Unset):
        capella_image_formation_algorithm (str | Unset):
        capella_hash (str | Unset):
        capella_billable_area (int | Unset): Square metres.
        capella_collection_type (CollectionType | str | Unset):
        capella_rgt_id (str | Unset):
        capella_archive_holdback_date (str | Unset):
        capella_use_case (str | Unset):
        capella_product_type (str | Unset): Legacy.
        capella_product_category (str | Unset): Legacy (standard, extended or custom).
        capella_tasking_request_id (str | Unset): Legacy.
        locale_timezone (str | Unset): IANA time zone name.
        locale_datetime (str | Unset): Local time with its offset, e.g. `2024-05-12T22:17:10.928693+0500`.
        locale_time (str | Unset):
        proj_epsg (int | Unset):
    """

    datetime_: None | str | Unset = UNSET
    start_datetime: str | Unset = UNSET
    end_datetime: str | Unset = UNSET
    created: str | Unset = UNSET
    updated: str | Unset = UNSET
    platform: str | Unset = UNSET
    constellation: str | Unset = UNSET
    instruments: list[str] | Unset = UNSET
    sar_instrument_mode: InstrumentMode | str | Unset = UNSET
    sar_frequency_band: str | Unset = UNSET
    sar_center_frequency: float | Unset = UNSET
    sar_polarizations: list[str] | Unset = UNSET
    sar_product_type: ProductType | str | Unset = UNSET
    sar_pixel_spacing_range: float | Unset = UNSET
    sar_pixel_spacing_azimuth: float | Unset = UNSET
    sar_resolution_range: float | Unset = UNSET
    sar_resolution_azimuth: float | Unset = UNSET
    sar_looks_range: int | Unset = UNSET
    sar_looks_azimuth: int | Unset = UNSET
    sar_looks_equivalent_number: float | Unset = UNSET
    sar_observation_direction: str | Unset = UNSET
    sat_orbit_state: str | Unset = UNSET
    sat_relative_orbit: int | Unset = UNSET
    sat_absolute_orbit: int | Unset = UNSET
    view_incidence_angle: float | Unset = UNSET
    view_look_angle: float | Unset = UNSET
    view_azimuth: float | Unset = UNSET
    capella_collect_id: str | Unset = UNSET
    capella_resolution_ground_range: float | Unset = UNSET
    capella_squint_angle: float | Unset = UNSET
    capella_layover_angle: float | Unset = UNSET
    capella_orbital_plane: int | Unset = UNSET
    capella_image_formation_algorithm: str | Unset = UNSET
    capella_hash: str | Unset = UNSET
    capella_billable_area: int | Unset = UNSET
    capella_collection_type: CollectionType | str | Unset = UNSET
    capella_rgt_id: str | Unset = UNSET
    capella_archive_holdback_date: str | Unset = UNSET
    capella_use_case: str | Unset = UNSET
    capella_product_type: str | Unset = UNSET
    capella_product_category: str | Unset = UNSET
    capella_tasking_request_id: str | Unset = UNSET
    locale_timezone: str | Unset = UNSET
    locale_datetime: str | Unset = UNSET
    locale_time: str | Unset = UNSET
    proj_epsg: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        datetime_: None | str | Unset
        if isinstance(self.datetime_, Unset):
            datetime_ = UNSET
        else:
            datetime_ = self.datetime_

        start_datetime = self.start_datetime

        end_datetime = self.end_datetime

        created = self.created

        updated = self.updated

        platform = self.platform

        constellation = self.constellation

        instruments: list[str] | Unset = UNSET
        if not isinstance(self.instruments, Unset):
            instruments = self.instruments

        sar_instrument_mode: str | Unset
        if isinstance(self.sar_instrument_mode, Unset):
            sar_instrument_mode = UNSET
        elif isinstance(self.sar_instrument_mode, InstrumentMode):
            sar_instrument_mode = self.sar_instrument_mode.value
        else:
            sar_instrument_mode = self.sar_instrument_mode

        sar_frequency_band = self.sar_frequency_band

        sar_center_frequency = self.sar_center_frequency

        sar_polarizations: list[str] | Unset = UNSET
        if not isinstance(self.sar_polarizations, Unset):
            sar_polarizations = self.sar_polarizations

        sar_product_type: str | Unset
        if isinstance(self.sar_product_type, Unset):
            sar_product_type = UNSET
        elif isinstance(self.sar_product_type, ProductType):
            sar_product_type = self.sar_product_type.value
        else:
            sar_product_type = self.sar_product_type

        sar_pixel_spacing_range = self.sar_pixel_spacing_range

        sar_pixel_spacing_azimuth = self.sar_pixel_spacing_azimuth

        sar_resolution_range = self.sar_resolution_range

        sar_resolution_azimuth = self.sar_resolution_azimuth

        sar_looks_range = self.sar_looks_range

        sar_looks_azimuth = self.sar_looks_azimuth

        sar_looks_equivalent_number = self.sar_looks_equivalent_number

        sar_observation_direction = self.sar_observation_direction

        sat_orbit_state = self.sat_orbit_state

        sat_relative_orbit = self.sat_relative_orbit

        sat_absolute_orbit = self.sat_absolute_orbit

        view_incidence_angle = self.view_incidence_angle

        view_look_angle = self.view_look_angle

        view_azimuth = self.view_azimuth

        capella_collect_id = self.capella_collect_id

        capella_resolution_ground_range = self.capella_resolution_ground_range

        capella_squint_angle = self.capella_squint_angle

        capella_layover_angle = self.capella_layover_angle

        capella_orbital_plane = self.capella_orbital_plane

        capella_image_formation_algorithm = self.capella_image_formation_algorithm

        capella_hash = self.capella_hash

        capella_billable_area = self.capella_billable_area

        capella_collection_type: str | Unset
        if isinstance(self.capella_collection_type, Unset):
            capella_collection_type = UNSET
        elif isinstance(self.capella_collection_type, CollectionType):
            capella_collection_type = self.capella_collection_type.value
        else:
            capella_collection_type = self.capella_collection_type

        capella_rgt_id = self.capella_rgt_id

        capella_archive_holdback_date = self.capella_archive_holdback_date

        capella_use_case = self.capella_use_case

        capella_product_type = self.capella_product_type

        capella_product_category = self.capella_product_category

        capella_tasking_request_id = self.capella_tasking_request_id

        locale_timezone = self.locale_timezone

        locale_datetime = self.locale_datetime

        locale_time = self.locale_time

        proj_epsg = self.proj_epsg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if datetime_ is not UNSET:
            field_dict["datetime"] = datetime_
        if start_datetime is not UNSET:
            field_dict["start_datetime"] = start_datetime
        if end_datetime is not UNSET:
            field_dict["end_datetime"] = end_datetime
        if created is not UNSET:
            field_dict["created"] = created
        if updated is not UNSET:
            field_dict["updated"] = updated
        if platform is not UNSET:
            field_dict["platform"] = platform
        if constellation is not UNSET:
            field_dict["constellation"] = constellation
        if instruments is not UNSET:
            field_dict["instruments"] = instruments
        if sar_instrument_mode is not UNSET:
            field_dict["sar:instrument_mode"] = sar_instrument_mode
        if sar_frequency_band is not UNSET:
            field_dict["sar:frequency_band"] = sar_frequency_band
        if sar_center_frequency is not UNSET:
            field_dict["sar:center_frequency"] = sar_center_frequency
        if sar_polarizations is not UNSET:
            field_dict["sar:polarizations"] = sar_polarizations
        if sar_product_type is not UNSET:
            field_dict["sar:product_type"] = sar_product_type
        if sar_pixel_spacing_range is not UNSET:
            field_dict["sar:pixel_spacing_range"] = sar_pixel_spacing_range
        if sar_pixel_spacing_azimuth is not UNSET:
            field_dict["sar:pixel_spacing_azimuth"] = sar_pixel_spacing_azimuth
        if sar_resolution_range is not UNSET:
            field_dict["sar:resolution_range"] = sar_resolution_range
        if sar_resolution_azimuth is not UNSET:
            field_dict["sar:resolution_azimuth"] = sar_resolution_azimuth
        if sar_looks_range is not UNSET:
            field_dict["sar:looks_range"] = sar_looks_range
        if sar_looks_azimuth is not UNSET:
            field_dict["sar:looks_azimuth"] = sar_looks_azimuth
        if sar_looks_equivalent_number is not UNSET:
            field_dict["sar:looks_equivalent_number"] = sar_looks_equivalent_number
        if sar_observation_direction is not UNSET:
            field_dict["sar:observation_direction"] = sar_observation_direction
        if sat_orbit_state is not UNSET:
            field_dict["sat:orbit_state"] = sat_orbit_state
        if sat_relative_orbit is not UNSET:
            field_dict["sat:relative_orbit"] = sat_relative_orbit
        if sat_absolute_orbit is not UNSET:
            field_dict["sat:absolute_orbit"] = sat_absolute_orbit
        if view_incidence_angle is not UNSET:
            field_dict["view:incidence_angle"] = view_incidence_angle
        if view_look_angle is not UNSET:
            field_dict["view:look_angle"] = view_look_angle
        if view_azimuth is not UNSET:
            field_dict["view:azimuth"] = view_azimuth
        if capella_collect_id is not UNSET:
            field_dict["capella:collect_id"] = capella_collect_id
        if capella_resolution_ground_range is not UNSET:
            field_dict["capella:resolution_ground_range"] = capella_resolution_ground_range
        if capella_squint_angle is not UNSET:
            field_dict["capella:squint_angle"] = capella_squint_angle
        if capella_layover_angle is not UNSET:
            field_dict["capella:layover_angle"] = capella_layover_angle
        if capella_orbital_plane is not UNSET:
            field_dict["capella:orbital_plane"] = capella_orbital_plane
        if capella_image_formation_algorithm is not UNSET:
            field_dict["capella:image_formation_algorithm"] = capella_image_formation_algorithm
        if capella_hash is not UNSET:
            field_dict["capella:hash"] = capella_hash
        if capella_billable_area is not UNSET:
            field_dict["capella:billable_area"] = capella_billable_area
        if capella_collection_type is not UNSET:
            field_dict["capella:collection_type"] = capella_collection_type
        if capella_rgt_id is not UNSET:
            field_dict["capella:rgt_id"] = capella_rgt_id
        if capella_archive_holdback_date is not UNSET:
            field_dict["capella:archive_holdback_date"] = capella_archive_holdback_date
        if capella_use_case is not UNSET:
            field_dict["capella:use_case"] = capella_use_case
        if capella_product_type is not UNSET:
            field_dict["capella:product_type"] = capella_product_type
        if capella_product_category is not UNSET:
            field_dict["capella:product_category"] = capella_product_category
        if capella_tasking_request_id is not UNSET:
            field_dict["capella:tasking_request_id"] = capella_tasking_request_id
        if locale_timezone is not UNSET:
            field_dict["locale:timezone"] = locale_timezone
        if locale_datetime is not UNSET:
            field_dict["locale:datetime"] = locale_datetime
        if locale_time is not UNSET:
            field_dict["locale:time"] = locale_time
        if proj_epsg is not UNSET:
            field_dict["proj:epsg"] = proj_epsg

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_datetime_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        datetime_ = _parse_datetime_(d.pop("datetime", UNSET))

        start_datetime = d.pop("start_datetime", UNSET)

        end_datetime = d.pop("end_datetime", UNSET)

        created = d.pop("created", UNSET)

        updated = d.pop("updated", UNSET)

        platform = d.pop("platform", UNSET)

        constellation = d.pop("constellation", UNSET)

        instruments = cast(list[str], d.pop("instruments", UNSET))

        def _parse_sar_instrument_mode(data: object) -> InstrumentMode | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sar_instrument_mode_type_0 = InstrumentMode(data)

                return sar_instrument_mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InstrumentMode | str | Unset, data)

        sar_instrument_mode = _parse_sar_instrument_mode(d.pop("sar:instrument_mode", UNSET))

        sar_frequency_band = d.pop("sar:frequency_band", UNSET)

        sar_center_frequency = d.pop("sar:center_frequency", UNSET)

        sar_polarizations = cast(list[str], d.pop("sar:polarizations", UNSET))

        def _parse_sar_product_type(data: object) -> ProductType | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sar_product_type_type_0 = ProductType(data)

                return sar_product_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ProductType | str | Unset, data)

        sar_product_type = _parse_sar_product_type(d.pop("sar:product_type", UNSET))

        sar_pixel_spacing_range = d.pop("sar:pixel_spacing_range", UNSET)

        sar_pixel_spacing_azimuth = d.pop("sar:pixel_spacing_azimuth", UNSET)

        sar_resolution_range = d.pop("sar:resolution_range", UNSET)

        sar_resolution_azimuth = d.pop("sar:resolution_azimuth", UNSET)

        sar_looks_range = d.pop("sar:looks_range", UNSET)

        sar_looks_azimuth = d.pop("sar:looks_azimuth", UNSET)

        sar_looks_equivalent_number = d.pop("sar:looks_equivalent_number", UNSET)

        sar_observation_direction = d.pop("sar:observation_direction", UNSET)

        sat_orbit_state = d.pop("sat:orbit_state", UNSET)

        sat_relative_orbit = d.pop("sat:relative_orbit", UNSET)

        sat_absolute_orbit = d.pop("sat:absolute_orbit", UNSET)

        view_incidence_angle = d.pop("view:incidence_angle", UNSET)

        view_look_angle = d.pop("view:look_angle", UNSET)

        view_azimuth = d.pop("view:azimuth", UNSET)

        capella_collect_id = d.pop("capella:collect_id", UNSET)

        capella_resolution_ground_range = d.pop("capella:resolution_ground_range", UNSET)

        capella_squint_angle = d.pop("capella:squint_angle", UNSET)

        capella_layover_angle = d.pop("capella:layover_angle", UNSET)

        capella_orbital_plane = d.pop("capella:orbital_plane", UNSET)

        capella_image_formation_algorithm = d.pop("capella:image_formation_algorithm", UNSET)

        capella_hash = d.pop("capella:hash", UNSET)

        capella_billable_area = d.pop("capella:billable_area", UNSET)

        def _parse_capella_collection_type(data: object) -> CollectionType | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                capella_collection_type_type_0 = CollectionType(data)

                return capella_collection_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CollectionType | str | Unset, data)

        capella_collection_type = _parse_capella_collection_type(d.pop("capella:collection_type", UNSET))

        capella_rgt_id = d.pop("capella:rgt_id", UNSET)

        capella_archive_holdback_date = d.pop("capella:archive_holdback_date", UNSET)

        capella_use_case = d.pop("capella:use_case", UNSET)

        capella_product_type = d.pop("capella:product_type", UNSET)

        capella_product_category = d.pop("capella:product_category", UNSET)

        capella_tasking_request_id = d.pop("capella:tasking_request_id", UNSET)

        locale_timezone = d.pop("locale:timezone", UNSET)

        locale_datetime = d.pop("locale:datetime", UNSET)

        locale_time = d.pop("locale:time", UNSET)

        proj_epsg = d.pop("proj:epsg", UNSET)

        stac_item_properties = cls(
            datetime_=datetime_,
            start_datetime=start_datetime,
            end_datetime=end_datetime,
            created=created,
            updated=updated,
            platform=platform,
            constellation=constellation,
            instruments=instruments,
            sar_instrument_mode=sar_instrument_mode,
            sar_frequency_band=sar_frequency_band,
            sar_center_frequency=sar_center_frequency,
            sar_polarizations=sar_polarizations,
            sar_product_type=sar_product_type,
            sar_pixel_spacing_range=sar_pixel_spacing_range,
            sar_pixel_spacing_azimuth=sar_pixel_spacing_azimuth,
            sar_resolution_range=sar_resolution_range,
            sar_resolution_azimuth=sar_resolution_azimuth,
            sar_looks_range=sar_looks_range,
            sar_looks_azimuth=sar_looks_azimuth,
            sar_looks_equivalent_number=sar_looks_equivalent_number,
            sar_observation_direction=sar_observation_direction,
            sat_orbit_state=sat_orbit_state,
            sat_relative_orbit=sat_relative_orbit,
            sat_absolute_orbit=sat_absolute_orbit,
            view_incidence_angle=view_incidence_angle,
            view_look_angle=view_look_angle,
            view_azimuth=view_azimuth,
            capella_collect_id=capella_collect_id,
            capella_resolution_ground_range=capella_resolution_ground_range,
            capella_squint_angle=capella_squint_angle,
            capella_layover_angle=capella_layover_angle,
            capella_orbital_plane=capella_orbital_plane,
            capella_image_formation_algorithm=capella_image_formation_algorithm,
            capella_hash=capella_hash,
            capella_billable_area=capella_billable_area,
            capella_collection_type=capella_collection_type,
            capella_rgt_id=capella_rgt_id,
            capella_archive_holdback_date=capella_archive_holdback_date,
            capella_use_case=capella_use_case,
            capella_product_type=capella_product_type,
            capella_product_category=capella_product_category,
            capella_tasking_request_id=capella_tasking_request_id,
            locale_timezone=locale_timezone,
            locale_datetime=locale_datetime,
            locale_time=locale_time,
            proj_epsg=proj_epsg,
        )

        stac_item_properties.additional_properties = d
        return stac_item_properties

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
