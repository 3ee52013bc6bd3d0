from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order_line_item_price import OrderLineItemPrice


T = TypeVar("T", bound="OrderLineItem")


@_attrs_define
class OrderLineItem:
    """
    Attributes:
        granule_id (str | Unset):
        collection_id (str | Unset):
        order (OrderLineItemPrice | Unset):
    """

    granule_id: str | Unset = UNSET
    collection_id: str | Unset = UNSET
    order: OrderLineItemPrice | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        granule_id = self.granule_id

        collection_id = self.collection_id

        order: dict[str, Any] | Unset = UNSET
        if not isinstance(self.order, Unset):
            order = self.order.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if granule_id is not UNSET:
            field_dict["granuleId"] = granule_id
        if collection_id is not UNSET:
            field_dict["collectionId"] = collection_id
        if order is not UNSET:
            field_dict["order"] = order

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_line_item_price import OrderLineItemPrice  # noqa: PLC0415

        d = dict(src_dict)
        granule_id = d.pop("granuleId", UNSET)

        collection_id = d.pop("collectionId", UNSET)

        _order = d.pop("order", UNSET)
        order: OrderLineItemPrice | Unset
        if isinstance(_order, Unset):
            order = UNSET
        else:
            order = OrderLineItemPrice.from_dict(_order)

        order_line_item = cls(
            granule_id=granule_id,
            collection_id=collection_id,
            order=order,
        )

        order_line_item.additional_properties = d
        return order_line_item

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
