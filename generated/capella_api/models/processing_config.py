from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.product_type import ProductType
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProcessingConfig")


@_attrs_define
class ProcessingConfig:
    """
    Attributes:
        product_types (list[ProductType | str] | Unset):
    """

    product_types: list[ProductType | str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        product_types: list[str] | Unset = UNSET
        if not isinstance(self.product_types, Unset):
            product_types = []
            for product_types_item_data in self.product_types:
                product_types_item: str
                if isinstance(product_types_item_data, ProductType):
                    product_types_item = product_types_item_data.value
                else:
                    product_types_item = product_types_item_data
                product_types.append(product_types_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if product_types is not UNSET:
            field_dict["productTypes"] = product_types

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _product_types = d.pop("productTypes", UNSET)
        product_types: list[ProductType | str] | Unset = UNSET
        if _product_types is not UNSET:
            product_types = []
            for product_types_item_data in _product_types:

                def _parse_product_types_item(data: object) -> ProductType | str:
                    try:
                        if not isinstance(data, str):
                            raise TypeError()
                        product_types_item_type_0 = ProductType(data)

                        return product_types_item_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    return cast(ProductType | str, data)

                product_types_item = _parse_product_types_item(product_types_item_data)

                product_types.append(product_types_item)

        processing_config = cls(
            product_types=product_types,
        )

        processing_config.additional_properties = d
        return processing_config

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
