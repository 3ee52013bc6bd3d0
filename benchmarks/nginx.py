"""Benchmark helpers: install the tools, run nginx with its own config on a free port, time things.

Used by ``download_bench.py``. Nothing here is part of the package.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

TOOLS = {"nginx": "nginx", "curl": "curl", "aria2c": "aria2"}


def ensure_tools() -> None:
    """Install nginx, curl and aria2 with apt when one of them is missing."""
    missing = [pkg for exe, pkg in TOOLS.items() if shutil.which(exe) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        raise SystemExit(f"missing {', '.join(missing)} and no apt-get to install them")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"installing {', '.join(missing)} with apt-get ...", flush=True)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *TOOLS.values()], check=True, env=env)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_file(path: Path, size: int) -> Path:
    """Create ``path`` with ``size`` bytes of incompressible data (fast: one random MiB, tiled)."""
    block = os.urandom(1 << 20)
    with path.open("wb") as f:
        left = size
        while left:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
    path.chmod(0o644)
    return path


_CONFIG = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location /fast/ {{ alias {root}/; }}
        location /slow/ {{ alias {root}/; limit_rate {rate}; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(root: Path, *, rate: str = "32m") -> Iterator[str]:
    """Serve ``root`` at ``<url>/fast/`` (unthrottled) and ``<url>/slow/`` (``limit_rate``)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    root.chmod(0o755)
    port = free_port()
    # nginx drops its workers to "nobody" when started as root; let them read the temp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(_CONFIG.format(tmp=tmp, port=port, root=root, rate=rate, user=user))
    proc = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(url + "/fast/", timeout=1):
                    pass
            except urllib.error.HTTPError:
                break  # 403/404 for the directory: the server answers
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise RuntimeError(f"nginx did not start: {err}") from None
                time.sleep(0.05)
            else:
                break
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def drop_file(path: Path) -> None:
    """Remove a file if present (between runs)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
