from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Asset")


@_attrs_define
class Asset:
    """One file of an item. `href` is presigned only in order downloads.

    Attributes:
        href (str | Unset):
        title (str | Unset):
        type_ (str | Unset): Media type, e.g. `image/tiff; application=geotiff; profile=cloud-optimized`.
        roles (list[str] | Unset):
        sar_polarizations (list[str] | Unset):
    """

    href: str | Unset = UNSET
    title: str | Unset = UNSET
    type_: str | Unset = UNSET
    roles: list[str] | Unset = UNSET
    sar_polarizations: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        href = self.href

        title = self.title

        type_ = self.type_

        roles: list[str] | Unset = UNSET
        if not isinstance(self.roles, Unset):
            roles = self.roles

        sar_polarizations: list[str] | Unset = UNSET
        if not isinstance(self.sar_polarizations, Unset):
            sar_polarizations = self.sar_polarizations

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if href is not UNSET:
            field_dict["href"] = href
        if title is not UNSET:
            field_dict["title"] = title
        if type_ is not UNSET:
            field_dict["type"] = type_
        if roles is not UNSET:
            field_dict["roles"] = roles
        if sar_polarizations is not UNSET:
            field_dict["sar:polarizations"] = sar_polarizations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        href = d.pop("href", UNSET)

        title = d.pop("title", UNSET)

        type_ = d.pop("type", UNSET)

        roles = cast(list[str], d.pop("roles", UNSET))

        sar_polarizations = cast(list[str], d.pop("sar:polarizations", UNSET))

        asset = cls(
            href=href,
            title=title,
            type_=type_,
            roles=roles,
            sar_polarizations=sar_polarizations,
        )

        asset.additional_properties = d
        return asset

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
