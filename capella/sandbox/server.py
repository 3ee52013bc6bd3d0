"""Run the sandbox app with uvicorn in a background thread, on a socket bound to 127.0.0.1."""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import uvicorn

from capella.sandbox.app import create_app
from capella.sandbox.catalog import Catalog
from capella.sandbox.config import SandboxConfig
from capella.sandbox.faults import Fault, FaultInjector, parse_fault
from capella.sandbox.state import State

__all__ = ["PortInUseError", "Sandbox"]

HOST = "127.0.0.1"
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0


class PortInUseError(OSError):
    """Raised by `Sandbox.start` when another process already listens on the port asked for."""

    def __init__(self, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"port {port} on {HOST} is already in use")
        self.port = port


class Sandbox:
    """A running sandbox server: a context manager that serves on `.url` until it exits.

    Every keyword but `port`, `faults` and `catalog` is a :class:`SandboxConfig` field.

    `catalog` lets several sandboxes share one (immutable) catalog built with the same seed,
    size and raster size, which saves its construction time.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        faults: Iterable[Fault | str] = (),
        catalog: Catalog | None = None,
        **options: Any,
    ) -> None:
        """`options` are the fields of :class:`SandboxConfig` (``seed``, ``latency``, ...)."""
        self.config = SandboxConfig(**options)
        built = (self.config.seed, self.config.catalog_size, self.config.raster_size)
        if catalog is not None and (catalog.seed, catalog.size, catalog.raster_size) != built:
            raise ValueError("catalog was built with another seed, size or raster_size")
        self._catalog = catalog
        self.faults = FaultInjector([parse_fault(f) if isinstance(f, str) else f for f in faults])
        self._port = port
        self._state: State | None = None
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> State:
        """The server's state (orders, tasking and repeat requests, catalog, clock)."""
        if self._state is None:
            raise RuntimeError("the sandbox is not running")
        return self._state

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._socket is None:
            raise RuntimeError("the sandbox is not running")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Sandbox:
        """Bind the socket, start uvicorn in a thread and wait until it serves."""
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        # proto must say TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
        # IPPROTO_TCP, and without it every keep-alive request stalls ~40 ms (delayed ACK).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((HOST, self._port))
            sock.listen(1024)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(self._port) from exc
            raise
        try:
            # Built after the bind, so that a busy port is reported before the catalog is made.
            self._state = State(self.config, catalog=self._catalog)
        except BaseException:
            sock.close()
            raise
        self._socket = sock
        app = create_app(self.config, state=self._state, faults=self.faults)
        config = uvicorn.Config(
            app,
            lifespan="off",
            access_log=False,
            log_config=None,  # leave the process's logging configuration alone
            log_level=None,
            timeout_graceful_shutdown=2,
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"capella-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Shut the server down, join its thread and release the socket and database."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(_STOP_TIMEOUT)
            if thread.is_alive():
                server.force_exit = True
                thread.join(_STOP_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        if self._state is not None:
            self._state.close()
        self._server = self._thread = self._socket = None
        self._state = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._socket is not None else "stopped"
        return f"Sandbox({where}, seed={self.config.seed})"
