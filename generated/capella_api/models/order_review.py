from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.authorization_denial_reason import AuthorizationDenialReason
    from ..models.order_details import OrderDetails


T = TypeVar("T", bound="OrderReview")


@_attrs_define
class OrderReview:
    """Result of an order review; a missing `authorized` means not authorised.

    Attributes:
        authorized (bool | Unset):
        order_details (OrderDetails | Unset):
        authorization_denial_reason (AuthorizationDenialReason | Unset):
    """

    authorized: bool | Unset = UNSET
    order_details: OrderDetails | Unset = UNSET
    authorization_denial_reason: AuthorizationDenialReason | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authorized = self.authorized

        order_details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.order_details, Unset):
            order_details = self.order_details.to_dict()

        authorization_denial_reason: dict[str, Any] | Unset = UNSET
        if not isinstance(self.authorization_denial_reason, Unset):
            authorization_denial_reason = self.authorization_denial_reason.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if authorized is not UNSET:
            field_dict["authorized"] = authorized
        if order_details is not UNSET:
            field_dict["orderDetails"] = order_details
        if authorization_denial_reason is not UNSET:
            field_dict["authorizationDenialReason"] = authorization_denial_reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.authorization_denial_reason import AuthorizationDenialReason  # noqa: PLC0415
        from ..models.order_details import OrderDetails  # noqa: PLC0415

        d = dict(src_dict)
        authorized = d.pop("authorized", UNSET)

        _order_details = d.pop("orderDetails", UNSET)
        order_details: OrderDetails | Unset
        if isinstance(_order_details, Unset):
            order_details = UNSET
        else:
            order_details = OrderDetails.from_dict(_order_details)

        _authorization_denial_reason = d.pop("authorizationDenialReason", UNSET)
        authorization_denial_reason: AuthorizationDenialReason | Unset
        if isinstance(_authorization_denial_reason, Unset):
            authorization_denial_reason = UNSET
        else:
            authorization_denial_reason = AuthorizationDenialReason.from_dict(_authorization_denial_reason)

        order_review = cls(
            authorized=authorized,
            order_details=order_details,
            authorization_denial_reason=authorization_denial_reason,
        )

        order_review.additional_properties = d
        return order_review

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
