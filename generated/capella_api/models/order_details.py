from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order_line_item import OrderLineItem
    from ..models.order_summary import OrderSummary


T = TypeVar("T", bound="OrderDetails")


@_attrs_define
class OrderDetails:
    """
    Attributes:
        summary (OrderSummary | Unset): Money values are formatted strings such as `$1,000.00`.
        line_items (list[OrderLineItem] | Unset):
    """

    summary: OrderSummary | Unset = UNSET
    line_items: list[OrderLineItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        summary: dict[str, Any] | Unset = UNSET
        if not isinstance(self.summary, Unset):
            summary = self.summary.to_dict()

        line_items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.line_items, Unset):
            line_items = []
            for line_items_item_data in self.line_items:
                line_items_item = line_items_item_data.to_dict()
                line_items.append(line_items_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if summary is not UNSET:
            field_dict["summary"] = summary
        if line_items is not UNSET:
            field_dict["lineItems"] = line_items

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_line_item import OrderLineItem  # noqa: PLC0415
        from ..models.order_summary import OrderSummary  # noqa: PLC0415

        d = dict(src_dict)
        _summary = d.pop("summary", UNSET)
        summary: OrderSummary | Unset
        if isinstance(_summary, Unset):
            summary = UNSET
        else:
            summary = OrderSummary.from_dict(_summary)

        _line_items = d.pop("lineItems", UNSET)
        line_items: list[OrderLineItem] | Unset = UNSET
        if _line_items is not UNSET:
            line_items = []
            for line_items_item_data in _line_items:
                line_items_item = OrderLineItem.from_dict(line_items_item_data)

                line_items.append(line_items_item)

        order_details = cls(
            summary=summary,
            line_items=line_items,
        )

        order_details.additional_properties = d
        return order_details

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
