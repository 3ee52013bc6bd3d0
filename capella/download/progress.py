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
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs
from rich.console import Console, RenderableType
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID
from rich.progress_bar import ProgressBar
from rich.table import Column, Table
from rich.text import Text

from capella._redact import redact

if TYPE_CHECKING:
    from capella.download.jobs import DownloadJob, DownloadOutcome
    from capella.download.s3 import S3Job

_REFRESH_SECONDS = 0.2
_BAR_CELLS = 20  # fixed: a bar that shrinks to 2 cells at 80 columns tells nothing
_TOTAL_BAR_CELLS = 14
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

    def __add__(self, other: Summary) -> Summary:
        """The counts of two runs together (their times added: runs go one after another)."""
        mine, theirs = attrs.asdict(self), attrs.asdict(other)
        return Summary(**{name: mine[name] + theirs[name] for name in mine})

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
    number, _, unit = decimal(total).partition(" ")
    if unit == "bytes":
        return f"{done}/{total} bytes"
    scale = total / float(number) if float(number) else 1.0
    return f"{done / scale:.1f}/{number} {unit}"


def _hms(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    if minutes >= 60:
        return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _fit(name: str, width: int) -> str:
    """``name`` in ``width`` cells, cut in the middle: asset names differ at both ends."""
    if len(name) <= width:
        return name
    head = (width - 1) // 2
    return f"{name[:head]}…{name[len(name) - (width - 1 - head) :]}"


class _Name(ProgressColumn):
    """The file name (or the run's file count), cut in the middle to a fixed width."""

    def __init__(self, width: int) -> None:
        super().__init__(table_column=Column(width=width, no_wrap=True))
        self._width = width

    def render(self, task: Task) -> Text:
        return Text(_fit(task.description, self._width))


class _Bar(BarColumn):
    """A bar of fixed width; blank while the total is unknown (no bar that only looks full)."""

    def render(self, task: Task) -> ProgressBar | Text:  # type: ignore[override]
        if task.total is None:
            return Text(" " * (self.bar_width or 0))
        return super().render(task)


class _Figures(ProgressColumn):
    """Percentage, bytes, rate and time, whole: no percentage or time left without a total.

    One column with its own text, so rich never squeezes a number to ``5…``.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(table_column=Column(no_wrap=True))
        self._clock = clock

    def render(self, task: Task) -> Text:
        total = int(task.total) if task.total is not None else None
        done = int(task.completed)
        # The mean rate since the row appeared: bytes resumed from disk are not counted.
        seconds = self._clock() - task.fields["since"]
        gained = done - task.fields["base"]
        speed = gained / seconds if seconds > 0 and gained > 0 else None
        parts = [f"{done / total * 100:3.0f}%" if total else "", _size(done, total)]
        parts.append(f"{decimal(int(speed))}/s" if speed else "")
        if task.fields.get("whole_run"):
            if total and speed and done < total:
                parts.append(f"{_hms((total - done) / speed)} left")
            else:
                parts.append(_hms(seconds))
        return Text("  ".join(p for p in parts if p))


class _Bars(Progress):
    """Rows of the active files, then the total on a row of its own, laid out for its text."""

    def __init__(self, *columns: ProgressColumn, total: list[ProgressColumn], **options: Any):
        self.total_columns = total  # before rich's __init__, which renders once
        super().__init__(*columns, **options)

    def get_renderables(self) -> Iterable[RenderableType]:
        files = [t for t in self.tasks if not t.fields.get("whole_run")]
        total = [t for t in self.tasks if t.fields.get("whole_run")]
        if files:
            yield _table(list(self.columns), files)  # type: ignore[arg-type]
        yield _table(self.total_columns, total)


def _table(columns: list[ProgressColumn], tasks: list[Task]) -> Table:
    table = Table.grid(*(c.get_table_column().copy() for c in columns), padding=(0, 1))
    for task in tasks:
        table.add_row(*(column(task) for column in columns))
    return table


class _Tracked(Protocol):
    """A driver's file: its place in the job list and a progress snapshot."""

    @property
    def index(self) -> int: ...

    def progress(self) -> FileProgress: ...


def snapshot(
    files: Sequence[_Tracked],
    decided: dict[int, DownloadOutcome],
    sizes: dict[int, int] | None = None,
) -> list[FileProgress]:
    """Every job's snapshot in job order; files settled without a transfer show their outcome.

    ``sizes``: sizes probed before the run, for files that have not told theirs yet.
    """
    result = []
    for f in files:
        if f.index in decided:
            result.append(FileProgress.decided(decided[f.index]))
            continue
        file = f.progress()
        if file.total is None and sizes and f.index in sizes:
            file = attrs.evolve(file, total=sizes[f.index])
        result.append(file)
    return result


def watching(show_progress: bool | RunProgress) -> RunProgress | None:
    """The run's progress: the caller's own, bars on stderr (``True``), or none (``False``)."""
    if isinstance(show_progress, RunProgress):
        return show_progress
    return RunProgress() if show_progress else None


class RunProgress:
    """One run's progress: bars for a person (optional) and each outcome handed to ``on_outcome``.

    ``display=False`` shows nothing but still reports outcomes as files finish (the CLI's
    records). ``probe_sizes``: ask the driver for every file's size before the run (one
    parallel round of requests), so the total is known from the start. Finished files leave
    their bar for one permanent row, so they stay on screen without hundreds of bars drowning
    the total. ``stop`` prints the summary line.
    """

    def __init__(
        self,
        snapshot: Callable[[], list[FileProgress]] | None = None,
        console: Console | None = None,
        *,
        display: bool = True,
        on_outcome: Callable[[DownloadOutcome], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        probe_sizes: bool = False,
    ) -> None:
        self._snapshot = snapshot
        self._clock = clock
        # One extra request per file buys a total (and a percentage) from the first second.
        self.wants_sizes = probe_sizes and display
        self._console = (console or Console(stderr=True)) if display else None
        self._on_outcome = on_outcome
        self._started = clock()
        self._seconds: float | None = None
        self._progress: Progress | None = None
        if self._console is not None:
            # Fixed widths that add up to the console's: figures need up to 32 cells on a
            # file's row (43 on the total's), the bars 20 and 14, names get the rest.
            width = self._console.width
            self._progress = _Bars(
                _Name(max(12, width - _BAR_CELLS - 34)),
                _Bar(bar_width=_BAR_CELLS),
                _Figures(self._clock),
                total=[
                    _Name(max(12, width - _TOTAL_BAR_CELLS - 45)),
                    _Bar(bar_width=_TOTAL_BAR_CELLS),
                    _Figures(self._clock),
                ],
                console=self._console,
                auto_refresh=False,
                transient=False,
                get_time=self._clock,
                # Records go to stdout as files finish: they must not end up on the console.
                redirect_stdout=False,
                redirect_stderr=False,
            )
        self._tasks: dict[int, TaskID] = {}
        self._total_task: TaskID | None = None
        self._total_based = False
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
        self._started = self._clock()
        if self._progress is not None:
            self._progress.start()
            self._total_task = self._progress.add_task(
                "total", total=None, whole_run=True, base=0, since=self._started
            )
        self.update()  # the first state at once (and the first sample of each rate)
        self._thread = threading.Thread(target=self._poll, name="capella-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Report what finished, draw the final state and the summary line, end the display."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        self.update()
        self._seconds = self._clock() - self._started
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

    def waiting(self) -> int:
        """How many files had not started when the run last looked."""
        with self._lock:
            return sum(1 for f in self._last if not f.started)

    def summary(self) -> Summary:
        """Counts of the outcomes so far; files cut mid-transfer count as partial."""
        seconds = self._seconds if self._seconds is not None else self._clock() - self._started
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
        width = self._progress.console.width
        head = f"{mark} {status:<10} "
        if status == "failed":
            # Errors name the asset's host, never its signature; redact anyway, to be sure.
            error = outcome.error
            reason = redact(" ".join(str(getattr(error, "message", None) or error).split()))
            row = Text(head + _fit(outcome.job.path.name, width - len(head)), style="bold")
            row.append(Text("\n  " + reason, style=""))
            row.truncate(width * 2, overflow="ellipsis")
        else:
            size = decimal(outcome.bytes)
            # The name gives way, never the size.
            name = _fit(outcome.job.path.name, width - len(head) - len(size) - 2)
            row = Text(f"{head}{name}  {size}")
        self._progress.console.print(row, highlight=False, overflow="ellipsis", no_wrap=True)

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
                task = self._tasks[index] = self._progress.add_task(
                    file.name, total=file.total, base=file.done, since=self._clock()
                )
            self._progress.update(task, completed=file.done, total=file.total)
        if self._total_task is not None:
            if not self._total_based:  # bytes already on disk when the run began are no rate
                self._total_based = True
                self._progress.update(self._total_task, base=done_bytes)
            self._progress.update(
                self._total_task,
                description=f"total {done_files}/{len(files)} files",
                completed=done_bytes,
                total=known_total if all_known and files else None,
            )
        self._progress.refresh()
