from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.request_search_query import RequestSearchQuery


T = TypeVar("T", bound="RepeatRequestSearchRequest")


@_attrs_define
class RepeatRequestSearchRequest:
    """The reference SDK sends its filters under `filter`; Capella's docs use `query`.

    Attributes:
        filter_ (RequestSearchQuery | Unset): Filters, ANDed. A value is `{op: value}` (op is eq, gt, gte, lt or lte), a
            bare list
            (any of) or a bare scalar (`userId`).
        query (RequestSearchQuery | Unset): Filters, ANDed. A value is `{op: value}` (op is eq, gt, gte, lt or lte), a
            bare list
            (any of) or a bare scalar (`userId`).
    """

    filter_: RequestSearchQuery | Unset = UNSET
    query: RequestSearchQuery | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        filter_: dict[str, Any] | Unset = UNSET
        if not isinstance(self.filter_, Unset):
            filter_ = self.filter_.to_dict()

        query: dict[str, Any] | Unset = UNSET
        if not isinstance(self.query, Unset):
            query = self.query.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if filter_ is not UNSET:
            field_dict["filter"] = filter_
        if query is not UNSET:
            field_dict["query"] = query

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.request_search_query import RequestSearchQuery  # noqa: PLC0415

        d = dict(src_dict)
        _filter_ = d.pop("filter", UNSET)
        filter_: RequestSearchQuery | Unset
        if isinstance(_filter_, Unset):
            filter_ = UNSET
        else:
            filter_ = RequestSearchQuery.from_dict(_filter_)

        _query = d.pop("query", UNSET)
        query: RequestSearchQuery | Unset
        if isinstance(_query, Unset):
            query = UNSET
        else:
            query = RequestSearchQuery.from_dict(_query)

        repeat_request_search_request = cls(
            filter_=filter_,
            query=query,
        )

        repeat_request_search_request.additional_properties = d
        return repeat_request_search_request

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
