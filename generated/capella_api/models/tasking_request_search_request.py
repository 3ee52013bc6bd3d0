from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.request_search_query import RequestSearchQuery


T = TypeVar("T", bound="TaskingRequestSearchRequest")


@_attrs_define
class TaskingRequestSearchRequest:
    """
    Attributes:
        query (RequestSearchQuery | Unset): Filters, ANDed. A value is `{op: value}` (op is eq, gt, gte, lt or lte), a
            bare list
            (any of) or a bare scalar (`userId`).
    """

    query: RequestSearchQuery | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        query: dict[str, Any] | Unset = UNSET
        if not isinstance(self.query, Unset):
            query = self.query.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if query is not UNSET:
            field_dict["query"] = query

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.request_search_query import RequestSearchQuery  # noqa: PLC0415

        d = dict(src_dict)
        _query = d.pop("query", UNSET)
        query: RequestSearchQuery | Unset
        if isinstance(_query, Unset):
            query = UNSET
        else:
            query = RequestSearchQuery.from_dict(_query)

        tasking_request_search_request = cls(
            query=query,
        )

        tasking_request_search_request.additional_properties = d
        return tasking_request_search_request

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
