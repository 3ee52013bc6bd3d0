from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.link import Link
    from ..models.search_context import SearchContext
    from ..models.stac_item import StacItem


T = TypeVar("T", bound="SearchResponse")


@_attrs_define
class SearchResponse:
    """A page of catalog search results (GeoJSON FeatureCollection).

    Attributes:
        features (list[StacItem]):
        number_matched (int):
        type_ (Literal['FeatureCollection'] | Unset):
        number_returned (int | Unset):
        links (list[Link] | Unset):
        context (SearchContext | Unset):
    """

    features: list[StacItem]
    number_matched: int
    type_: Literal["FeatureCollection"] | Unset = UNSET
    number_returned: int | Unset = UNSET
    links: list[Link] | Unset = UNSET
    context: SearchContext | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        features = []
        for features_item_data in self.features:
            features_item = features_item_data.to_dict()
            features.append(features_item)

        number_matched = self.number_matched

        type_ = self.type_

        number_returned = self.number_returned

        links: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = []
            for links_item_data in self.links:
                links_item = links_item_data.to_dict()
                links.append(links_item)

        context: dict[str, Any] | Unset = UNSET
        if not isinstance(self.context, Unset):
            context = self.context.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "features": features,
                "numberMatched": number_matched,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if number_returned is not UNSET:
            field_dict["numberReturned"] = number_returned
        if links is not UNSET:
            field_dict["links"] = links
        if context is not UNSET:
            field_dict["context"] = context

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.link import Link  # noqa: PLC0415
        from ..models.search_context import SearchContext  # noqa: PLC0415
        from ..models.stac_item import StacItem  # noqa: PLC0415

        d = dict(src_dict)
        features = []
        _features = d.pop("features")
        for features_item_data in _features:
            features_item = StacItem.from_dict(features_item_data)

            features.append(features_item)

        number_matched = d.pop("numberMatched")

        type_ = cast(Literal["FeatureCollection"] | Unset, d.pop("type", UNSET))
        if type_ != "FeatureCollection" and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'FeatureCollection', got '{type_}'")

        number_returned = d.pop("numberReturned", UNSET)

        _links = d.pop("links", UNSET)
        links: list[Link] | Unset = UNSET
        if _links is not UNSET:
            links = []
            for links_item_data in _links:
                links_item = Link.from_dict(links_item_data)

                links.append(links_item)

        _context = d.pop("context", UNSET)
        context: SearchContext | Unset
        if isinstance(_context, Unset):
            context = UNSET
        else:
            context = SearchContext.from_dict(_context)

        search_response = cls(
            features=features,
            number_matched=number_matched,
            type_=type_,
            number_returned=number_returned,
            links=links,
            context=context,
        )

        search_response.additional_properties = d
        return search_response

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
