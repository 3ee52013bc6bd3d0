"""Progress bars of one download run: a bar per active file plus a total, on stderr.

Every run builds its own ``rich.progress.Progress`` on its own ``Console``: nothing is shared
between runs, so two downloads in one process (or in two threads) never touch each other's bars.
The transfer loop does not call rich: a poller thread reads the byte counters a few times a second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import attrs
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

_REFRESH_SECONDS = 0.2


@attrs.frozen
class FileProgress:
    """A snapshot of one file: name (never a URL), bytes done, total when known, state."""

    name: str
    done: int
    total: int | None
    started: bool
    finished: bool
    failed: bool


class RunProgress:
    """Bars for one run, fed by ``snapshot`` from a poller thread until ``stop``."""

    def __init__(
        self, snapshot: Callable[[], list[FileProgress]], console: Console | None = None
    ) -> None:
        self._snapshot = snapshot
        self._console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold blue]{task.description}", justify="left"),
            BarColumn(bar_width=None),
            "[progress.percentage]{task.percentage:>3.1f}%",
            "•",
            DownloadColumn(),
            "•",
            TransferSpeedColumn(),
            "•",
            TimeRemainingColumn(),
            console=self._console,
            auto_refresh=False,
            transient=False,
        )
        self._tasks: dict[int, TaskID] = {}
        self._total_task: TaskID | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Show the bars and start polling."""
        self._progress.start()
        self._total_task = self._progress.add_task("total", total=None)
        self._thread = threading.Thread(target=self._poll, name="capella-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Draw the final state and remove the live display."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        self.update()
        self._progress.stop()

    def _poll(self) -> None:
        while not self._stopping.wait(_REFRESH_SECONDS):
            self.update()

    def update(self) -> None:
        """Bring every bar up to date with one snapshot."""
        files = self._snapshot()
        done_files = 0
        done_bytes = 0
        known_total = 0
        all_known = True
        for index, file in enumerate(files):
            done_bytes += file.done
            if file.total is None:
                all_known = False
            else:
                known_total += file.total
            if file.finished:
                done_files += 1
            task = self._tasks.get(index)
            if task is None:
                if not file.started or file.finished:
                    continue
                task = self._progress.add_task(file.name, total=file.total)
                self._tasks[index] = task
            # Finished files leave the display (hundreds of bars would drown the total).
            self._progress.update(
                task,
                completed=file.done,
                total=file.total,
                visible=not file.finished,
            )
        if self._total_task is not None:
            self._progress.update(
                self._total_task,
                description=f"total ({done_files}/{len(files)} files)",
                completed=done_bytes,
                total=known_total if all_known else None,
            )
        self._progress.refresh()
