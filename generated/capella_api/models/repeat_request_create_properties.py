from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.archive_holdback import ArchiveHoldback
from ..models.collection_type import CollectionType
from ..models.repeat_collection_tier import RepeatCollectionTier
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.collect_constraints import CollectConstraints
    from ..models.insar_settings import InsarSettings
    from ..models.processing_config import ProcessingConfig
    from ..models.repetition_properties import RepetitionProperties


T = TypeVar("T", bound="RepeatRequestCreateProperties")


@_attrs_define
class RepeatRequestCreateProperties:
    """
    Attributes:
        repeatrequest_name (str):
        repeatrequest_description (str | Unset):
        collection_tier (RepeatCollectionTier | str | Unset):
        collection_type (CollectionType | str | Unset):
        archive_holdback (ArchiveHoldback | str | Unset):
        custom_attribute_1 (None | str | Unset):
        custom_attribute_2 (None | str | Unset):
        collect_constraints (CollectConstraints | Unset): Collection constraints. Requests send only the keys they set;
            responses also carry
            server-filled defaults and legacy keys (kept as additional properties).
        repetition_properties (RepetitionProperties | Unset): `repeatEnd` and `repetitionCount` exclude each other;
            neither means until cancelled.
        processing_config (ProcessingConfig | Unset):
        window_duration (int | Unset): Seconds.
        insar (InsarSettings | Unset):
    """

    repeatrequest_name: str
    repeatrequest_description: str | Unset = UNSET
    collection_tier: RepeatCollectionTier | str | Unset = UNSET
    collection_type: CollectionType | str | Unset = UNSET
    archive_holdback: ArchiveHoldback | str | Unset = UNSET
    custom_attribute_1: None | str | Unset = UNSET
    custom_attribute_2: None | str | Unset = UNSET
    collect_constraints: CollectConstraints | Unset = UNSET
    repetition_properties: RepetitionProperties | Unset = UNSET
    processing_config: ProcessingConfig | Unset = UNSET
    window_duration: int | Unset = UNSET
    insar: InsarSettings | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        repeatrequest_name = self.repeatrequest_name

        repeatrequest_description = self.repeatrequest_description

        collection_tier: str | Unset
        if isinstance(self.collection_tier, Unset):
            collection_tier = UNSET
        elif isinstance(self.collection_tier, RepeatCollectionTier):
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

        collect_constraints: dict[str, Any] | Unset = UNSET
        if not isinstance(self.collect_constraints, Unset):
            collect_constraints = self.collect_constraints.to_dict()

        repetition_properties: dict[str, Any] | Unset = UNSET
        if not isinstance(self.repetition_properties, Unset):
            repetition_properties = self.repetition_properties.to_dict()

        processing_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.processing_config, Unset):
            processing_config = self.processing_config.to_dict()

        window_duration = self.window_duration

        insar: dict[str, Any] | Unset = UNSET
        if not isinstance(self.insar, Unset):
            insar = self.insar.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "repeatrequestName": repeatrequest_name,
            }
        )
        if repeatrequest_description is not UNSET:
            field_dict["repeatrequestDescription"] = repeatrequest_description
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
        if collect_constraints is not UNSET:
            field_dict["collectConstraints"] = collect_constraints
        if repetition_properties is not UNSET:
            field_dict["repetitionProperties"] = repetition_properties
        if processing_config is not UNSET:
            field_dict["processingConfig"] = processing_config
        if window_duration is not UNSET:
            field_dict["windowDuration"] = window_duration
        if insar is not UNSET:
            field_dict["insar"] = insar

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.collect_constraints import CollectConstraints  # noqa: PLC0415
        from ..models.insar_settings import InsarSettings  # noqa: PLC0415
        from ..models.processing_config import ProcessingConfig  # noqa: PLC0415
        from ..models.repetition_properties import RepetitionProperties  # noqa: PLC0415

        d = dict(src_dict)
        repeatrequest_name = d.pop("repeatrequestName")

        repeatrequest_description = d.pop("repeatrequestDescription", UNSET)

        def _parse_collection_tier(data: object) -> RepeatCollectionTier | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                collection_tier_type_0 = RepeatCollectionTier(data)

                return collection_tier_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(RepeatCollectionTier | str | Unset, data)

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

        _collect_constraints = d.pop("collectConstraints", UNSET)
        collect_constraints: CollectConstraints | Unset
        if isinstance(_collect_constraints, Unset):
            collect_constraints = UNSET
        else:
            collect_constraints = CollectConstraints.from_dict(_collect_constraints)

        _repetition_properties = d.pop("repetitionProperties", UNSET)
        repetition_properties: RepetitionProperties | Unset
        if isinstance(_repetition_properties, Unset):
            repetition_properties = UNSET
        else:
            repetition_properties = RepetitionProperties.from_dict(_repetition_properties)

        _processing_config = d.pop("processingConfig", UNSET)
        processing_config: ProcessingConfig | Unset
        if isinstance(_processing_config, Unset):
            processing_config = UNSET
        else:
            processing_config = ProcessingConfig.from_dict(_processing_config)

        window_duration = d.pop("windowDuration", UNSET)

        _insar = d.pop("insar", UNSET)
        insar: InsarSettings | Unset
        if isinstance(_insar, Unset):
            insar = UNSET
        else:
            insar = InsarSettings.from_dict(_insar)

        repeat_request_create_properties = cls(
            repeatrequest_name=repeatrequest_name,
            repeatrequest_description=repeatrequest_description,
            collection_tier=collection_tier,
            collection_type=collection_type,
            archive_holdback=archive_holdback,
            custom_attribute_1=custom_attribute_1,
            custom_attribute_2=custom_attribute_2,
            collect_constraints=collect_constraints,
            repetition_properties=repetition_properties,
            processing_config=processing_config,
            window_duration=window_duration,
            insar=insar,
        )

        repeat_request_create_properties.additional_properties = d
        return repeat_request_create_properties

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
