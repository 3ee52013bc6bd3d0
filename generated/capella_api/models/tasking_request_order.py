from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order_summary import OrderSummary


T = TypeVar("T", bound="TaskingRequestOrder")


@_attrs_define
class TaskingRequestOrder:
    """Cost estimate attached to a tasking request.

    Attributes:
        summary (OrderSummary | Unset): Money values are formatted strings such as `$1,000.00`.
        line_items (list[Any] | Unset): Per-task cost lines, e.g. `{taskId, accountingSize: {unit, value}}`.
        archive_holdback (str | Unset):
        managed_organization_ids (list[str] | Unset):
    """

    summary: OrderSummary | Unset = UNSET
    line_items: list[Any] | Unset = UNSET
    archive_holdback: str | Unset = UNSET
    managed_organization_ids: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        summary: dict[str, Any] | Unset = UNSET
        if not isinstance(self.summary, Unset):
            summary = self.summary.to_dict()

        line_items: list[Any] | Unset = UNSET
        if not isinstance(self.line_items, Unset):
            line_items = self.line_items

        archive_holdback = self.archive_holdback

        managed_organization_ids: list[str] | Unset = UNSET
        if not isinstance(self.managed_organization_ids, Unset):
            managed_organization_ids = self.managed_organization_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if summary is not UNSET:
            field_dict["summary"] = summary
        if line_items is not UNSET:
            field_dict["lineItems"] = line_items
        if archive_holdback is not UNSET:
            field_dict["archiveHoldback"] = archive_holdback
        if managed_organization_ids is not UNSET:
            field_dict["managedOrganizationIds"] = managed_organization_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_summary import OrderSummary  # noqa: PLC0415

        d = dict(src_dict)
        _summary = d.pop("summary", UNSET)
        summary: OrderSummary | Unset
        if isinstance(_summary, Unset):
            summary = UNSET
        else:
            summary = OrderSummary.from_dict(_summary)

        line_items = cast(list[Any], d.pop("lineItems", UNSET))

        archive_holdback = d.pop("archiveHoldback", UNSET)

        managed_organization_ids = cast(list[str], d.pop("managedOrganizationIds", UNSET))

        tasking_request_order = cls(
            summary=summary,
            line_items=line_items,
            archive_holdback=archive_holdback,
            managed_organization_ids=managed_organization_ids,
        )

        tasking_request_order.additional_properties = d
        return tasking_request_order

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
