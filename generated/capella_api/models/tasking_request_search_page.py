from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.tasking_request import TaskingRequest


T = TypeVar("T", bound="TaskingRequestSearchPage")


@_attrs_define
class TaskingRequestSearchPage:
    """
    Attributes:
        results (list[TaskingRequest]):
        current_page (int):
        total_pages (int):
    """

    results: list[TaskingRequest]
    current_page: int
    total_pages: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        current_page = self.current_page

        total_pages = self.total_pages

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "results": results,
                "currentPage": current_page,
                "totalPages": total_pages,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tasking_request import TaskingRequest  # noqa: PLC0415

        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = TaskingRequest.from_dict(results_item_data)

            results.append(results_item)

        current_page = d.pop("currentPage")

        total_pages = d.pop("totalPages")

        tasking_request_search_page = cls(
            results=results,
            current_page=current_page,
            total_pages=total_pages,
        )

        tasking_request_search_page.additional_properties = d
        return tasking_request_search_page

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
