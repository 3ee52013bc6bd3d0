"""The README's demo runs the whole flow against its own sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from capella import demo


def test_demo_searches_orders_and_downloads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for step in ("1. search", "2. review", "3. order", "4. download", "5. downloaded"):
        assert step in out
    files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert any(name.endswith("_thumb.png") for name in files)
    assert any(name.endswith("_extended.json") for name in files)
    assert not any(name.endswith(".part") for name in files)
    assert "PNG thumbnail" in out and "metadata JSON" in out


def test_describe_names_each_kind_of_file(tmp_path: Path) -> None:
    png = tmp_path / "a.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (4).to_bytes(4, "big") * 2)
    assert demo.describe(png) == "PNG thumbnail 4x4"
    tif = tmp_path / "a.tif"
    tif.write_bytes(b"II*\x00" + b"\x00" * 10)
    assert demo.describe(tif) == "GeoTIFF raster"
