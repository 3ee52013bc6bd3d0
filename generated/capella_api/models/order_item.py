from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.instrument_mode import InstrumentMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderItem")


@_attrs_define
class OrderItem:
    """
    Attributes:
        granule_id (str | Unset):
        collection_id (str | Unset):
        type_ (InstrumentMode | str | Unset):
        size (float | Unset): Bytes (may be fractional).
        collect_id (str | Unset):
        tasking_request_id (str | Unset):
        previously_ordered (bool | Unset):
        collection_date (str | Unset):
        item_status (str | Unset):
    """

    granule_id: str | Unset = UNSET
    collection_id: str | Unset = UNSET
    type_: InstrumentMode | str | Unset = UNSET
    size: float | Unset = UNSET
    collect_id: str | Unset = UNSET
    tasking_request_id: str | Unset = UNSET
    previously_ordered: bool | Unset = UNSET
    collection_date: str | Unset = UNSET
    item_status: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        granule_id = self.granule_id

        collection_id = self.collection_id

        type_: str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        elif isinstance(self.type_, InstrumentMode):
            type_ = self.type_.value
        else:
            type_ = self.type_

        size = self.size

        collect_id = self.collect_id

        tasking_request_id = self.tasking_request_id

        previously_ordered = self.previously_ordered

        collection_date = self.collection_date

        item_status = self.item_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if granule_id is not UNSET:
            field_dict["granuleId"] = granule_id
        if collection_id is not UNSET:
            field_dict["collectionId"] = collection_id
        if type_ is not UNSET:
            field_dict["type"] = type_
        if size is not UNSET:
            field_dict["size"] = size
        if collect_id is not UNSET:
            field_dict["collectId"] = collect_id
        if tasking_request_id is not UNSET:
            field_dict["taskingRequestId"] = tasking_request_id
        if previously_ordered is not UNSET:
            field_dict["previouslyOrdered"] = previously_ordered
        if collection_date is not UNSET:
            field_dict["collectionDate"] = collection_date
        if item_status is not UNSET:
            field_dict["itemStatus"] = item_status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        granule_id = d.pop("granuleId", UNSET)

        collection_id = d.pop("collectionId", UNSET)

        def _parse_type_(data: object) -> InstrumentMode | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                type_type_0 = InstrumentMode(data)

                return type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InstrumentMode | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        size = d.pop("size", UNSET)

        collect_id = d.pop("collectId", UNSET)

        tasking_request_id = d.pop("taskingRequestId", UNSET)

        previously_ordered = d.pop("previouslyOrdered", UNSET)

        collection_date = d.pop("collectionDate", UNSET)

        item_status = d.pop("itemStatus", UNSET)

        order_item = cls(
            granule_id=granule_id,
            collection_id=collection_id,
            type_=type_,
            size=size,
            collect_id=collect_id,
            tasking_request_id=tasking_request_id,
            previously_ordered=previously_ordered,
            collection_date=collection_date,
            item_status=item_status,
        )

        order_item.additional_properties = d
        return order_item

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
