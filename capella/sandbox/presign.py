"""Presigned asset URLs: where each asset file lives on the asset host, and its HMAC signature."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import quote, unquote

from capella.sandbox.assets import AssetFile, asset_by_filename, asset_files
from capella.sandbox.formats import parse_time
from capella.sandbox.json_types import Json

__all__ = ["AssetUrls"]


class AssetUrls:
    """Signs asset paths with one server's secret, and finds the file behind a signed path."""

    def __init__(self, secret: bytes, raster_size: int, item: Callable[[str], Json | None]) -> None:
        self.secret = secret
        self._raster_size = raster_size
        self._item = item

    def sign(self, path: str, expires: int) -> str:
        """The presigned URL signature of `path` valid until `expires` (epoch seconds)."""
        message = f"{path}\n{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def signature_ok(self, path: str, expires: int, signature: str) -> bool:
        """Whether `signature` is the one this server issued for `path` and `expires`."""
        return hmac.compare_digest(self.sign(path, expires), signature)

    def asset_path(self, item: Json, filename: str) -> str:
        """The asset host path of one of `item`'s files."""
        moment = parse_time(item.get("properties", {}).get("datetime")) or datetime(1970, 1, 1)
        return (
            f"/assets/{quote(str(item.get('collection')), safe='')}/{moment.year}/{moment.month}/"
            f"{moment.day}/{quote(str(item['id']), safe='')}/{quote(filename, safe='')}"
        )

    def presigned_item(self, item: Json, base_url: str, expires: int) -> Json:
        """A copy of `item` whose downloadable assets carry presigned hrefs."""
        files = asset_files(item, self._raster_size)
        assets = {}
        for key, asset in (item.get("assets") or {}).items():
            asset = dict(asset)
            file = files.get(key)
            if file is None:
                pass
            elif key == "license":
                asset["href"] = base_url + self.asset_path(item, file.filename)  # public
            else:
                path = self.asset_path(item, file.filename)
                # Signed as the server will see it: the decoded path.
                signature = self.sign(unquote(path), expires)
                asset["href"] = f"{base_url}{path}?Expires={expires}&Signature={signature}"
            assets[key] = asset
        return {**item, "assets": assets}

    def resolve(self, parts: Sequence[str]) -> tuple[Json, AssetFile] | None:
        """The item and asset file behind `collection/Y/M/D/STAC_ID/filename`, or None."""
        if len(parts) != 6:
            return None
        collection, year, month, day, stac_id, filename = parts
        item = self._item(stac_id)
        if item is None or item.get("collection") != collection:
            return None
        moment = parse_time(item.get("properties", {}).get("datetime"))
        if moment is None or [year, month, day] != [
            str(moment.year),
            str(moment.month),
            str(moment.day),
        ]:
            return None
        file = asset_by_filename(item, filename, self._raster_size)
        return None if file is None else (item, file)
