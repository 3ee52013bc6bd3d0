"""The README's main job: the seed's main flow against a local sandbox.

Starts the sandbox, then with the real client: search the catalog, review and submit an order,
download the products with progress bars, and show what was downloaded (or reused from an
earlier run). Stops the sandbox.

    python -m capella.demo [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path

from rich.console import Console
from rich.table import Table

from capella import CapellaConsoleClient
from capella.interop import install_hint

# West, south, east, north: the park (123.2-124.7 W, 47.5-48.2 N) with a margin.
OLYMPIC_NP_BBOX = [-124.9, 46.9, -122.4, 48.5]


def describe(path: Path) -> str:
    """Say in a few words what a downloaded file holds."""
    head = path.read_bytes()[:64] if path.stat().st_size else b""
    if path.suffix == ".json":
        meta = json.loads(path.read_text())
        collect = meta.get("collect", {})
        return (
            f"metadata JSON: {meta.get('product_type', '?')} {collect.get('mode', '')}, "
            f"{collect.get('platform', '?')}, {str(collect.get('start_timestamp', ''))[:10]}"
        )
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = struct.unpack(">II", head[16:24])
        return f"PNG thumbnail {width}x{height}"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "GeoTIFF raster"
    if head.startswith(b"NITF"):
        return "NITF (SICD/SIDD) raster"
    return "binary asset"


def counts_line(counts: Mapping[Hashable, int]) -> str:
    """``{"capella-13": 5, "capella-14": 9}`` as ``capella-13 5, capella-14 9``, most first."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return ", ".join(f"{key} {count}" for key, count in ranked)


def snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    """Size and modification time of every file under ``folder``."""
    if not folder.is_dir():
        return {}
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def reused(paths: Iterable[Path], before: Mapping[Path, tuple[int, int]]) -> list[Path]:
    """The files the download left untouched: they were complete from an earlier run."""
    found = []
    for path in paths:
        stat = path.stat()
        if before.get(path) == (stat.st_size, stat.st_mtime_ns):
            found.append(path)
    return found


def run(out: Path, console: Console) -> None:
    """Run search → review → order → download against a fresh sandbox."""
    try:
        from capella.sandbox import DEMO_API_KEY, Sandbox
    except ImportError:  # pragma: no cover - the extra is missing
        sys.exit(f"the demo needs the sandbox extra: {install_hint('sandbox')}")

    console.rule("[bold]capella demo: search → order → download")
    with Sandbox() as sandbox:
        console.print(f"sandbox  [cyan]{sandbox.url}[/]  (demo API key {DEMO_API_KEY})")
        with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as client:
            user = client.whoami()
            console.print(f"authenticated as [green]{user['email']}[/]")

            results = client.search(
                constellation="capella",
                instrument_mode="spotlight",
                bbox=OLYMPIC_NP_BBOX,
                product_type="GEO",
                sortby="-datetime",
            )
            console.print(
                f"\n[bold]1. search[/]: {len(results)} spotlight GEO items over Olympic "
                "National Park"
            )
            console.print(
                f"   by platform: {counts_line(results.groupby('platform').value_counts())}"
            )
            chosen = results[:2]
            for item in chosen:
                when = str(item["properties"]["datetime"])[:19].replace("T", " ")
                console.print(f"   {item['id']}  {when}")

            review = client.review_order(items=chosen)
            console.print(
                f"\n[bold]2. review[/]: authorized={review['authorized']}, "
                f"total {review['orderDetails']['summary']['total']}"
            )
            order_id = client.submit_order(items=chosen)
            console.print(f"[bold]3. order[/]: {order_id}")

            console.print("\n[bold]4. download[/]")
            before = snapshot(out)
            paths = client.download_products(order_id=order_id, local_dir=out, show_progress=True)

    files = [Path(p) for assets in paths.values() for p in assets.values()]
    kept = reused(files, before)
    if kept:
        # The downloader skips complete files without a request; say so, or a second run
        # looks as if it downloaded nothing.
        console.print(
            f"   reused {len(kept)} of {len(files)} files from an earlier run in {out}/\n"
            "   (delete that folder to download them again)"
        )
    console.print(f"\n[bold]5. downloaded[/] into {out.resolve()}")
    for stac_id, assets in paths.items():
        table = Table(title=stac_id, title_justify="left", show_edge=False, pad_edge=False)
        for column in ("asset", "bytes", "content"):
            table.add_column(column, justify="right" if column == "bytes" else "left")
        for asset, path in assets.items():
            file = Path(path)
            table.add_row(asset, f"{file.stat().st_size:,}", describe(file))
        console.print(table)
    console.print("sandbox stopped; run [bold]make test[/] for the test suite.")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the demo."""
    parser = argparse.ArgumentParser(prog="python -m capella.demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-output"), help="download folder")
    args = parser.parse_args(argv)
    run(args.out, Console(stderr=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
