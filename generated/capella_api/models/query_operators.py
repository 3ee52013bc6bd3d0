from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="QueryOperators")


@_attrs_define
class QueryOperators:
    """Comparisons on one property; a list value implies `in`.

    Attributes:
        eq (Any | Unset):
        in_ (list[Any] | Unset):
        gt (Any | Unset):
        gte (Any | Unset):
        lt (Any | Unset):
        lte (Any | Unset):
    """

    eq: Any | Unset = UNSET
    in_: list[Any] | Unset = UNSET
    gt: Any | Unset = UNSET
    gte: Any | Unset = UNSET
    lt: Any | Unset = UNSET
    lte: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        eq = self.eq

        in_: list[Any] | Unset = UNSET
        if not isinstance(self.in_, Unset):
            in_ = self.in_

        gt = self.gt

        gte = self.gte

        lt = self.lt

        lte = self.lte

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if eq is not UNSET:
            field_dict["eq"] = eq
        if in_ is not UNSET:
            field_dict["in"] = in_
        if gt is not UNSET:
            field_dict["gt"] = gt
        if gte is not UNSET:
            field_dict["gte"] = gte
        if lt is not UNSET:
            field_dict["lt"] = lt
        if lte is not UNSET:
            field_dict["lte"] = lte

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        eq = d.pop("eq", UNSET)

        in_ = cast(list[Any], d.pop("in", UNSET))

        gt = d.pop("gt", UNSET)

        gte = d.pop("gte", UNSET)

        lt = d.pop("lt", UNSET)

        lte = d.pop("lte", UNSET)

        query_operators = cls(
            eq=eq,
            in_=in_,
            gt=gt,
            gte=gte,
            lt=lt,
            lte=lte,
        )

        query_operators.additional_properties = d
        return query_operators

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
