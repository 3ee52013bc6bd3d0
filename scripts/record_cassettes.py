"""Re-record the contract-test cassettes.

Against the local sandbox by default. With CAPELLA_API_URL and CAPELLA_API_KEY set, against
that API instead (for example production with a real key):

    CAPELLA_API_URL=https://api.capellaspace.com CAPELLA_API_KEY=... make cassettes
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack


def main() -> int:
    """Start the sandbox unless an API is given, then run the contract tests in rewrite mode."""
    env = dict(os.environ)
    with ExitStack() as stack:
        if not env.get("CAPELLA_API_URL"):
            from capella.sandbox import DEMO_API_KEY, Sandbox

            sandbox = stack.enter_context(Sandbox())
            env["CAPELLA_API_URL"] = sandbox.url
            env["CAPELLA_API_KEY"] = DEMO_API_KEY
            print(f"recording against the sandbox at {sandbox.url}", file=sys.stderr)
        elif not env.get("CAPELLA_API_KEY"):
            print("CAPELLA_API_URL is set: set CAPELLA_API_KEY too", file=sys.stderr)
            return 2
        command = [sys.executable, "-m", "pytest", "tests/contract", "--record-mode=rewrite", "-q"]
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
