from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.line_string import LineString
    from ..models.link import Link
    from ..models.multi_polygon import MultiPolygon
    from ..models.point import Point
    from ..models.polygon import Polygon
    from ..models.stac_item_assets import StacItemAssets
    from ..models.stac_item_properties import StacItemProperties


T = TypeVar("T", bound="StacItem")


@_attrs_define
class StacItem:
    """A STAC item (GeoJSON Feature) as returned by catalog search and order downloads.

    Attributes:
        type_ (Literal['Feature']):
        id (str): The STAC ID, e.g. `CAPELLA_C02_SP_GEO_HH_20201109060434_20201109060437`.
        geometry (LineString | MultiPolygon | None | Point | Polygon):
        properties (StacItemProperties): Item properties. Date-times are kept as the server's strings.
        collection (str | Unset):
        stac_version (str | Unset):
        stac_extensions (list[str] | Unset):
        bbox (list[float] | Unset):
        assets (StacItemAssets | Unset): Assets by key (`HH`, `VV`, `metadata`, `preview`, `thumbnail`,
            `analytic_product`, ...).
        links (list[Link] | Unset):
    """

    type_: Literal["Feature"]
    id: str
    geometry: LineString | MultiPolygon | None | Point | Polygon
    properties: StacItemProperties
    collection: str | Unset = UNSET
    stac_version: str | Unset = UNSET
    stac_extensions: list[str] | Unset = UNSET
    bbox: list[float] | Unset = UNSET
    assets: StacItemAssets | Unset = UNSET
    links: list[Link] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.line_string import LineString  # noqa: PLC0415
        from ..models.multi_polygon import MultiPolygon  # noqa: PLC0415
        from ..models.point import Point  # noqa: PLC0415
        from ..models.polygon import Polygon  # noqa: PLC0415

        type_ = self.type_

        id = self.id

        geometry: dict[str, Any] | None
        if isinstance(self.geometry, Polygon):
            geometry = self.geometry.to_dict()
        elif isinstance(self.geometry, Point):
            geometry = self.geometry.to_dict()
        elif isinstance(self.geometry, MultiPolygon):
            geometry = self.geometry.to_dict()
        elif isinstance(self.geometry, LineString):
            geometry = self.geometry.to_dict()
        else:
            geometry = self.geometry

        properties = self.properties.to_dict()

        collection = self.collection

        stac_version = self.stac_version

        stac_extensions: list[str] | Unset = UNSET
        if not isinstance(self.stac_extensions, Unset):
            stac_extensions = self.stac_extensions

        bbox: list[float] | Unset = UNSET
        if not isinstance(self.bbox, Unset):
            bbox = self.bbox

        assets: dict[str, Any] | Unset = UNSET
        if not isinstance(self.assets, Unset):
            assets = self.assets.to_dict()

        links: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = []
            for links_item_data in self.links:
                links_item = links_item_data.to_dict()
                links.append(links_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "id": id,
                "geometry": geometry,
                "properties": properties,
            }
        )
        if collection is not UNSET:
            field_dict["collection"] = collection
        if stac_version is not UNSET:
            field_dict["stac_version"] = stac_version
        if stac_extensions is not UNSET:
            field_dict["stac_extensions"] = stac_extensions
        if bbox is not UNSET:
            field_dict["bbox"] = bbox
        if assets is not UNSET:
            field_dict["assets"] = assets
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.line_string import LineString  # noqa: PLC0415
        from ..models.link import Link  # noqa: PLC0415
        from ..models.multi_polygon import MultiPolygon  # noqa: PLC0415
        from ..models.point import Point  # noqa: PLC0415
        from ..models.polygon import Polygon  # noqa: PLC0415
        from ..models.stac_item_assets import StacItemAssets  # noqa: PLC0415
        from ..models.stac_item_properties import StacItemProperties  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["Feature"], d.pop("type"))
        if type_ != "Feature":
            raise ValueError(f"type must match const 'Feature', got '{type_}'")

        id = d.pop("id")

        def _parse_geometry(data: object) -> LineString | MultiPolygon | None | Point | Polygon:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                geometry_type_0 = Polygon.from_dict(data)

                return geometry_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                geometry_type_1 = Point.from_dict(data)

                return geometry_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                geometry_type_2 = MultiPolygon.from_dict(data)

                return geometry_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                geometry_type_3 = LineString.from_dict(data)

                return geometry_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LineString | MultiPolygon | None | Point | Polygon, data)

        geometry = _parse_geometry(d.pop("geometry"))

        properties = StacItemProperties.from_dict(d.pop("properties"))

        collection = d.pop("collection", UNSET)

        stac_version = d.pop("stac_version", UNSET)

        stac_extensions = cast(list[str], d.pop("stac_extensions", UNSET))

        bbox = cast(list[float], d.pop("bbox", UNSET))

        _assets = d.pop("assets", UNSET)
        assets: StacItemAssets | Unset
        if isinstance(_assets, Unset):
            assets = UNSET
        else:
            assets = StacItemAssets.from_dict(_assets)

        _links = d.pop("links", UNSET)
        links: list[Link] | Unset = UNSET
        if _links is not UNSET:
            links = []
            for links_item_data in _links:
                links_item = Link.from_dict(links_item_data)

                links.append(links_item)

        stac_item = cls(
            type_=type_,
            id=id,
            geometry=geometry,
            properties=properties,
            collection=collection,
            stac_version=stac_version,
            stac_extensions=stac_extensions,
            bbox=bbox,
            assets=assets,
            links=links,
        )

        stac_item.additional_properties = d
        return stac_item

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
