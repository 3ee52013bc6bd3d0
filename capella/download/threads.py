"""The worker threads of a threaded run (local files or S3 objects): started, joined, cancelled."""

from __future__ import annotations

import threading
from collections.abc import Callable


def on_threads(work: Callable[[], None], count: int, name: str, cancel: Callable[[], None]) -> None:
    """Run ``work`` on ``count`` threads (on this one when ``count`` is 1) until each returns.

    An interrupt (Ctrl-C) or an error on this thread calls ``cancel``, waits until every worker
    stopped, and propagates.
    """
    threads: list[threading.Thread] = []
    try:
        if count == 1:
            work()
            return
        for i in range(count):
            t = threading.Thread(target=work, name=f"{name}-{i}", daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            while t.is_alive():  # a timed join keeps Ctrl-C responsive
                t.join(0.5)
    except BaseException:
        cancel()
        for t in threads:
            t.join()
        raise
