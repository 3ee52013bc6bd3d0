"""The README's main job: the seed's main flow against a local sandbox.

Starts the sandbox, then with the real client: search the catalog, review and submit an order,
download the products with progress bars, and show what was downloaded. Stops the sandbox.

    python -m capella.demo [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from capella import CapellaConsoleClient
from capella.interop import install_hint

OLYMPIC_NP_BBOX = [-122.4, 46.9, -124.9, 48.5]


def describe(path: Path) -> str:
    """Say in a few words what a downloaded file holds."""
    head = path.read_bytes()[:64] if path.stat().st_size else b""
    if path.suffix == ".json":
        meta = json.loads(path.read_text())
        collect = meta.get("collect", {})
        return (
            f"metadata JSON: {meta.get('product_type', '?')} {collect.get('mode', '')} "
            f"from {collect.get('platform', '?')}, {str(collect.get('start_timestamp', ''))[:10]}"
        )
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = struct.unpack(">II", head[16:24])
        return f"PNG thumbnail {width}x{height}"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "GeoTIFF raster"
    if head.startswith(b"NITF"):
        return "NITF (SICD/SIDD) raster"
    return "binary asset"


def sha256(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(out: Path, console: Console) -> None:
    """Run search → review → order → download against a fresh sandbox."""
    try:
        from capella.sandbox import DEMO_API_KEY, Sandbox
    except ImportError:  # pragma: no cover - the extra is missing
        sys.exit(f"the demo needs the sandbox extra: {install_hint('sandbox')}")

    console.rule("[bold]capella demo: search → order → download against the local sandbox")
    with Sandbox() as sandbox:
        console.print(f"sandbox serving on [cyan]{sandbox.url}[/] (demo API key {DEMO_API_KEY})")
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
                f"\n[bold]1. search[/]: {len(results)} spotlight GEO items over Olympic National "
                f"Park; by platform: {results.groupby('platform').value_counts()}"
            )
            chosen = results[:2]
            for item in chosen:
                console.print(f"   {item['id']}  {item['properties']['datetime']}")

            review = client.review_order(items=chosen)
            console.print(
                f"\n[bold]2. review[/]: authorized={review['authorized']}, "
                f"total {review['orderDetails']['summary']['total']}"
            )
            order_id = client.submit_order(items=chosen)
            console.print(f"[bold]3. order[/]: {order_id}")

            console.print("\n[bold]4. download[/]")
            paths = client.download_products(order_id=order_id, local_dir=out, show_progress=True)

    console.print(f"\n[bold]5. downloaded[/] into {out.resolve()}")
    for stac_id, assets in paths.items():
        table = Table(title=stac_id, title_justify="left", show_edge=False, pad_edge=False)
        for column in ("asset", "bytes", "content", "sha256"):
            table.add_column(column, justify="right" if column == "bytes" else "left")
        for asset, path in assets.items():
            file = Path(path)
            size = f"{file.stat().st_size:,}"
            table.add_row(asset, size, describe(file), sha256(file)[:16])
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
