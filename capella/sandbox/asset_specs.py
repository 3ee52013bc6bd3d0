"""Which assets a sandbox item has: their keys, file names, media types and kinds."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any, Final

import attrs

__all__ = [
    "BINARY_KINDS",
    "CHUNK_SIZE",
    "COMPLEX_PRODUCTS",
    "GEOTIFF_PRODUCTS",
    "MAGIC",
    "AssetFile",
    "AssetSpec",
    "asset_specs",
    "item_assets",
    "item_spec",
    "spec_filename",
]

CHUNK_SIZE: Final = 1 << 20
"""Size of the pseudo-random block and of the chunks `read_range` yields."""

COG_TYPE: Final = "image/tiff; application=geotiff; profile=cloud-optimized"
GEOTIFF_TYPE: Final = "image/tiff; application=geotiff"
NITF_TYPE: Final = "application/vnd.nitf"

# Product types whose main raster is complex (single look) rather than detected.
COMPLEX_PRODUCTS: Final = frozenset({"SLC", "SICD", "CPHD"})
# Product types whose data raster and preview are real GeoTIFFs (geocoded, detected).
GEOTIFF_PRODUCTS: Final = frozenset({"GEO", "GEC"})
# Asset kinds generated on the fly as noise (sized from raster_size) rather than as documents.
BINARY_KINDS: Final = frozenset({"raster", "preview", "landmask"})

# The magic bytes at the start of each binary format; the rest of the file is noise, so a
# reader will not decode it, but `file(1)` and a glance at the first bytes look right.
MAGIC: Final = {
    "tiff": b"II*\x00\x08\x00\x00\x00",
    "nitf": b"NITF02.10",
    "cphd": b"CPHD/1.0.1\n",
}


@attrs.frozen
class AssetSpec:
    """How one asset key of one product is named, typed and generated."""

    key: str
    suffix: str
    media_type: str
    title: str
    roles: tuple[str, ...]
    kind: str  # raster | preview | landmask | metadata | thumbnail | license | analytic
    fmt: str = "tiff"  # magic of binary kinds: tiff | nitf | cphd


@attrs.frozen
class AssetFile:
    """One downloadable file of an item: what an S3 HEAD/GET would report about it."""

    key: str
    filename: str
    size: int
    media_type: str
    etag: str
    last_modified: datetime

    @property
    def last_modified_http(self) -> str:
        """Return `last_modified` as an HTTP date (``Last-Modified`` header value)."""
        return format_datetime(self.last_modified, usegmt=True)


def _raster_spec(product_type: str, polarization: str) -> AssetSpec:
    """Return the data raster spec of an imagery product (key HH or VV)."""
    if product_type in {"SICD", "SIDD", "CSIDD"}:
        return AssetSpec(polarization, ".ntf", NITF_TYPE, "Data file", ("data",), "raster", "nitf")
    if product_type == "CPHD":
        return AssetSpec(
            polarization,
            ".cphd",
            "application/octet-stream",
            "Data file",
            ("data",),
            "raster",
            "cphd",
        )
    media = GEOTIFF_TYPE if product_type == "SLC" else COG_TYPE
    return AssetSpec(polarization, ".tif", media, "Data file", ("data",), "raster")


_METADATA = AssetSpec(
    "metadata", "_extended.json", "application/json", "Extended metadata", ("metadata",), "metadata"
)
_PREVIEW = AssetSpec("preview", "_preview.tif", COG_TYPE, "Preview image", ("overview",), "preview")
_THUMBNAIL = AssetSpec(
    "thumbnail", "_thumb.png", "image/png", "Thumbnail image", ("thumbnail",), "thumbnail"
)
_LICENSE = AssetSpec("license", "", "text/plain", "License", ("license",), "license")


def asset_specs(product_type: str, polarization: str) -> list[AssetSpec]:
    """Return the asset specs of a product, in the order the item lists them."""
    if product_type in {"VS", "VC"}:
        title = "Vessel detections" if product_type == "VS" else "Vessel classifications"
        specs = [
            AssetSpec(
                "analytic_product", ".geojson", "application/geo+json", title, ("data",), "analytic"
            )
        ]
        if product_type == "VS":
            specs.append(
                AssetSpec("landmask", "_landmask.tif", COG_TYPE, "Land mask", ("data",), "landmask")
            )
        return [*specs, _METADATA, _THUMBNAIL, _LICENSE]
    if product_type == "ACD":
        changemap = AssetSpec(
            "changemap", "_changemap.tif", COG_TYPE, "Change map", ("data",), "raster"
        )
        return [changemap, _METADATA, _PREVIEW, _THUMBNAIL, _LICENSE]
    return [_raster_spec(product_type, polarization), _METADATA, _PREVIEW, _THUMBNAIL, _LICENSE]


def spec_filename(stac_id: str, spec: AssetSpec) -> str:
    """Return the file name of an asset (the last segment of its URL path)."""
    return "LICENSE.txt" if spec.kind == "license" else f"{stac_id}{spec.suffix}"


def item_assets(
    stac_id: str, product_type: str, polarization: str, href_prefix: str
) -> dict[str, Any]:
    """Return the STAC ``assets`` object of a product, hrefs under ``href_prefix`` (unsigned)."""
    out: dict[str, Any] = {}
    for spec in asset_specs(product_type, polarization):
        asset: dict[str, Any] = {
            "href": f"{href_prefix}/{spec_filename(stac_id, spec)}",
            "title": spec.title,
            "type": spec.media_type,
            "roles": list(spec.roles),
        }
        if spec.key in {"HH", "VV"}:
            asset["sar:polarizations"] = [spec.key]
        out[spec.key] = asset
    return out


def item_spec(item: dict[str, Any], key: str) -> AssetSpec:
    """Return the spec of ``key`` for ``item``; KeyError when the item has no such asset."""
    props = item["properties"]
    pols = props.get("sar:polarizations") or ["HH"]
    for spec in asset_specs(props["sar:product_type"], pols[0]):
        if spec.key == key:
            return spec
    raise KeyError(f"{item['id']} has no asset {key!r}")
