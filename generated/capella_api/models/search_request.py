from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ownership_option import OwnershipOption
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.line_string import LineString
    from ..models.multi_polygon import MultiPolygon
    from ..models.point import Point
    from ..models.polygon import Polygon
    from ..models.search_query import SearchQuery
    from ..models.sort_by import SortBy


T = TypeVar("T", bound="SearchRequest")


@_attrs_define
class SearchRequest:
    """STAC item search body as the reference SDK builds it.

    Attributes:
        bbox (list[float] | Unset): West, south, east, north (WGS84).
        intersects (LineString | MultiPolygon | Point | Polygon | Unset): A GeoJSON geometry; each variant names itself
            in `type`.
        collections (list[str] | Unset):
        ids (list[str] | Unset):
        limit (int | Unset):
        page (int | Unset):
        datetime_ (str | Unset): A STAC interval `start/end` (the reference SDK filters on `query.datetime` instead).
        query (SearchQuery | Unset): Property name (e.g. `sar:product_type`, `datetime`) to its comparisons.
        sortby (list[SortBy] | Unset):
        ownership (OwnershipOption | Unset): How the caller's organisation relates to the catalog items to return.
    """

    bbox: list[float] | Unset = UNSET
    intersects: LineString | MultiPolygon | Point | Polygon | Unset = UNSET
    collections: list[str] | Unset = UNSET
    ids: list[str] | Unset = UNSET
    limit: int | Unset = UNSET
    page: int | Unset = UNSET
    datetime_: str | Unset = UNSET
    query: SearchQuery | Unset = UNSET
    sortby: list[SortBy] | Unset = UNSET
    ownership: OwnershipOption | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.multi_polygon import MultiPolygon  # noqa: PLC0415
        from ..models.point import Point  # noqa: PLC0415
        from ..models.polygon import Polygon  # noqa: PLC0415

        bbox: list[float] | Unset = UNSET
        if not isinstance(self.bbox, Unset):
            bbox = self.bbox

        intersects: dict[str, Any] | Unset
        if isinstance(self.intersects, Unset):
            intersects = UNSET
        elif isinstance(self.intersects, Polygon):
            intersects = self.intersects.to_dict()
        elif isinstance(self.intersects, Point):
            intersects = self.intersects.to_dict()
        elif isinstance(self.intersects, MultiPolygon):
            intersects = self.intersects.to_dict()
        else:
            intersects = self.intersects.to_dict()

        collections: list[str] | Unset = UNSET
        if not isinstance(self.collections, Unset):
            collections = self.collections

        ids: list[str] | Unset = UNSET
        if not isinstance(self.ids, Unset):
            ids = self.ids

        limit = self.limit

        page = self.page

        datetime_ = self.datetime_

        query: dict[str, Any] | Unset = UNSET
        if not isinstance(self.query, Unset):
            query = self.query.to_dict()

        sortby: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sortby, Unset):
            sortby = []
            for sortby_item_data in self.sortby:
                sortby_item = sortby_item_data.to_dict()
                sortby.append(sortby_item)

        ownership: str | Unset = UNSET
        if not isinstance(self.ownership, Unset):
            ownership = self.ownership.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if bbox is not UNSET:
            field_dict["bbox"] = bbox
        if intersects is not UNSET:
            field_dict["intersects"] = intersects
        if collections is not UNSET:
            field_dict["collections"] = collections
        if ids is not UNSET:
            field_dict["ids"] = ids
        if limit is not UNSET:
            field_dict["limit"] = limit
        if page is not UNSET:
            field_dict["page"] = page
        if datetime_ is not UNSET:
            field_dict["datetime"] = datetime_
        if query is not UNSET:
            field_dict["query"] = query
        if sortby is not UNSET:
            field_dict["sortby"] = sortby
        if ownership is not UNSET:
            field_dict["ownership"] = ownership

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.line_string import LineString  # noqa: PLC0415
        from ..models.multi_polygon import MultiPolygon  # noqa: PLC0415
        from ..models.point import Point  # noqa: PLC0415
        from ..models.polygon import Polygon  # noqa: PLC0415
        from ..models.search_query import SearchQuery  # noqa: PLC0415
        from ..models.sort_by import SortBy  # noqa: PLC0415

        d = dict(src_dict)
        bbox = cast(list[float], d.pop("bbox", UNSET))

        def _parse_intersects(data: object) -> LineString | MultiPolygon | Point | Polygon | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_geometry_type_0 = Polygon.from_dict(data)

                return componentsschemas_geometry_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_geometry_type_1 = Point.from_dict(data)

                return componentsschemas_geometry_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_geometry_type_2 = MultiPolygon.from_dict(data)

                return componentsschemas_geometry_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_geometry_type_3 = LineString.from_dict(data)

            return componentsschemas_geometry_type_3

        intersects = _parse_intersects(d.pop("intersects", UNSET))

        collections = cast(list[str], d.pop("collections", UNSET))

        ids = cast(list[str], d.pop("ids", UNSET))

        limit = d.pop("limit", UNSET)

        page = d.pop("page", UNSET)

        datetime_ = d.pop("datetime", UNSET)

        _query = d.pop("query", UNSET)
        query: SearchQuery | Unset
        if isinstance(_query, Unset):
            query = UNSET
        else:
            query = SearchQuery.from_dict(_query)

        _sortby = d.pop("sortby", UNSET)
        sortby: list[SortBy] | Unset = UNSET
        if _sortby is not UNSET:
            sortby = []
            for sortby_item_data in _sortby:
                sortby_item = SortBy.from_dict(sortby_item_data)

                sortby.append(sortby_item)

        _ownership = d.pop("ownership", UNSET)
        ownership: OwnershipOption | Unset
        if isinstance(_ownership, Unset):
            ownership = UNSET
        else:
            ownership = OwnershipOption(_ownership)

        search_request = cls(
            bbox=bbox,
            intersects=intersects,
            collections=collections,
            ids=ids,
            limit=limit,
            page=page,
            datetime_=datetime_,
            query=query,
            sortby=sortby,
            ownership=ownership,
        )

        search_request.additional_properties = d
        return search_request

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
