from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RepetitionProperties")


@_attrs_define
class RepetitionProperties:
    """`repeatEnd` and `repetitionCount` exclude each other; neither means until cancelled.

    Attributes:
        repeat_start (str | Unset):
        repeat_end (None | str | Unset):
        repetition_interval (int | Unset): Days between collects.
        repetition_count (int | None | Unset):
        maintain_scene_framing (bool | Unset):
        look_angle_tolerance (float | Unset):
        azimuth_angle_tolerance (float | Unset):
    """

    repeat_start: str | Unset = UNSET
    repeat_end: None | str | Unset = UNSET
    repetition_interval: int | Unset = UNSET
    repetition_count: int | None | Unset = UNSET
    maintain_scene_framing: bool | Unset = UNSET
    look_angle_tolerance: float | Unset = UNSET
    azimuth_angle_tolerance: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        repeat_start = self.repeat_start

        repeat_end: None | str | Unset
        if isinstance(self.repeat_end, Unset):
            repeat_end = UNSET
        else:
            repeat_end = self.repeat_end

        repetition_interval = self.repetition_interval

        repetition_count: int | None | Unset
        if isinstance(self.repetition_count, Unset):
            repetition_count = UNSET
        else:
            repetition_count = self.repetition_count

        maintain_scene_framing = self.maintain_scene_framing

        look_angle_tolerance = self.look_angle_tolerance

        azimuth_angle_tolerance = self.azimuth_angle_tolerance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if repeat_start is not UNSET:
            field_dict["repeatStart"] = repeat_start
        if repeat_end is not UNSET:
            field_dict["repeatEnd"] = repeat_end
        if repetition_interval is not UNSET:
            field_dict["repetitionInterval"] = repetition_interval
        if repetition_count is not UNSET:
            field_dict["repetitionCount"] = repetition_count
        if maintain_scene_framing is not UNSET:
            field_dict["maintainSceneFraming"] = maintain_scene_framing
        if look_angle_tolerance is not UNSET:
            field_dict["lookAngleTolerance"] = look_angle_tolerance
        if azimuth_angle_tolerance is not UNSET:
            field_dict["azimuthAngleTolerance"] = azimuth_angle_tolerance

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        repeat_start = d.pop("repeatStart", UNSET)

        def _parse_repeat_end(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        repeat_end = _parse_repeat_end(d.pop("repeatEnd", UNSET))

        repetition_interval = d.pop("repetitionInterval", UNSET)

        def _parse_repetition_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        repetition_count = _parse_repetition_count(d.pop("repetitionCount", UNSET))

        maintain_scene_framing = d.pop("maintainSceneFraming", UNSET)

        look_angle_tolerance = d.pop("lookAngleTolerance", UNSET)

        azimuth_angle_tolerance = d.pop("azimuthAngleTolerance", UNSET)

        repetition_properties = cls(
            repeat_start=repeat_start,
            repeat_end=repeat_end,
            repetition_interval=repetition_interval,
            repetition_count=repetition_count,
            maintain_scene_framing=maintain_scene_framing,
            look_angle_tolerance=look_angle_tolerance,
            azimuth_angle_tolerance=azimuth_angle_tolerance,
        )

        repetition_properties.additional_properties = d
        return repetition_properties

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
