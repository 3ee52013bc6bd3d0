"""Contains all the data models used in inputs/outputs"""

from .api_error import ApiError
from .archive_holdback import ArchiveHoldback
from .asset import Asset
from .authorization_denial_reason import AuthorizationDenialReason
from .collect import Collect
from .collect_access_properties import CollectAccessProperties
from .collect_constraints import CollectConstraints
from .collect_properties import CollectProperties
from .collect_status import CollectStatus
from .collect_status_event import CollectStatusEvent
from .collection_tier import CollectionTier
from .collection_type import CollectionType
from .collection_type_info import CollectionTypeInfo
from .error_code import ErrorCode
from .error_envelope import ErrorEnvelope
from .gateway_message import GatewayMessage
from .insar_orbit import InsarOrbit
from .insar_settings import InsarSettings
from .instrument_mode import InstrumentMode
from .line_string import LineString
from .link import Link
from .local_time_option import LocalTimeOption
from .look_direction import LookDirection
from .multi_polygon import MultiPolygon
from .orbit_state import OrbitState
from .order import Order
from .order_details import OrderDetails
from .order_item import OrderItem
from .order_line_item import OrderLineItem
from .order_line_item_price import OrderLineItemPrice
from .order_request import OrderRequest
from .order_request_item import OrderRequestItem
from .order_review import OrderReview
from .order_status import OrderStatus
from .order_summary import OrderSummary
from .ownership_option import OwnershipOption
from .point import Point
from .polarization import Polarization
from .polygon import Polygon
from .processing_config import ProcessingConfig
from .product_type import ProductType
from .query_operators import QueryOperators
from .repeat_collection_tier import RepeatCollectionTier
from .repeat_request import RepeatRequest
from .repeat_request_create import RepeatRequestCreate
from .repeat_request_create_properties import RepeatRequestCreateProperties
from .repeat_request_properties import RepeatRequestProperties
from .repeat_request_search_page import RepeatRequestSearchPage
from .repeat_request_search_request import RepeatRequestSearchRequest
from .repeat_request_status_update import RepeatRequestStatusUpdate
from .repeat_request_update import RepeatRequestUpdate
from .repeat_request_update_properties import RepeatRequestUpdateProperties
from .repetition_properties import RepetitionProperties
from .request_search_query import RequestSearchQuery
from .request_status import RequestStatus
from .search_context import SearchContext
from .search_query import SearchQuery
from .search_request import SearchRequest
from .search_response import SearchResponse
from .sort_by import SortBy
from .sort_direction import SortDirection
from .squint_mode import SquintMode
from .stac_item import StacItem
from .stac_item_assets import StacItemAssets
from .stac_item_properties import StacItemProperties
from .status_action import StatusAction
from .status_event import StatusEvent
from .status_update_result import StatusUpdateResult
from .string_error_envelope import StringErrorEnvelope
from .tasking_request import TaskingRequest
from .tasking_request_create import TaskingRequestCreate
from .tasking_request_create_properties import TaskingRequestCreateProperties
from .tasking_request_order import TaskingRequestOrder
from .tasking_request_properties import TaskingRequestProperties
from .tasking_request_search_page import TaskingRequestSearchPage
from .tasking_request_search_request import TaskingRequestSearchRequest
from .tasking_request_status_update import TaskingRequestStatusUpdate
from .tasking_request_update import TaskingRequestUpdate
from .tasking_request_update_properties import TaskingRequestUpdateProperties
from .user import User
from .user_organization import UserOrganization

__all__ = (
    "ApiError",
    "ArchiveHoldback",
    "Asset",
    "AuthorizationDenialReason",
    "Collect",
    "CollectAccessProperties",
    "CollectConstraints",
    "CollectionTier",
    "CollectionType",
    "CollectionTypeInfo",
    "CollectProperties",
    "CollectStatus",
    "CollectStatusEvent",
    "ErrorCode",
    "ErrorEnvelope",
    "GatewayMessage",
    "InsarOrbit",
    "InsarSettings",
    "InstrumentMode",
    "LineString",
    "Link",
    "LocalTimeOption",
    "LookDirection",
    "MultiPolygon",
    "OrbitState",
    "Order",
    "OrderDetails",
    "OrderItem",
    "OrderLineItem",
    "OrderLineItemPrice",
    "OrderRequest",
    "OrderRequestItem",
    "OrderReview",
    "OrderStatus",
    "OrderSummary",
    "OwnershipOption",
    "Point",
    "Polarization",
    "Polygon",
    "ProcessingConfig",
    "ProductType",
    "QueryOperators",
    "RepeatCollectionTier",
    "RepeatRequest",
    "RepeatRequestCreate",
    "RepeatRequestCreateProperties",
    "RepeatRequestProperties",
    "RepeatRequestSearchPage",
    "RepeatRequestSearchRequest",
    "RepeatRequestStatusUpdate",
    "RepeatRequestUpdate",
    "RepeatRequestUpdateProperties",
    "RepetitionProperties",
    "RequestSearchQuery",
    "RequestStatus",
    "SearchContext",
    "SearchQuery",
    "SearchRequest",
    "SearchResponse",
    "SortBy",
    "SortDirection",
    "SquintMode",
    "StacItem",
    "StacItemAssets",
    "StacItemProperties",
    "StatusAction",
    "StatusEvent",
    "StatusUpdateResult",
    "StringErrorEnvelope",
    "TaskingRequest",
    "TaskingRequestCreate",
    "TaskingRequestCreateProperties",
    "TaskingRequestOrder",
    "TaskingRequestProperties",
    "TaskingRequestSearchPage",
    "TaskingRequestSearchRequest",
    "TaskingRequestStatusUpdate",
    "TaskingRequestUpdate",
    "TaskingRequestUpdateProperties",
    "User",
    "UserOrganization",
)
