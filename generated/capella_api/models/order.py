from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order_item import OrderItem


T = TypeVar("T", bound="Order")


@_attrs_define
class Order:
    """
    Attributes:
        order_id (str):
        order_status (OrderStatus | str):
        user_id (str | Unset):
        organization_id (str | Unset):
        contract_id (str | Unset):
        order_date (str | Unset):
        expiration_date (str | Unset): RFC 3339 with a time zone; presigned links expire then.
        items (list[OrderItem] | Unset):
    """

    order_id: str
    order_status: OrderStatus | str
    user_id: str | Unset = UNSET
    organization_id: str | Unset = UNSET
    contract_id: str | Unset = UNSET
    order_date: str | Unset = UNSET
    expiration_date: str | Unset = UNSET
    items: list[OrderItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        order_status: str
        if isinstance(self.order_status, OrderStatus):
            order_status = self.order_status.value
        else:
            order_status = self.order_status

        user_id = self.user_id

        organization_id = self.organization_id

        contract_id = self.contract_id

        order_date = self.order_date

        expiration_date = self.expiration_date

        items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.items, Unset):
            items = []
            for items_item_data in self.items:
                items_item = items_item_data.to_dict()
                items.append(items_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderId": order_id,
                "orderStatus": order_status,
            }
        )
        if user_id is not UNSET:
            field_dict["userId"] = user_id
        if organization_id is not UNSET:
            field_dict["organizationId"] = organization_id
        if contract_id is not UNSET:
            field_dict["contractId"] = contract_id
        if order_date is not UNSET:
            field_dict["orderDate"] = order_date
        if expiration_date is not UNSET:
            field_dict["expirationDate"] = expiration_date
        if items is not UNSET:
            field_dict["items"] = items

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_item import OrderItem  # noqa: PLC0415

        d = dict(src_dict)
        order_id = d.pop("orderId")

        def _parse_order_status(data: object) -> OrderStatus | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                order_status_type_0 = OrderStatus(data)

                return order_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(OrderStatus | str, data)

        order_status = _parse_order_status(d.pop("orderStatus"))

        user_id = d.pop("userId", UNSET)

        organization_id = d.pop("organizationId", UNSET)

        contract_id = d.pop("contractId", UNSET)

        order_date = d.pop("orderDate", UNSET)

        expiration_date = d.pop("expirationDate", UNSET)

        _items = d.pop("items", UNSET)
        items: list[OrderItem] | Unset = UNSET
        if _items is not UNSET:
            items = []
            for items_item_data in _items:
                items_item = OrderItem.from_dict(items_item_data)

                items.append(items_item)

        order = cls(
            order_id=order_id,
            order_status=order_status,
            user_id=user_id,
            organization_id=organization_id,
            contract_id=contract_id,
            order_date=order_date,
            expiration_date=expiration_date,
            items=items,
        )

        order.additional_properties = d
        return order

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
