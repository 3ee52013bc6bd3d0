from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CollectProperties")


@_attrs_define
class CollectProperties:
    """
    Attributes:
        collect_duration (float | Unset):
        image_length (float | Unset):
        image_width (float | Unset):
        grr (float | Unset):
        azr (float | Unset):
        nesz (float | Unset):
        mean_squint (float | Unset):
        polarization (str | Unset):
    """

    collect_duration: float | Unset = UNSET
    image_length: float | Unset = UNSET
    image_width: float | Unset = UNSET
    grr: float | Unset = UNSET
    azr: float | Unset = UNSET
    nesz: float | Unset = UNSET
    mean_squint: float | Unset = UNSET
    polarization: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        collect_duration = self.collect_duration

        image_length = self.image_length

        image_width = self.image_width

        grr = self.grr

        azr = self.azr

        nesz = self.nesz

        mean_squint = self.mean_squint

        polarization = self.polarization

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if collect_duration is not UNSET:
            field_dict["collectDuration"] = collect_duration
        if image_length is not UNSET:
            field_dict["imageLength"] = image_length
        if image_width is not UNSET:
            field_dict["imageWidth"] = image_width
        if grr is not UNSET:
            field_dict["grr"] = grr
        if azr is not UNSET:
            field_dict["azr"] = azr
        if nesz is not UNSET:
            field_dict["nesz"] = nesz
        if mean_squint is not UNSET:
            field_dict["meanSquint"] = mean_squint
        if polarization is not UNSET:
            field_dict["polarization"] = polarization

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        collect_duration = d.pop("collectDuration", UNSET)

        image_length = d.pop("imageLength", UNSET)

        image_width = d.pop("imageWidth", UNSET)

        grr = d.pop("grr", UNSET)

        azr = d.pop("azr", UNSET)

        nesz = d.pop("nesz", UNSET)

        mean_squint = d.pop("meanSquint", UNSET)

        polarization = d.pop("polarization", UNSET)

        collect_properties = cls(
            collect_duration=collect_duration,
            image_length=image_length,
            image_width=image_width,
            grr=grr,
            azr=azr,
            nesz=nesz,
            mean_squint=mean_squint,
            polarization=polarization,
        )

        collect_properties.additional_properties = d
        return collect_properties

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
