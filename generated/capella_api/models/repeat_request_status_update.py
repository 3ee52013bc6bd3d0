from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.status_action import StatusAction
from ..types import UNSET, Unset

T = TypeVar("T", bound="RepeatRequestStatusUpdate")


@_attrs_define
class RepeatRequestStatusUpdate:
    """The reference SDK sends `status`; Capella's docs send `code`.

    Attributes:
        status (StatusAction | str | Unset):
        code (StatusAction | str | Unset):
    """

    status: StatusAction | str | Unset = UNSET
    code: StatusAction | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, StatusAction):
            status = self.status.value
        else:
            status = self.status

        code: str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        elif isinstance(self.code, StatusAction):
            code = self.code.value
        else:
            code = self.code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if code is not UNSET:
            field_dict["code"] = code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_status(data: object) -> StatusAction | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = StatusAction(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(StatusAction | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_code(data: object) -> StatusAction | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                code_type_0 = StatusAction(data)

                return code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(StatusAction | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        repeat_request_status_update = cls(
            status=status,
            code=code,
        )

        repeat_request_status_update.additional_properties = d
        return repeat_request_status_update

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
