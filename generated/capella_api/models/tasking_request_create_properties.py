from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.archive_holdback import ArchiveHoldback
from ..models.collection_tier import CollectionTier
from ..models.collection_type import CollectionType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.collect_constraints import CollectConstraints
    from ..models.processing_config import ProcessingConfig


T = TypeVar("T", bound="TaskingRequestCreateProperties")


@_attrs_define
class TaskingRequestCreateProperties:
    """
    Attributes:
        taskingrequest_name (str):
        taskingrequest_description (str | Unset):
        window_open (str | Unset): `YYYY-MM-DDTHH:MM:SS.mmmZ`.
        window_close (str | Unset):
        collection_tier (CollectionTier | str | Unset):
        collection_type (CollectionType | str | Unset):
        archive_holdback (ArchiveHoldback | str | Unset):
        custom_attribute_1 (None | str | Unset):
        custom_attribute_2 (None | str | Unset):
        pre_approval (bool | Unset): Skip the cost review. The reference SDK sends this snake_case key; responses say
            `preApproval`.
        collect_constraints (CollectConstraints | Unset): Collection constraints. Requests send only the keys they set;
            responses also carry
            server-filled defaults and legacy keys (kept as additional properties).
        processing_config (ProcessingConfig | Unset):
    """

    taskingrequest_name: str
    taskingrequest_description: str | Unset = UNSET
    window_open: str | Unset = UNSET
    window_close: str | Unset = UNSET
    collection_tier: CollectionTier | str | Unset = UNSET
    collection_type: CollectionType | str | Unset = UNSET
    archive_holdback: ArchiveHoldback | str | Unset = UNSET
    custom_attribute_1: None | str | Unset = UNSET
    custom_attribute_2: None | str | Unset = UNSET
    pre_approval: bool | Unset = UNSET
    collect_constraints: CollectConstraints | Unset = UNSET
    processing_config: ProcessingConfig | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        taskingrequest_name = self.taskingrequest_name

        taskingrequest_description = self.taskingrequest_description

        window_open = self.window_open

        window_close = self.window_close

        collection_tier: str | Unset
        if isinstance(self.collection_tier, Unset):
            collection_tier = UNSET
        elif isinstance(self.collection_tier, CollectionTier):
            collection_tier = self.collection_tier.value
        else:
            collection_tier = self.collection_tier

        collection_type: str | Unset
        if isinstance(self.collection_type, Unset):
            collection_type = UNSET
        elif isinstance(self.collection_type, CollectionType):
            collection_type = self.collection_type.value
        else:
            collection_type = self.collection_type

        archive_holdback: str | Unset
        if isinstance(self.archive_holdback, Unset):
            archive_holdback = UNSET
        elif isinstance(self.archive_holdback, ArchiveHoldback):
            archive_holdback = self.archive_holdback.value
        else:
            archive_holdback = self.archive_holdback

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

        pre_approval = self.pre_approval

        collect_constraints: dict[str, Any] | Unset = UNSET
        if not isinstance(self.collect_constraints, Unset):
            collect_constraints = self.collect_constraints.to_dict()

        processing_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.processing_config, Unset):
            processing_config = self.processing_config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "taskingrequestName": taskingrequest_name,
            }
        )
        if taskingrequest_description is not UNSET:
            field_dict["taskingrequestDescription"] = taskingrequest_description
        if window_open is not UNSET:
            field_dict["windowOpen"] = window_open
        if window_close is not UNSET:
            field_dict["windowClose"] = window_close
        if collection_tier is not UNSET:
            field_dict["collectionTier"] = collection_tier
        if collection_type is not UNSET:
            field_dict["collectionType"] = collection_type
        if archive_holdback is not UNSET:
            field_dict["archiveHoldback"] = archive_holdback
        if custom_attribute_1 is not UNSET:
            field_dict["customAttribute1"] = custom_attribute_1
        if custom_attribute_2 is not UNSET:
            field_dict["customAttribute2"] = custom_attribute_2
        if pre_approval is not UNSET:
            field_dict["pre_approval"] = pre_approval
        if collect_constraints is not UNSET:
            field_dict["collectConstraints"] = collect_constraints
        if processing_config is not UNSET:
            field_dict["processingConfig"] = processing_config

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.collect_constraints import CollectConstraints  # noqa: PLC0415
        from ..models.processing_config import ProcessingConfig  # noqa: PLC0415

        d = dict(src_dict)
        taskingrequest_name = d.pop("taskingrequestName")

        taskingrequest_description = d.pop("taskingrequestDescription", UNSET)

        window_open = d.pop("windowOpen", UNSET)

        window_close = d.pop("windowClose", UNSET)

        def _parse_collection_tier(data: object) -> CollectionTier | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                collection_tier_type_0 = CollectionTier(data)

                return collection_tier_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CollectionTier | str | Unset, data)

        collection_tier = _parse_collection_tier(d.pop("collectionTier", UNSET))

        def _parse_collection_type(data: object) -> CollectionType | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                collection_type_type_0 = CollectionType(data)

                return collection_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CollectionType | str | Unset, data)

        collection_type = _parse_collection_type(d.pop("collectionType", UNSET))

        def _parse_archive_holdback(data: object) -> ArchiveHoldback | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                archive_holdback_type_0 = ArchiveHoldback(data)

                return archive_holdback_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ArchiveHoldback | str | Unset, data)

        archive_holdback = _parse_archive_holdback(d.pop("archiveHoldback", UNSET))

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

        pre_approval = d.pop("pre_approval", UNSET)

        _collect_constraints = d.pop("collectConstraints", UNSET)
        collect_constraints: CollectConstraints | Unset
        if isinstance(_collect_constraints, Unset):
            collect_constraints = UNSET
        else:
            collect_constraints = CollectConstraints.from_dict(_collect_constraints)

        _processing_config = d.pop("processingConfig", UNSET)
        processing_config: ProcessingConfig | Unset
        if isinstance(_processing_config, Unset):
            processing_config = UNSET
        else:
            processing_config = ProcessingConfig.from_dict(_processing_config)

        tasking_request_create_properties = cls(
            taskingrequest_name=taskingrequest_name,
            taskingrequest_description=taskingrequest_description,
            window_open=window_open,
            window_close=window_close,
            collection_tier=collection_tier,
            collection_type=collection_type,
            archive_holdback=archive_holdback,
            custom_attribute_1=custom_attribute_1,
            custom_attribute_2=custom_attribute_2,
            pre_approval=pre_approval,
            collect_constraints=collect_constraints,
            processing_config=processing_config,
        )

        tasking_request_create_properties.additional_properties = d
        return tasking_request_create_properties

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
