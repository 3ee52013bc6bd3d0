from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Link")


@_attrs_define
class Link:
    """A hypermedia link (the catalog's `next` link carries the following page).

    Attributes:
        href (str):
        rel (str | Unset):
        type_ (str | Unset):
        title (str | Unset):
        method (str | Unset):
        body (Any | Unset):
        merge (bool | Unset):
    """

    href: str
    rel: str | Unset = UNSET
    type_: str | Unset = UNSET
    title: str | Unset = UNSET
    method: str | Unset = UNSET
    body: Any | Unset = UNSET
    merge: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        href = self.href

        rel = self.rel

        type_ = self.type_

        title = self.title

        method = self.method

        body = self.body

        merge = self.merge

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "href": href,
            }
        )
        if rel is not UNSET:
            field_dict["rel"] = rel
        if type_ is not UNSET:
            field_dict["type"] = type_
        if title is not UNSET:
            field_dict["title"] = title
        if method is not UNSET:
            field_dict["method"] = method
        if body is not UNSET:
            field_dict["body"] = body
        if merge is not UNSET:
            field_dict["merge"] = merge

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        href = d.pop("href")

        rel = d.pop("rel", UNSET)

        type_ = d.pop("type", UNSET)

        title = d.pop("title", UNSET)

        method = d.pop("method", UNSET)

        body = d.pop("body", UNSET)

        merge = d.pop("merge", UNSET)

        link = cls(
            href=href,
            rel=rel,
            type_=type_,
            title=title,
            method=method,
            body=body,
            merge=merge,
        )

        link.additional_properties = d
        return link

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
