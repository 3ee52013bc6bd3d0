from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.insar_orbit import InsarOrbit
from ..types import UNSET, Unset

T = TypeVar("T", bound="InsarSettings")


@_attrs_define
class InsarSettings:
    """
    Attributes:
        orbit (InsarOrbit | str | Unset):
    """

    orbit: InsarOrbit | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        orbit: str | Unset
        if isinstance(self.orbit, Unset):
            orbit = UNSET
        elif isinstance(self.orbit, InsarOrbit):
            orbit = self.orbit.value
        else:
            orbit = self.orbit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if orbit is not UNSET:
            field_dict["orbit"] = orbit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_orbit(data: object) -> InsarOrbit | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                orbit_type_0 = InsarOrbit(data)

                return orbit_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InsarOrbit | str | Unset, data)

        orbit = _parse_orbit(d.pop("orbit", UNSET))

        insar_settings = cls(
            orbit=orbit,
        )

        insar_settings.additional_properties = d
        return insar_settings

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
