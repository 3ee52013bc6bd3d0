"""What one download run shows a person and tells its caller: bars, finished rows, a summary.

Every run builds its own ``rich.progress.Progress`` on its own ``Console``: nothing is shared
between runs, so two downloads in one process (or in two threads) never touch each other's bars.
The transfer loop does not call rich: a poller thread reads the byte counters a few times a second.

The status of each file (downloaded, resumed, skipped, failed) is the download core's outcome;
this module only counts and shows it. A file whose transfer was cut by Ctrl-C is *partial*, not
failed: its part file stays and the same call resumes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs
from rich.console import Console
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn
from rich.table import Column
from rich.text import Text

from capella._redact import redact

if TYPE_CHECKING:
    from capella.download.jobs import DownloadJob, DownloadOutcome
    from capella.download.s3 import S3Job

_REFRESH_SECONDS = 0.2
_BAR_CELLS = 20  # fixed: a bar that shrinks to 2 cells at 80 columns tells nothing
_STATUSES = ("downloaded", "resumed", "skipped", "failed")
# The mark at the start of a finished row, by status.
_MARKS = {"downloaded": "✓", "resumed": "↻", "skipped": "=", "failed": "✗"}


@attrs.frozen
class FileProgress:
    """A snapshot of one file: name (never a URL), bytes done, total when known, state.

    ``outcome`` is the core's verdict once the file is finished; ``job`` says which asset it is.
    """

    name: str
    done: int
    total: int | None
    started: bool
    finished: bool
    failed: bool
    outcome: DownloadOutcome | None = None
    job: DownloadJob | S3Job | None = None

    @classmethod
    def decided(cls, outcome: DownloadOutcome) -> FileProgress:
        """A file settled before any transfer (already present, or refused)."""
        failed = outcome.status == "failed"
        return cls(
            outcome.job.path.name,
            outcome.bytes,
            outcome.bytes,
            started=True,
            finished=True,
            failed=failed,
            outcome=outcome,
            job=outcome.job,
        )


def interrupted(outcome: DownloadOutcome) -> bool:
    """True when the run's interruption (Ctrl-C) stopped the file, not a failure of its own."""
    return outcome.status == "failed" and not isinstance(outcome.error, Exception | None)


@attrs.frozen
class Summary:
    """Counts by status, bytes received over the network and the time the run took."""

    downloaded: int = 0
    resumed: int = 0
    skipped: int = 0
    failed: int = 0
    partial: int = 0
    received: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float | None:
        """Mean bytes per second received (None when nothing was received)."""
        return self.received / self.seconds if self.received and self.seconds > 0 else None

    def line(self) -> str:
        """One line for a person, e.g. ``4 files: 3 downloaded, 1 skipped; 12 MB in 2.0 s``."""
        counts = attrs.asdict(self)
        names = (*_STATUSES, "partial")
        total = sum(counts[name] for name in names)
        parts = ", ".join(f"{counts[name]} {name}" for name in names if counts[name])
        text = f"{total} file{'s' if total != 1 else ''}: {parts or 'nothing to do'}; "
        text += f"{decimal(self.received)} received in {self.seconds:.1f} s"
        rate = self.rate
        return text + (f" ({decimal(int(rate))}/s)" if rate is not None else "")

    def record(self) -> dict[str, Any]:
        """The same as a JSON object (for the CLI's NDJSON output)."""
        rate = self.rate
        return {
            **attrs.asdict(self, filter=lambda a, _: a.name != "seconds"),
            "seconds": round(self.seconds, 3),
            "bytes_per_second": round(rate) if rate is not None else None,
        }


def summarize(outcomes: Sequence[DownloadOutcome], seconds: float) -> Summary:
    """Count the core's outcomes (interrupted transfers count as partial, not failed)."""
    counts = dict.fromkeys((*_STATUSES, "partial"), 0)
    for outcome in outcomes:
        counts["partial" if interrupted(outcome) else outcome.status] += 1
    received = sum(o.transferred for o in outcomes)
    return Summary(**counts, received=received, seconds=seconds)


def _size(done: int, total: int | None) -> str:
    """``12.3/45.6 MB`` (one unit, the total's) or just ``12.3 MB`` when the total is unknown."""
    if total is None:
        return decimal(done)
    unit_text = decimal(total)
    number, _, unit = unit_text.partition(" ")
    scale = total / float(number) if float(number) else 1.0
    return f"{done / scale:.1f}/{number} {unit}" if unit != "bytes" else f"{done}/{total} B"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return (
        f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
        if minutes >= 60
        else f"{minutes}:{secs:02d}"
    )


class _Figures(ProgressColumn):
    """Percentage, bytes, rate and time, whole: no percentage or time left when no total is known.

    One column with its own text, so rich never squeezes a number to ``5…``.
    """

    def __init__(self, started: Callable[[], float]) -> None:
        super().__init__(table_column=Column(no_wrap=True))
        self._started = started

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        rate = f"{decimal(int(speed))}/s" if speed else ""
        total = int(task.total) if task.total is not None else None
        done = int(task.completed)
        parts = [f"{done / total * 100:5.1f}%" if total else "", _size(done, total), rate]
        if task.fields.get("whole_run"):
            elapsed = time.monotonic() - self._started()
            if total and speed and done < total:
                parts.append(f"{_clock((total - done) / speed)} left")
            else:
                parts.append(_clock(elapsed))
        return Text("  ".join(p for p in parts if p), style="progress.download")


class _Tracked(Protocol):
    """A driver's file: its place in the job list and a progress snapshot."""

    @property
    def index(self) -> int: ...

    def progress(self) -> FileProgress: ...


def snapshot(files: Sequence[_Tracked], decided: dict[int, DownloadOutcome]) -> list[FileProgress]:
    """Every job's snapshot in job order; files settled without a transfer show their outcome."""
    return [
        FileProgress.decided(decided[f.index]) if f.index in decided else f.progress()
        for f in files
    ]


def watching(show_progress: bool | RunProgress) -> RunProgress | None:
    """The run's progress: the caller's own, bars on stderr (``True``), or none (``False``)."""
    if isinstance(show_progress, RunProgress):
        return show_progress
    return RunProgress() if show_progress else None


class RunProgress:
    """One run's progress: bars for a person (optional) and each outcome handed to ``on_outcome``.

    ``display=False`` shows nothing but still reports outcomes as files finish (the CLI's
    records). Finished files leave their bar for one permanent row, so they stay on screen
    without hundreds of bars drowning the total. ``stop`` prints the summary line.
    """

    def __init__(
        self,
        snapshot: Callable[[], list[FileProgress]] | None = None,
        console: Console | None = None,
        *,
        display: bool = True,
        on_outcome: Callable[[DownloadOutcome], None] | None = None,
    ) -> None:
        self._snapshot = snapshot
        self._console = (console or Console(stderr=True)) if display else None
        self._on_outcome = on_outcome
        self._started = time.monotonic()
        self._seconds: float | None = None
        self._progress = (
            Progress(
                TextColumn(
                    "{task.description}",
                    table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis", min_width=8),
                ),
                BarColumn(bar_width=_BAR_CELLS),
                _Figures(lambda: self._started),
                console=self._console,
                auto_refresh=False,
                transient=False,
                expand=True,
            )
            if self._console is not None
            else None
        )
        self._tasks: dict[int, TaskID] = {}
        self._total_task: TaskID | None = None
        self._reported: set[int] = set()
        self._outcomes: list[DownloadOutcome] = []
        self._last: list[FileProgress] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, snapshot: Callable[[], list[FileProgress]] | None = None) -> None:
        """Show the bars (if displayed) and start polling ``snapshot``."""
        if snapshot is not None:
            self._snapshot = snapshot
        self._started = time.monotonic()
        if self._progress is not None:
            self._progress.start()
            self._total_task = self._progress.add_task("total", total=None, whole_run=True)
        self._thread = threading.Thread(target=self._poll, name="capella-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Report what finished, draw the final state and the summary line, end the display."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        self.update()
        self._seconds = time.monotonic() - self._started
        if self._progress is not None:
            self._progress.stop()
            assert self._console is not None
            self._console.print(self.summary().line(), highlight=False, soft_wrap=True)

    @property
    def outcomes(self) -> list[DownloadOutcome]:
        """The outcomes reported so far, in the order files finished."""
        with self._lock:
            return list(self._outcomes)

    def partial(self) -> list[FileProgress]:
        """Files that were started but did not finish (or were cut by an interruption)."""
        with self._lock:
            last = list(self._last)
        return [f for f in last if f.started and (f.outcome is None or interrupted(f.outcome))]

    def summary(self) -> Summary:
        """Counts of the outcomes so far; files cut mid-transfer count as partial."""
        seconds = self._seconds if self._seconds is not None else time.monotonic() - self._started
        summary = summarize(self.outcomes, seconds)
        unfinished = sum(1 for f in self.partial() if f.outcome is None)
        return attrs.evolve(summary, partial=summary.partial + unfinished)

    def _poll(self) -> None:
        while not self._stopping.wait(_REFRESH_SECONDS):
            self.update()

    def update(self) -> None:
        """Report newly finished files and bring every bar up to date with one snapshot."""
        if self._snapshot is None:
            return
        with self._lock:
            files = self._snapshot()
            self._last = files
            fresh = self._newly_finished(files)
        for index, outcome in fresh:
            if self._on_outcome is not None:
                self._on_outcome(outcome)
            self._row(index, outcome)
        self._draw(files)

    def _newly_finished(self, files: list[FileProgress]) -> list[tuple[int, DownloadOutcome]]:
        fresh = []
        for index, file in enumerate(files):
            if file.outcome is not None and index not in self._reported:
                self._reported.add(index)
                self._outcomes.append(file.outcome)
                fresh.append((index, file.outcome))
        return fresh

    def _row(self, index: int, outcome: DownloadOutcome) -> None:
        """Replace a finished file's bar by one permanent row above the live bars."""
        if self._progress is None:
            return
        task = self._tasks.pop(index, None)
        if task is not None:
            self._progress.remove_task(task)
        status = "partial" if interrupted(outcome) else outcome.status
        mark = _MARKS.get(status, "…")
        detail = decimal(outcome.bytes)
        if status == "failed":
            # Errors name the asset's host, never its signature; redact anyway, to be sure.
            detail = redact(" ".join(str(outcome.error).split()))
        row = Text(f"{mark} {status:<10} ", style="bold" if status == "failed" else "")
        row.append(outcome.job.path.name)
        row.append(f"  {detail}")
        row.truncate(self._progress.console.width, overflow="ellipsis")
        self._progress.console.print(row, highlight=False)

    def _draw(self, files: list[FileProgress]) -> None:
        if self._progress is None:
            return
        done_files = done_bytes = known_total = 0
        all_known = True
        for index, file in enumerate(files):
            done_bytes += file.done
            if file.total is None:
                all_known = False
            else:
                known_total += file.total
            if file.outcome is not None and not interrupted(file.outcome):
                done_files += 1
            if file.outcome is not None or not file.started:
                continue
            task = self._tasks.get(index)
            if task is None:
                task = self._tasks[index] = self._progress.add_task(file.name, total=file.total)
            self._progress.update(task, completed=file.done, total=file.total)
        if self._total_task is not None:
            self._progress.update(
                self._total_task,
                description=f"total {done_files}/{len(files)} files",
                completed=done_bytes,
                total=known_total if all_known and files else None,
            )
        self._progress.refresh()
