"""Generate the low-level client from spec/openapi.yaml: ``python scripts/generate.py OUTPUT_DIR``.

A thin wrapper around openapi-python-client (pinned to 0.29.1 in pyproject.toml) that

- treats ``:`` as a word break, so ``sar:product_type`` becomes ``sar_product_type`` rather than
  ``sarproduct_type`` (this patches a module constant of the generator: the drift check catches
  any change of behaviour after an upgrade);
- replaces OUTPUT_DIR as a whole (only when generation succeeds), so stale modules never survive;
- runs the generator in-process with ``--meta none --fail-on-warning --overwrite``;
- writes the ``py.typed`` marker that ``--meta none`` leaves out.

The output depends only on the spec, the config, the generator version and the ruff version.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.yaml"
CONFIG = ROOT / "generated" / "config.yml"
DELIMITERS = r"\. _:-"


def generate(output_dir: Path) -> int:
    """Regenerate the package into output_dir and return the generator's exit code."""
    from openapi_python_client import strings

    strings.DELIMITERS = DELIMITERS
    # The post hooks run `ruff` through a shell: use the one installed next to this interpreter.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")

    output_dir = output_dir.resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    # Generate beside the target and swap it in only on success, so that a broken spec never
    # leaves the previous package deleted.
    with tempfile.TemporaryDirectory(prefix=".generate-", dir=output_dir.parent) as scratch:
        fresh = Path(scratch) / output_dir.name
        code = _run_generator(fresh)
        if code != 0:
            return code
        if not (fresh / "__init__.py").is_file():
            print(f"generate.py: the generator wrote no package to {fresh}", file=sys.stderr)
            return 1
        (fresh / "py.typed").write_text("")
        if output_dir.exists():
            shutil.rmtree(output_dir)
        fresh.rename(output_dir)
    print(f"generate.py: wrote {output_dir}")
    return 0


def _run_generator(output_dir: Path) -> int:
    """Run the openapi-python-client CLI in-process and return its exit code."""
    from openapi_python_client.cli import app

    args = [
        "generate",
        "--path",
        str(SPEC),
        "--config",
        str(CONFIG),
        "--meta",
        "none",
        "--output-path",
        str(output_dir),
        "--overwrite",
        "--fail-on-warning",
    ]
    try:
        app(args=args, prog_name="openapi-python-client")
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def main(argv: list[str]) -> int:
    """Parse the command line and run the generator."""
    if len(argv) != 1:
        print("usage: python scripts/generate.py OUTPUT_DIR", file=sys.stderr)
        return 2
    return generate(Path(argv[0]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
