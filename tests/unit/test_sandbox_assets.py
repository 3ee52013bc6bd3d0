"""The sandbox's asset files: names, sizes, deterministic range reads and real documents."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import struct
import time
import zlib
from typing import Any

import attrs
import pytest

from capella.sandbox.assets import (
    CHUNK_SIZE,
    AssetFile,
    asset_by_filename,
    asset_bytes,
    asset_files,
    asset_size,
    content_sha256,
    read_range,
)
from capella.sandbox.catalog import Catalog

RASTER = 3 * CHUNK_SIZE + 12_345  # crosses several chunk boundaries, ends mid-chunk


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(seed=5, size=400)


def of_product(catalog: Catalog, product: str) -> dict[str, Any]:
    return next(i for i in catalog.items if i["properties"]["sar:product_type"] == product)


def whole(item: dict[str, Any], key: str, raster_size: int) -> bytes:
    return b"".join(read_range(item, key, raster_size, 0, asset_size(item, key, raster_size)))


def raster_key(item: dict[str, Any]) -> str:
    return str(item["properties"]["sar:polarizations"][0])


# ----------------------------------------------------------------------------- names, sizes


def test_asset_files_name_every_asset_of_the_item(catalog: Catalog) -> None:
    for item in catalog.items:
        files = asset_files(item, RASTER)
        assert list(files) == list(item["assets"])
        for key, file in files.items():
            assert file.key == key
            assert item["assets"][key]["href"].endswith("/" + file.filename)
            assert file.media_type == item["assets"][key]["type"]


def test_filenames_follow_the_capella_layout(catalog: Catalog) -> None:
    geo = of_product(catalog, "GEO")
    stac_id = geo["id"]
    files = asset_files(geo, RASTER)
    assert files[raster_key(geo)].filename == f"{stac_id}.tif"
    assert files["metadata"].filename == f"{stac_id}_extended.json"
    assert files["preview"].filename == f"{stac_id}_preview.tif"
    assert files["thumbnail"].filename == f"{stac_id}_thumb.png"
    assert files["license"].filename == "LICENSE.txt"
    sicd = of_product(catalog, "SICD")
    assert asset_files(sicd, RASTER)[raster_key(sicd)].filename == f"{sicd['id']}.ntf"
    cphd = of_product(catalog, "CPHD")
    assert asset_files(cphd, RASTER)[raster_key(cphd)].filename == f"{cphd['id']}.cphd"
    vs = asset_files(of_product(catalog, "VS"), RASTER)
    assert {"analytic_product", "landmask", "metadata", "thumbnail", "license"} == set(vs)
    acd = asset_files(of_product(catalog, "ACD"), RASTER)
    assert acd["changemap"].size == RASTER


def test_sizes_raster_configurable_preview_smaller_documents_real(catalog: Catalog) -> None:
    item = of_product(catalog, "GEO")
    files = asset_files(item, RASTER)
    assert files[raster_key(item)].size == RASTER
    assert asset_files(item, 1 << 30)[raster_key(item)].size == 1 << 30
    assert 0 < files["preview"].size < RASTER
    for other in catalog.items[::25]:  # spotlight and stripmap thumbnails differ in shape
        other_files = asset_files(other, RASTER)
        for key in ("metadata", "thumbnail", "license"):
            assert other_files[key].size == len(asset_bytes(other, key))
            assert other_files[key].size == asset_size(other, key, RASTER)


def test_asset_file_is_frozen_with_etag_and_http_date(catalog: Catalog) -> None:
    item = catalog.items[0]
    file = next(iter(asset_files(item, RASTER).values()))
    assert isinstance(file, AssetFile)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        file.size = 1  # type: ignore[misc]
    assert file.etag.startswith('"') and file.etag.endswith('"')
    assert file.last_modified.tzinfo is not None
    assert file.last_modified_http.endswith(" GMT")
    assert asset_files(item, RASTER) == asset_files(item, RASTER)


def test_asset_by_filename_finds_the_file(catalog: Catalog) -> None:
    item = of_product(catalog, "GEO")
    found = asset_by_filename(item, f"{item['id']}_thumb.png", RASTER)
    assert found is not None and found.key == "thumbnail"
    assert asset_by_filename(item, "nope.tif", RASTER) is None


# ----------------------------------------------------------------------------- range reads


def test_any_range_equals_the_slice_of_the_whole_content(catalog: Catalog) -> None:
    item = of_product(catalog, "GEO")
    key = raster_key(item)
    content = whole(item, key, RASTER)
    assert len(content) == RASTER
    rng = random.Random(0)
    edges = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, RASTER - 1, RASTER]
    spans = [(a, b) for a in edges for b in edges if a <= b]
    spans += [
        tuple(sorted((rng.randrange(RASTER + 1), rng.randrange(RASTER + 1)))) for _ in range(40)
    ]
    for start, end in spans:
        pieces = list(read_range(item, key, RASTER, start, end))
        assert b"".join(pieces) == content[start:end], (start, end)
        assert all(0 < len(p) <= CHUNK_SIZE for p in pieces)


def test_chunks_are_cut_at_mib_boundaries(catalog: Catalog) -> None:
    item = of_product(catalog, "SLC")
    key = raster_key(item)
    pieces = list(read_range(item, key, RASTER, 10, RASTER))
    assert [len(p) for p in pieces] == [CHUNK_SIZE - 10, CHUNK_SIZE, CHUNK_SIZE, 12_345]
    # chunks are rotations of one block, not copies of it
    assert pieces[1] != pieces[2]


def test_small_documents_are_range_readable_too(catalog: Catalog) -> None:
    item = of_product(catalog, "GEO")
    document = asset_bytes(item, "metadata")
    assert b"".join(read_range(item, "metadata", RASTER, 5, 50)) == document[5:50]
    assert b"".join(read_range(item, "metadata", RASTER, 0, 10**9)) == document


def test_range_edge_cases(catalog: Catalog) -> None:
    item = of_product(catalog, "GEO")
    key = raster_key(item)
    assert list(read_range(item, key, RASTER, 7, 7)) == []
    assert (
        b"".join(read_range(item, key, RASTER, RASTER - 3, RASTER + 100))
        == whole(item, key, RASTER)[-3:]
    )
    with pytest.raises(ValueError):
        list(read_range(item, key, RASTER, -1, 5))
    with pytest.raises(ValueError):
        list(read_range(item, key, RASTER, 9, 5))
    with pytest.raises(KeyError):
        list(read_range(item, "changemap", RASTER, 0, 5))


def test_content_is_deterministic_and_differs_by_item_and_key(catalog: Catalog) -> None:
    geo, slc = of_product(catalog, "GEO"), of_product(catalog, "SLC")
    first = whole(geo, raster_key(geo), RASTER)
    again = whole(dict(geo), raster_key(geo), RASTER)
    assert first == again
    assert first != whole(slc, raster_key(slc), RASTER)
    assert first[:CHUNK_SIZE] != whole(geo, "preview", RASTER)[:CHUNK_SIZE]
    rebuilt = Catalog(seed=5, size=400).get(geo["id"])
    assert rebuilt is not None
    assert asset_bytes(rebuilt, "metadata") == asset_bytes(geo, "metadata")


def test_binary_assets_start_with_their_format_magic(catalog: Catalog) -> None:
    geo, sicd, cphd = (of_product(catalog, p) for p in ("GEO", "SICD", "CPHD"))
    assert b"".join(read_range(geo, raster_key(geo), RASTER, 0, 4)) == b"II*\x00"
    assert b"".join(read_range(geo, "preview", RASTER, 0, 4)) == b"II*\x00"
    assert b"".join(read_range(sicd, raster_key(sicd), RASTER, 0, 9)) == b"NITF02.10"
    assert b"".join(read_range(cphd, raster_key(cphd), RASTER, 0, 4)) == b"CPHD"


def test_content_sha256_matches_the_downloaded_bytes(catalog: Catalog) -> None:
    item = of_product(catalog, "GEC")
    for key in item["assets"]:
        expected = hashlib.sha256(whole(item, key, RASTER)).hexdigest()
        assert content_sha256(item, key, RASTER) == expected


def test_generation_streams_fast(catalog: Catalog) -> None:
    item = of_product(catalog, "GEO")
    size = 256 * CHUNK_SIZE
    start = time.perf_counter()
    total = sum(len(p) for p in read_range(item, raster_key(item), size, 0, size))
    elapsed = time.perf_counter() - start
    assert total == size
    # >= 1 GB/s is the target (typically 10-30 GB/s); keep the bound loose for slow CI.
    assert total / elapsed > 250e6


# ----------------------------------------------------------------------------- documents


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def test_thumbnails_are_valid_grayscale_pngs(catalog: Catalog) -> None:
    for product in ("GEO", "SLC", "VS"):
        item = of_product(catalog, product)
        data = asset_bytes(item, "thumbnail")
        chunks = png_chunks(data)
        kinds = [kind for kind, _ in chunks]
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
        width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
        assert (depth, color, interlace) == (8, 0, 0)
        raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
        assert len(raw) == height * (width + 1)
        assert all(raw[y * (width + 1)] == 0 for y in range(height))  # filter type None
        assert len(set(raw)) > 50  # an image, not a flat fill


def test_metadata_is_extended_json_built_from_the_item(catalog: Catalog) -> None:
    for product in ("GEO", "SLC", "ACD"):
        item = of_product(catalog, product)
        props = item["properties"]
        doc = json.loads(asset_bytes(item, "metadata"))
        assert doc["product_type"] == product
        collect = doc["collect"]
        assert collect["collect_id"] == props["capella:collect_id"]
        assert collect["platform"] == props["platform"]
        assert collect["mode"] == props["sar:instrument_mode"]
        assert collect["start_timestamp"] == props["start_datetime"]
        assert collect["image"]["center_pixel"]["incidence_angle"] == props["view:incidence_angle"]
        assert collect["radar"]["pointing"] == props["sar:observation_direction"]
        vectors = collect["state"]["state_vectors"]
        assert len(vectors) > 10
        for vector in vectors:
            radius = sum(c * c for c in vector["position"]) ** 0.5
            speed = sum(c * c for c in vector["velocity"]) ** 0.5
            assert 6.7e6 < radius < 7.0e6  # a 525 km orbit
            assert 6.5e3 < speed < 8.0e3
        assert [v["time"] for v in vectors] == sorted(v["time"] for v in vectors)


def test_analytic_products_are_geojson_inside_the_footprint(catalog: Catalog) -> None:
    for product in ("VS", "VC"):
        item = of_product(catalog, product)
        doc = json.loads(asset_bytes(item, "analytic_product"))
        assert doc["type"] == "FeatureCollection"
        assert doc["features"]
        west, south, east, north = item["bbox"]
        for feature in doc["features"]:
            lon, lat = feature["geometry"]["coordinates"]
            assert south <= lat <= north
            if west <= east:
                assert west <= lon <= east
            if product == "VC":
                assert "vessel_class" in feature["properties"]


def test_license_text_names_the_item(catalog: Catalog) -> None:
    open_item = next(i for i in catalog.items if i["collection"] == "capella-open-data")
    text = asset_bytes(open_item, "license").decode()
    assert open_item["id"] in text and "CC BY 4.0" in text
    other = next(i for i in catalog.items if i["collection"] == "capella-geo")
    assert "End User License Agreement" in asset_bytes(other, "license").decode()


def test_asset_bytes_refuses_binary_assets(catalog: Catalog) -> None:
    item = of_product(catalog, "GEO")
    with pytest.raises(ValueError):
        asset_bytes(item, raster_key(item))


# ----------------------------------------------------------------------------- GeoTIFFs


def tiff_tags(data: bytes) -> dict[int, tuple[Any, ...]]:
    """The tags of a little-endian classic TIFF's first IFD, values decoded."""
    assert data[:4] == b"II*\x00"
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    codes = {2: "s", 3: "H", 4: "I", 12: "d"}
    sizes = {2: 1, 3: 2, 4: 4, 12: 8}
    tags: dict[int, tuple[Any, ...]] = {}
    for n in range(count):
        tag, kind, number = struct.unpack_from("<HHI", data, ifd + 2 + 12 * n)
        at = ifd + 2 + 12 * n + 8
        if sizes[kind] * number > 4:
            (at,) = struct.unpack_from("<I", data, at)
        fmt = f"<{number}s" if kind == 2 else f"<{number}{codes[kind]}"
        tags[tag] = struct.unpack_from(fmt, data, at)
    return tags


@pytest.mark.parametrize("product", ["GEO", "GEC"])
def test_geo_and_gec_rasters_are_real_geotiffs_of_the_bbox(catalog: Catalog, product: str) -> None:
    item = of_product(catalog, product)
    for key, (width, height, bits) in (
        (raster_key(item), (256, 256, 16)),
        ("preview", (128, 128, 8)),
    ):
        data = whole(item, key, RASTER)
        tags = tiff_tags(data)
        assert (tags[256], tags[257], tags[258]) == ((width,), (height,), (bits,))
        assert tags[259] == (1,) and tags[277] == (1,)  # uncompressed, one band
        (offset,), (count,) = tags[273], tags[279]
        assert count == width * height * bits // 8 and offset + count <= len(data)
        west, south, east, north = item["bbox"]
        east += 360.0 if west > east else 0.0  # across the antimeridian, east runs past 180
        scale_x, scale_y, _ = tags[33550]
        assert tags[33922] == (0.0, 0.0, 0.0, west, north, 0.0)
        assert scale_x * width == pytest.approx(east - west)
        assert scale_y * height == pytest.approx(north - south)
        geokeys = tags[34735]
        assert (2048, 0, 1, 4326) in zip(*(iter(geokeys[4:]),) * 4, strict=True)
        assert tags[270][0].rstrip(b"\x00").decode() == item["id"]


def test_geotiffs_open_with_rasterio(catalog: Catalog) -> None:
    rasterio = pytest.importorskip("rasterio")
    from rasterio.io import MemoryFile

    item = of_product(catalog, "GEC")
    with MemoryFile(whole(item, raster_key(item), RASTER)) as memory, memory.open() as src:
        assert src.crs.to_epsg() == 4326
        assert src.shape == (256, 256) and src.count == 1 and src.dtypes == ("uint16",)
        assert tuple(src.bounds) == pytest.approx(tuple(item["bbox"]))
        pixels = src.read(1)
        assert len(set(pixels.flatten().tolist())) > 1000  # an image, not a flat fill
        window = src.read(1, window=rasterio.windows.Window(10, 20, 5, 7))
        assert (window == pixels[20:27, 10:15]).all()


def test_geotiffs_across_the_antimeridian_extend_past_180(catalog: Catalog) -> None:
    rasterio = pytest.importorskip("rasterio")
    from rasterio.io import MemoryFile

    item = next(
        i
        for i in catalog.items
        if i["properties"]["sar:product_type"] == "GEO" and i["bbox"][0] > i["bbox"][2]
    )
    west, south, east, north = item["bbox"]
    with MemoryFile(whole(item, raster_key(item), RASTER)) as memory, memory.open() as src:
        assert tuple(src.bounds) == pytest.approx((west, south, east + 360.0, north))
        assert rasterio.crs.CRS.from_epsg(4326) == src.crs


def test_geotiff_pixels_are_deterministic_per_item(catalog: Catalog) -> None:
    geo, gec = of_product(catalog, "GEO"), of_product(catalog, "GEC")
    size = 4096  # smaller than the GeoTIFF: the file is exactly the GeoTIFF
    first = whole(geo, raster_key(geo), size)
    assert first == whole(copy.deepcopy(geo), raster_key(geo), size)
    assert first[-1000:] != whole(gec, raster_key(gec), size)[-1000:]
    assert first != whole(geo, "preview", size)


def test_geotiff_size_is_the_configured_one_unless_the_geotiff_is_bigger(
    catalog: Catalog,
) -> None:
    item = of_product(catalog, "GEO")
    key = raster_key(item)
    tiny = whole(item, key, 4096)
    (offset,), (count,) = tiff_tags(tiny)[273], tiff_tags(tiny)[279]
    assert len(tiny) == offset + count  # exactly the GeoTIFF
    for raster_size in (4096, 262_144, RASTER):
        files = asset_files(item, raster_size)
        expected = max(raster_size, len(tiny))
        assert files[key].size == asset_size(item, key, raster_size) == expected
        content = whole(item, key, raster_size)
        assert len(content) == expected
        assert content[: len(tiny)] == tiny  # the GeoTIFF first, unused padding after it
        assert content_sha256(item, key, raster_size) == hashlib.sha256(content).hexdigest()
        assert files["preview"].size >= len(whole(item, "preview", 1))


def test_geotiff_range_reads_match_the_whole_content(catalog: Catalog) -> None:
    item = of_product(catalog, "GEC")
    key = raster_key(item)
    content = whole(item, key, RASTER)
    tiff_end = len(whole(item, key, 1))
    edges = [0, 1, 100, tiff_end - 1, tiff_end, tiff_end + 1, CHUNK_SIZE, RASTER - 1, RASTER]
    for start in edges:
        for end in edges:
            if start <= end:
                pieces = list(read_range(item, key, RASTER, start, end))
                assert b"".join(pieces) == content[start:end], (start, end)
                assert all(0 < len(p) <= CHUNK_SIZE for p in pieces)


def test_other_products_rasters_are_unchanged_noise(catalog: Catalog) -> None:
    for product in ("SLC", "SICD", "CPHD", "ACD"):
        item = of_product(catalog, product)
        key = next(iter(item["assets"]))
        assert asset_size(item, key, 4096) == 4096
        if product in ("SLC", "ACD"):
            assert "preview" in item["assets"]
            assert asset_size(item, "preview", 4096) == 512
