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


def test_a_second_run_says_it_reused_the_first_runs_files_and_reads_well_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    assert demo.main([]) == 0
    first = capsys.readouterr().out
    assert "reused" not in first
    assert demo.main([]) == 0
    second = capsys.readouterr().out
    assert "   reused 8 of 8 files from an earlier run in demo-output/\n" in second
    for out in (first, second):
        lines = out.splitlines()
        assert all(len(line) <= 80 for line in lines)
        # Whole lines, not wrapped ones: counts per platform, the chosen items, each file.
        assert any(line.startswith("   by platform: capella-") for line in lines)
        assert "{" not in out  # no Python dict
        ids = [line.split()[0] for line in lines if line.startswith("   CAPELLA_")]
        assert len(ids) == 2
        metadata_rows = [line for line in lines if line.startswith("metadata ")]
        assert len(metadata_rows) == 2
        assert all(line.rstrip().endswith(tuple("0123456789")) for line in metadata_rows)


def test_counts_read_as_one_line_most_first() -> None:
    assert demo.counts_line({"capella-3": 1, "capella-14": 4, "capella-2": 4}) == (
        "capella-14 4, capella-2 4, capella-3 1"
    )


def test_the_demo_box_covers_olympic_national_park_without_wrapping_the_world() -> None:
    west, south, east, north = demo.OLYMPIC_NP_BBOX
    # Park headquarters (Port Angeles) and Mount Olympus are inside; the box is narrow.
    for lon, lat in ((-123.43, 48.10), (-123.71, 47.80)):
        assert west <= lon <= east and south <= lat <= north
    assert 0 < east - west < 5


def test_describe_names_each_kind_of_file(tmp_path: Path) -> None:
    png = tmp_path / "a.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (4).to_bytes(4, "big") * 2)
    assert demo.describe(png) == "PNG thumbnail 4x4"
    tif = tmp_path / "a.tif"
    tif.write_bytes(b"II*\x00" + b"\x00" * 10)
    assert demo.describe(tif) == "GeoTIFF raster"
