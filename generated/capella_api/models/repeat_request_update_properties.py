from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.processing_config import ProcessingConfig


T = TypeVar("T", bound="RepeatRequestUpdateProperties")


@_attrs_define
class RepeatRequestUpdateProperties:
    """
    Attributes:
        repeatrequest_name (str | Unset):
        repeatrequest_description (str | Unset):
        custom_attribute_1 (None | str | Unset):
        custom_attribute_2 (None | str | Unset):
        processing_config (ProcessingConfig | Unset):
    """

    repeatrequest_name: str | Unset = UNSET
    repeatrequest_description: str | Unset = UNSET
    custom_attribute_1: None | str | Unset = UNSET
    custom_attribute_2: None | str | Unset = UNSET
    processing_config: ProcessingConfig | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        repeatrequest_name = self.repeatrequest_name

        repeatrequest_description = self.repeatrequest_description

        custom_attribute_1: None | str | Unset
        if isinstance(self.custom_attribute_1, Unset):
            custom_attribute_1 = UNSET
        else:
            custom_attribute_1 = self.custom_attribute_1

        custom_attribute_2: None | str | Unset
        if isinstance(self.custom_attribute_2, Unset):
            custom_attribute_2 = UNSET
        else:
            custom_attribute_2 = self.custom_attribute_2

        processing_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.processing_config, Unset):
            processing_config = self.processing_config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if repeatrequest_name is not UNSET:
            field_dict["repeatrequestName"] = repeatrequest_name
        if repeatrequest_description is not UNSET:
            field_dict["repeatrequestDescription"] = repeatrequest_description
        if custom_attribute_1 is not UNSET:
            field_dict["customAttribute1"] = custom_attribute_1
        if custom_attribute_2 is not UNSET:
            field_dict["customAttribute2"] = custom_attribute_2
        if processing_config is not UNSET:
            field_dict["processingConfig"] = processing_config

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.processing_config import ProcessingConfig  # noqa: PLC0415

        d = dict(src_dict)
        repeatrequest_name = d.pop("repeatrequestName", UNSET)

        repeatrequest_description = d.pop("repeatrequestDescription", UNSET)

        def _parse_custom_attribute_1(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        custom_attribute_1 = _parse_custom_attribute_1(d.pop("customAttribute1", UNSET))

        def _parse_custom_attribute_2(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        custom_attribute_2 = _parse_custom_attribute_2(d.pop("customAttribute2", UNSET))

        _processing_config = d.pop("processingConfig", UNSET)
        processing_config: ProcessingConfig | Unset
        if isinstance(_processing_config, Unset):
            processing_config = UNSET
        else:
            processing_config = ProcessingConfig.from_dict(_processing_config)

        repeat_request_update_properties = cls(
            repeatrequest_name=repeatrequest_name,
            repeatrequest_description=repeatrequest_description,
            custom_attribute_1=custom_attribute_1,
            custom_attribute_2=custom_attribute_2,
            processing_config=processing_config,
        )

        repeat_request_update_properties.additional_properties = d
        return repeat_request_update_properties

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
