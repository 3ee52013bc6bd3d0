from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.archive_holdback import ArchiveHoldback
from ..models.collection_tier import CollectionTier
from ..models.collection_type import CollectionType
from ..models.instrument_mode import InstrumentMode
from ..models.request_status import RequestStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.collect_constraints import CollectConstraints
    from ..models.processing_config import ProcessingConfig
    from ..models.status_event import StatusEvent
    from ..models.tasking_request_order import TaskingRequestOrder


T = TypeVar("T", bound="TaskingRequestProperties")


@_attrs_define
class TaskingRequestProperties:
    """
    Attributes:
        taskingrequest_id (str):
        taskingrequest_name (str | Unset):
        taskingrequest_description (str | Unset):
        taskingrequest_type (str | Unset):
        submission_time (str | Unset):
        user_id (str | Unset):
        org_id (str | Unset):
        organization_name (str | Unset):
        user_name (str | Unset):
        contract_id (None | str | Unset):
        repeatrequest_id (None | str | Unset):
        window_open (str | Unset):
        window_close (str | Unset):
        window_duration (float | Unset): Seconds.
        collection_tier (CollectionTier | str | Unset):
        collection_type (CollectionType | str | Unset):
        type_ (InstrumentMode | str | Unset):
        archive_holdback (ArchiveHoldback | str | Unset):
        status_history (list[StatusEvent] | Unset):
        last_status_code (RequestStatus | str | Unset):
        collect_constraints (CollectConstraints | Unset): Collection constraints. Requests send only the keys they set;
            responses also carry
            server-filled defaults and legacy keys (kept as additional properties).
        processing_config (None | ProcessingConfig | Unset):
        pre_approval (bool | Unset):
        custom_attribute_1 (None | str | Unset):
        custom_attribute_2 (None | str | Unset):
        billing_environment (str | Unset):
        transaction_status (str | Unset):
        sandbox (bool | Unset):
        order (TaskingRequestOrder | Unset): Cost estimate attached to a tasking request.
    """

    taskingrequest_id: str
    taskingrequest_name: str | Unset = UNSET
    taskingrequest_description: str | Unset = UNSET
    taskingrequest_type: str | Unset = UNSET
    submission_time: str | Unset = UNSET
    user_id: str | Unset = UNSET
    org_id: str | Unset = UNSET
    organization_name: str | Unset = UNSET
    user_name: str | Unset = UNSET
    contract_id: None | str | Unset = UNSET
    repeatrequest_id: None | str | Unset = UNSET
    window_open: str | Unset = UNSET
    window_close: str | Unset = UNSET
    window_duration: float | Unset = UNSET
    collection_tier: CollectionTier | str | Unset = UNSET
    collection_type: CollectionType | str | Unset = UNSET
    type_: InstrumentMode | str | Unset = UNSET
    archive_holdback: ArchiveHoldback | str | Unset = UNSET
    status_history: list[StatusEvent] | Unset = UNSET
    last_status_code: RequestStatus | str | Unset = UNSET
    collect_constraints: CollectConstraints | Unset = UNSET
    processing_config: None | ProcessingConfig | Unset = UNSET
    pre_approval: bool | Unset = UNSET
    custom_attribute_1: None | str | Unset = UNSET
    custom_attribute_2: None | str | Unset = UNSET
    billing_environment: str | Unset = UNSET
    transaction_status: str | Unset = UNSET
    sandbox: bool | Unset = UNSET
    order: TaskingRequestOrder | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.processing_config import ProcessingConfig  # noqa: PLC0415

        taskingrequest_id = self.taskingrequest_id

        taskingrequest_name = self.taskingrequest_name

        taskingrequest_description = self.taskingrequest_description

        taskingrequest_type = self.taskingrequest_type

        submission_time = self.submission_time

        user_id = self.user_id

        org_id = self.org_id

        organization_name = self.organization_name

        user_name = self.user_name

        contract_id: None | str | Unset
        if isinstance(self.contract_id, Unset):
            contract_id = UNSET
        else:
            contract_id = self.contract_id

        repeatrequest_id: None | str | Unset
        if isinstance(self.repeatrequest_id, Unset):
            repeatrequest_id = UNSET
        else:
            repeatrequest_id = self.repeatrequest_id

        window_open = self.window_open

        window_close = self.window_close

        window_duration = self.window_duration

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

        type_: str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        elif isinstance(self.type_, InstrumentMode):
            type_ = self.type_.value
        else:
            type_ = self.type_

        archive_holdback: str | Unset
        if isinstance(self.archive_holdback, Unset):
            archive_holdback = UNSET
        elif isinstance(self.archive_holdback, ArchiveHoldback):
            archive_holdback = self.archive_holdback.value
        else:
            archive_holdback = self.archive_holdback

        status_history: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.status_history, Unset):
            status_history = []
            for status_history_item_data in self.status_history:
                status_history_item = status_history_item_data.to_dict()
                status_history.append(status_history_item)

        last_status_code: str | Unset
        if isinstance(self.last_status_code, Unset):
            last_status_code = UNSET
        elif isinstance(self.last_status_code, RequestStatus):
            last_status_code = self.last_status_code.value
        else:
            last_status_code = self.last_status_code

        collect_constraints: dict[str, Any] | Unset = UNSET
        if not isinstance(self.collect_constraints, Unset):
            collect_constraints = self.collect_constraints.to_dict()

        processing_config: dict[str, Any] | None | Unset
        if isinstance(self.processing_config, Unset):
            processing_config = UNSET
        elif isinstance(self.processing_config, ProcessingConfig):
            processing_config = self.processing_config.to_dict()
        else:
            processing_config = self.processing_config

        pre_approval = self.pre_approval

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

        billing_environment = self.billing_environment

        transaction_status = self.transaction_status

        sandbox = self.sandbox

        order: dict[str, Any] | Unset = UNSET
        if not isinstance(self.order, Unset):
            order = self.order.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "taskingrequestId": taskingrequest_id,
            }
        )
        if taskingrequest_name is not UNSET:
            field_dict["taskingrequestName"] = taskingrequest_name
        if taskingrequest_description is not UNSET:
            field_dict["taskingrequestDescription"] = taskingrequest_description
        if taskingrequest_type is not UNSET:
            field_dict["taskingrequestType"] = taskingrequest_type
        if submission_time is not UNSET:
            field_dict["submissionTime"] = submission_time
        if user_id is not UNSET:
            field_dict["userId"] = user_id
        if org_id is not UNSET:
            field_dict["orgId"] = org_id
        if organization_name is not UNSET:
            field_dict["organizationName"] = organization_name
        if user_name is not UNSET:
            field_dict["userName"] = user_name
        if contract_id is not UNSET:
            field_dict["contractId"] = contract_id
        if repeatrequest_id is not UNSET:
            field_dict["repeatrequestId"] = repeatrequest_id
        if window_open is not UNSET:
            field_dict["windowOpen"] = window_open
        if window_close is not UNSET:
            field_dict["windowClose"] = window_close
        if window_duration is not UNSET:
            field_dict["windowDuration"] = window_duration
        if collection_tier is not UNSET:
            field_dict["collectionTier"] = collection_tier
        if collection_type is not UNSET:
            field_dict["collectionType"] = collection_type
        if type_ is not UNSET:
            field_dict["type"] = type_
        if archive_holdback is not UNSET:
            field_dict["archiveHoldback"] = archive_holdback
        if status_history is not UNSET:
            field_dict["statusHistory"] = status_history
        if last_status_code is not UNSET:
            field_dict["lastStatusCode"] = last_status_code
        if collect_constraints is not UNSET:
            field_dict["collectConstraints"] = collect_constraints
        if processing_config is not UNSET:
            field_dict["processingConfig"] = processing_config
        if pre_approval is not UNSET:
            field_dict["preApproval"] = pre_approval
        if custom_attribute_1 is not UNSET:
            field_dict["customAttribute1"] = custom_attribute_1
        if custom_attribute_2 is not UNSET:
            field_dict["customAttribute2"] = custom_attribute_2
        if billing_environment is not UNSET:
            field_dict["billingEnvironment"] = billing_environment
        if transaction_status is not UNSET:
            field_dict["transactionStatus"] = transaction_status
        if sandbox is not UNSET:
            field_dict["sandbox"] = sandbox
        if order is not UNSET:
            field_dict["order"] = order

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.collect_constraints import CollectConstraints  # noqa: PLC0415
        from ..models.processing_config import ProcessingConfig  # noqa: PLC0415
        from ..models.status_event import StatusEvent  # noqa: PLC0415
        from ..models.tasking_request_order import TaskingRequestOrder  # noqa: PLC0415

        d = dict(src_dict)
        taskingrequest_id = d.pop("taskingrequestId")

        taskingrequest_name = d.pop("taskingrequestName", UNSET)

        taskingrequest_description = d.pop("taskingrequestDescription", UNSET)

        taskingrequest_type = d.pop("taskingrequestType", UNSET)

        submission_time = d.pop("submissionTime", UNSET)

        user_id = d.pop("userId", UNSET)

        org_id = d.pop("orgId", UNSET)

        organization_name = d.pop("organizationName", UNSET)

        user_name = d.pop("userName", UNSET)

        def _parse_contract_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contract_id = _parse_contract_id(d.pop("contractId", UNSET))

        def _parse_repeatrequest_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        repeatrequest_id = _parse_repeatrequest_id(d.pop("repeatrequestId", UNSET))

        window_open = d.pop("windowOpen", UNSET)

        window_close = d.pop("windowClose", UNSET)

        window_duration = d.pop("windowDuration", UNSET)

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

        _status_history = d.pop("statusHistory", UNSET)
        status_history: list[StatusEvent] | Unset = UNSET
        if _status_history is not UNSET:
            status_history = []
            for status_history_item_data in _status_history:
                status_history_item = StatusEvent.from_dict(status_history_item_data)

                status_history.append(status_history_item)

        def _parse_last_status_code(data: object) -> RequestStatus | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_status_code_type_0 = RequestStatus(data)

                return last_status_code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(RequestStatus | str | Unset, data)

        last_status_code = _parse_last_status_code(d.pop("lastStatusCode", UNSET))

        _collect_constraints = d.pop("collectConstraints", UNSET)
        collect_constraints: CollectConstraints | Unset
        if isinstance(_collect_constraints, Unset):
            collect_constraints = UNSET
        else:
            collect_constraints = CollectConstraints.from_dict(_collect_constraints)

        def _parse_processing_config(data: object) -> None | ProcessingConfig | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                processing_config_type_0 = ProcessingConfig.from_dict(data)

                return processing_config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProcessingConfig | Unset, data)

        processing_config = _parse_processing_config(d.pop("processingConfig", UNSET))

        pre_approval = d.pop("preApproval", UNSET)

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

        billing_environment = d.pop("billingEnvironment", UNSET)

        transaction_status = d.pop("transactionStatus", UNSET)

        sandbox = d.pop("sandbox", UNSET)

        _order = d.pop("order", UNSET)
        order: TaskingRequestOrder | Unset
        if isinstance(_order, Unset):
            order = UNSET
        else:
            order = TaskingRequestOrder.from_dict(_order)

        tasking_request_properties = cls(
            taskingrequest_id=taskingrequest_id,
            taskingrequest_name=taskingrequest_name,
            taskingrequest_description=taskingrequest_description,
            taskingrequest_type=taskingrequest_type,
            submission_time=submission_time,
            user_id=user_id,
            org_id=org_id,
            organization_name=organization_name,
            user_name=user_name,
            contract_id=contract_id,
            repeatrequest_id=repeatrequest_id,
            window_open=window_open,
            window_close=window_close,
            window_duration=window_duration,
            collection_tier=collection_tier,
            collection_type=collection_type,
            type_=type_,
            archive_holdback=archive_holdback,
            status_history=status_history,
            last_status_code=last_status_code,
            collect_constraints=collect_constraints,
            processing_config=processing_config,
            pre_approval=pre_approval,
            custom_attribute_1=custom_attribute_1,
            custom_attribute_2=custom_attribute_2,
            billing_environment=billing_environment,
            transaction_status=transaction_status,
            sandbox=sandbox,
            order=order,
        )

        tasking_request_properties.additional_properties = d
        return tasking_request_properties

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
