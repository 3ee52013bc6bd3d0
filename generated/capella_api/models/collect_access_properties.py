from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CollectAccessProperties")


@_attrs_define
class CollectAccessProperties:
    """
    Attributes:
        ascdsc (str | Unset):
        look_direction (str | Unset):
        local_time (float | Unset):
        azimuth_open (float | Unset):
        azimuth_close (float | Unset):
        elevation_min (float | Unset):
        elevation_max (float | Unset):
        off_nadir_min (float | Unset):
        off_nadir_max (float | Unset):
    """

    ascdsc: str | Unset = UNSET
    look_direction: str | Unset = UNSET
    local_time: float | Unset = UNSET
    azimuth_open: float | Unset = UNSET
    azimuth_close: float | Unset = UNSET
    elevation_min: float | Unset = UNSET
    elevation_max: float | Unset = UNSET
    off_nadir_min: float | Unset = UNSET
    off_nadir_max: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ascdsc = self.ascdsc

        look_direction = self.look_direction

        local_time = self.local_time

        azimuth_open = self.azimuth_open

        azimuth_close = self.azimuth_close

        elevation_min = self.elevation_min

        elevation_max = self.elevation_max

        off_nadir_min = self.off_nadir_min

        off_nadir_max = self.off_nadir_max

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if ascdsc is not UNSET:
            field_dict["ascdsc"] = ascdsc
        if look_direction is not UNSET:
            field_dict["lookDirection"] = look_direction
        if local_time is not UNSET:
            field_dict["localTime"] = local_time
        if azimuth_open is not UNSET:
            field_dict["azimuthOpen"] = azimuth_open
        if azimuth_close is not UNSET:
            field_dict["azimuthClose"] = azimuth_close
        if elevation_min is not UNSET:
            field_dict["elevationMin"] = elevation_min
        if elevation_max is not UNSET:
            field_dict["elevationMax"] = elevation_max
        if off_nadir_min is not UNSET:
            field_dict["offNadirMin"] = off_nadir_min
        if off_nadir_max is not UNSET:
            field_dict["offNadirMax"] = off_nadir_max

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ascdsc = d.pop("ascdsc", UNSET)

        look_direction = d.pop("lookDirection", UNSET)

        local_time = d.pop("localTime", UNSET)

        azimuth_open = d.pop("azimuthOpen", UNSET)

        azimuth_close = d.pop("azimuthClose", UNSET)

        elevation_min = d.pop("elevationMin", UNSET)

        elevation_max = d.pop("elevationMax", UNSET)

        off_nadir_min = d.pop("offNadirMin", UNSET)

        off_nadir_max = d.pop("offNadirMax", UNSET)

        collect_access_properties = cls(
            ascdsc=ascdsc,
            look_direction=look_direction,
            local_time=local_time,
            azimuth_open=azimuth_open,
            azimuth_close=azimuth_close,
            elevation_min=elevation_min,
            elevation_max=elevation_max,
            off_nadir_min=off_nadir_min,
            off_nadir_max=off_nadir_max,
        )

        collect_access_properties.additional_properties = d
        return collect_access_properties

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
