from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.collect_access_properties import CollectAccessProperties
    from ..models.collect_properties import CollectProperties
    from ..models.collect_status_event import CollectStatusEvent


T = TypeVar("T", bound="Collect")


@_attrs_define
class Collect:
    """
    Attributes:
        collect_id (str):
        taskingrequest_id (str | Unset):
        repeatrequest_id (None | str | Unset):
        tile_id (str | Unset):
        tile_group_id (str | Unset):
        spacecraft_id (int | Unset):
        center (list[float] | Unset):
        center_ecef (list[float] | Unset):
        window_open (str | Unset):
        window_close (str | Unset):
        window_duration (float | Unset):
        access_properties (CollectAccessProperties | Unset):
        collect_properties (CollectProperties | Unset):
        collect_status_history (list[CollectStatusEvent] | Unset):
    """

    collect_id: str
    taskingrequest_id: str | Unset = UNSET
    repeatrequest_id: None | str | Unset = UNSET
    tile_id: str | Unset = UNSET
    tile_group_id: str | Unset = UNSET
    spacecraft_id: int | Unset = UNSET
    center: list[float] | Unset = UNSET
    center_ecef: list[float] | Unset = UNSET
    window_open: str | Unset = UNSET
    window_close: str | Unset = UNSET
    window_duration: float | Unset = UNSET
    access_properties: CollectAccessProperties | Unset = UNSET
    collect_properties: CollectProperties | Unset = UNSET
    collect_status_history: list[CollectStatusEvent] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        collect_id = self.collect_id

        taskingrequest_id = self.taskingrequest_id

        repeatrequest_id: None | str | Unset
        if isinstance(self.repeatrequest_id, Unset):
            repeatrequest_id = UNSET
        else:
            repeatrequest_id = self.repeatrequest_id

        tile_id = self.tile_id

        tile_group_id = self.tile_group_id

        spacecraft_id = self.spacecraft_id

        center: list[float] | Unset = UNSET
        if not isinstance(self.center, Unset):
            center = self.center

        center_ecef: list[float] | Unset = UNSET
        if not isinstance(self.center_ecef, Unset):
            center_ecef = self.center_ecef

        window_open = self.window_open

        window_close = self.window_close

        window_duration = self.window_duration

        access_properties: dict[str, Any] | Unset = UNSET
        if not isinstance(self.access_properties, Unset):
            access_properties = self.access_properties.to_dict()

        collect_properties: dict[str, Any] | Unset = UNSET
        if not isinstance(self.collect_properties, Unset):
            collect_properties = self.collect_properties.to_dict()

        collect_status_history: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.collect_status_history, Unset):
            collect_status_history = []
            for collect_status_history_item_data in self.collect_status_history:
                collect_status_history_item = collect_status_history_item_data.to_dict()
                collect_status_history.append(collect_status_history_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "collectId": collect_id,
            }
        )
        if taskingrequest_id is not UNSET:
            field_dict["taskingrequestId"] = taskingrequest_id
        if repeatrequest_id is not UNSET:
            field_dict["repeatrequestId"] = repeatrequest_id
        if tile_id is not UNSET:
            field_dict["tileId"] = tile_id
        if tile_group_id is not UNSET:
            field_dict["tileGroupId"] = tile_group_id
        if spacecraft_id is not UNSET:
            field_dict["spacecraftId"] = spacecraft_id
        if center is not UNSET:
            field_dict["center"] = center
        if center_ecef is not UNSET:
            field_dict["centerEcef"] = center_ecef
        if window_open is not UNSET:
            field_dict["windowOpen"] = window_open
        if window_close is not UNSET:
            field_dict["windowClose"] = window_close
        if window_duration is not UNSET:
            field_dict["windowDuration"] = window_duration
        if access_properties is not UNSET:
            field_dict["accessProperties"] = access_properties
        if collect_properties is not UNSET:
            field_dict["collectProperties"] = collect_properties
        if collect_status_history is not UNSET:
            field_dict["collectStatusHistory"] = collect_status_history

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.collect_access_properties import CollectAccessProperties  # noqa: PLC0415
        from ..models.collect_properties import CollectProperties  # noqa: PLC0415
        from ..models.collect_status_event import CollectStatusEvent  # noqa: PLC0415

        d = dict(src_dict)
        collect_id = d.pop("collectId")

        taskingrequest_id = d.pop("taskingrequestId", UNSET)

        def _parse_repeatrequest_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        repeatrequest_id = _parse_repeatrequest_id(d.pop("repeatrequestId", UNSET))

        tile_id = d.pop("tileId", UNSET)

        tile_group_id = d.pop("tileGroupId", UNSET)

        spacecraft_id = d.pop("spacecraftId", UNSET)

        center = cast(list[float], d.pop("center", UNSET))

        center_ecef = cast(list[float], d.pop("centerEcef", UNSET))

        window_open = d.pop("windowOpen", UNSET)

        window_close = d.pop("windowClose", UNSET)

        window_duration = d.pop("windowDuration", UNSET)

        _access_properties = d.pop("accessProperties", UNSET)
        access_properties: CollectAccessProperties | Unset
        if isinstance(_access_properties, Unset):
            access_properties = UNSET
        else:
            access_properties = CollectAccessProperties.from_dict(_access_properties)

        _collect_properties = d.pop("collectProperties", UNSET)
        collect_properties: CollectProperties | Unset
        if isinstance(_collect_properties, Unset):
            collect_properties = UNSET
        else:
            collect_properties = CollectProperties.from_dict(_collect_properties)

        _collect_status_history = d.pop("collectStatusHistory", UNSET)
        collect_status_history: list[CollectStatusEvent] | Unset = UNSET
        if _collect_status_history is not UNSET:
            collect_status_history = []
            for collect_status_history_item_data in _collect_status_history:
                collect_status_history_item = CollectStatusEvent.from_dict(collect_status_history_item_data)

                collect_status_history.append(collect_status_history_item)

        collect = cls(
            collect_id=collect_id,
            taskingrequest_id=taskingrequest_id,
            repeatrequest_id=repeatrequest_id,
            tile_id=tile_id,
            tile_group_id=tile_group_id,
            spacecraft_id=spacecraft_id,
            center=center,
            center_ecef=center_ecef,
            window_open=window_open,
            window_close=window_close,
            window_duration=window_duration,
            access_properties=access_properties,
            collect_properties=collect_properties,
            collect_status_history=collect_status_history,
        )

        collect.additional_properties = d
        return collect

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
