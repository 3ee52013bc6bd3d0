from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.tasking_request_update_properties import TaskingRequestUpdateProperties


T = TypeVar("T", bound="TaskingRequestUpdate")


@_attrs_define
class TaskingRequestUpdate:
    """Body of `PATCH /task/{id}`; only the keys given change.

    Attributes:
        properties (TaskingRequestUpdateProperties):
    """

    properties: TaskingRequestUpdateProperties
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        properties = self.properties.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "properties": properties,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tasking_request_update_properties import TaskingRequestUpdateProperties  # noqa: PLC0415

        d = dict(src_dict)
        properties = TaskingRequestUpdateProperties.from_dict(d.pop("properties"))

        tasking_request_update = cls(
            properties=properties,
        )

        tasking_request_update.additional_properties = d
        return tasking_request_update

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
