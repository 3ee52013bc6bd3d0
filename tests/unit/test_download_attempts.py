"""The download retry loops without a server: steps out, outcomes in.

The threaded driver, the asyncio driver and the S3 sink all run these loops, so what counts as
a transient failure, how long to pause and when to give up is tested here once.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from typing import Any

import pytest

from capella._logging import ClientLog
from capella.download import attempts
from capella.download.attempts import IO, Answer, Get, Pause
from capella.download.settings import DownloadSettings
from capella.download.signals import Fatal, Retry, Switch
from capella.errors import AssetConnectError, AssetDownloadError, InvalidInputError

URL = "https://assets.example/a.tif?X-Amz-Signature=secret"


class Head:
    def __init__(self, status: int, **headers: str) -> None:
        self.status = status
        self.reason = "Reason"
        self.headers = {k.replace("_", "-").lower(): v for k, v in headers.items()}

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Cursor:
    """A transfer of ``total`` bytes; ``moved`` bytes arrive with each answered request."""

    def __init__(self, total: int) -> None:
        self.name = "a.tif"
        self.total = total
        self.pos = 0

    def ask(self) -> tuple[str, dict[str, str]] | None:
        if self.pos >= self.total:
            return None
        return URL, {"Range": f"bytes={self.pos}-"}

    def done(self) -> int:
        return self.pos


def settings(max_retries: int = 2) -> DownloadSettings:
    return DownloadSettings(max_retries=max_retries, backoff_base=0.5, backoff_max=0.5)


def transfer(cursor: Cursor, max_retries: int = 2) -> attempts.Loop[None]:
    return attempts.transfer(cursor, settings(max_retries), random.Random(0), ClientLog())


class Script:
    """An IO that plays back outcomes: one per request (raised if an exception), in order."""

    def __init__(self, cursor: Cursor, *outcomes: Any) -> None:
        self.cursor = cursor
        self.outcomes = list(outcomes)
        self.log: list[str] = []
        self.pauses: list[float] = []

    def get(self, url: str, headers: dict[str, str]) -> object:
        self.log.append(f"GET {headers['Range']}")
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException) and not isinstance(outcome, (Retry, Switch)):
            raise outcome
        return outcome

    def answer(self, response: object, url: str) -> None:
        self.log.append("answer")
        if isinstance(response, BaseException):
            raise response
        self.cursor.pos += int(str(response))

    def pause(self, seconds: float) -> None:
        self.log.append("pause")
        self.pauses.append(seconds)

    def io(self) -> IO:
        return IO(self.get, self.answer, self.pause)


def test_each_answer_moves_on_until_nothing_is_left_to_ask():
    cursor = Cursor(10)
    script = Script(cursor, 6, 4)
    attempts.drive(transfer(cursor), script.io())
    assert script.log == ["GET bytes=0-", "answer", "GET bytes=6-", "answer"]


def test_a_network_error_of_the_request_is_retried_after_a_pause():
    cursor = Cursor(10)
    script = Script(cursor, ConnectionResetError("reset"), 10)
    attempts.drive(transfer(cursor), script.io())
    assert script.log == ["GET bytes=0-", "pause", "GET bytes=0-", "answer"]


def test_a_retry_raised_by_the_answer_waits_what_the_server_asked():
    cursor = Cursor(10)
    script = Script(cursor, Retry(AssetDownloadError("503"), wait=0.25), 10)
    attempts.drive(transfer(cursor), script.io())
    assert script.log == ["GET bytes=0-", "answer", "pause", "GET bytes=0-", "answer"]
    assert script.pauses == [0.25]


def test_a_switch_asks_again_at_once_without_counting_a_failure():
    cursor = Cursor(10)
    script = Script(cursor, *([Switch()] * 5), 10)
    attempts.drive(transfer(cursor, max_retries=1), script.io())
    assert "pause" not in script.log
    assert script.log.count("answer") == 6


def test_a_disk_error_of_the_answer_is_not_taken_for_a_network_error():
    # OSError is how both a cut connection and a full disk look: only the request's is retried.
    cursor = Cursor(10)
    sent: list[str] = []

    def answer(response: object, url: str) -> None:
        raise OSError(28, "No space left on device")

    io = IO(lambda url, headers: sent.append(url), answer, lambda seconds: None)
    with pytest.raises(OSError, match="No space left"):
        attempts.drive(transfer(cursor), io)
    assert sent == [URL]


def test_a_url_that_is_not_http_fails_at_once():
    cursor = Cursor(10)
    script = Script(cursor, InvalidInputError("only http and https"))
    with pytest.raises(Fatal) as caught:
        attempts.drive(transfer(cursor), script.io())
    assert isinstance(caught.value.error, InvalidInputError)
    assert script.log == ["GET bytes=0-"]


def test_an_untrusted_certificate_fails_at_once():
    cursor = Cursor(10)
    script = Script(cursor, ssl.SSLCertVerificationError("self-signed"))
    with pytest.raises(Fatal) as caught:
        attempts.drive(transfer(cursor), script.io())
    assert "not trusted" in str(caught.value.error)
    assert script.log == ["GET bytes=0-"]


def test_failures_in_a_row_give_up_after_max_retries_naming_the_cause():
    cursor = Cursor(10)
    script = Script(cursor, *([TimeoutError("read timed out")] * 3))
    with pytest.raises(Fatal) as caught:
        attempts.drive(transfer(cursor, max_retries=2), script.io())
    assert isinstance(caught.value.error, AssetConnectError)
    assert "after 3 attempts" in str(caught.value.error)
    assert "secret" not in str(caught.value.error)
    assert script.log.count("pause") == 2


def test_a_megabyte_of_progress_forgives_the_failures_before_it():
    cursor = Cursor(10 << 20)

    def answer(response: object, url: str) -> None:
        cursor.pos += 1 << 20
        raise Retry(ConnectionResetError("cut"))

    io = IO(lambda url, headers: "response", answer, lambda seconds: None)
    attempts.drive(transfer(cursor, max_retries=1), io)  # ten cuts in a row, each after 1 MiB
    assert cursor.pos == 10 << 20


def test_the_async_runner_runs_the_same_loop():
    cursor = Cursor(10)
    script = Script(cursor, ConnectionResetError("reset"), 10)

    def later(call: Any) -> Any:
        async def run(*args: Any) -> Any:
            return call(*args)

        return run

    io = IO(later(script.get), later(script.answer), later(script.pause))
    asyncio.run(attempts.drive_async(transfer(cursor), io))
    assert script.log == ["GET bytes=0-", "pause", "GET bytes=0-", "answer"]


# -- the size probe ------------------------------------------------------------------------------


def probe(*answers: Any, retries: int = 2) -> tuple[int, list[object]]:
    """Run a size probe over ``answers`` (a head or an exception per request); (size, steps)."""
    loop = attempts.size_probe(URL, retries, settings(), random.Random(0))
    steps: list[object] = []
    pending = list(answers)

    def get(url: str, headers: dict[str, str]) -> Any:
        steps.append(Get(url, headers))
        answer = pending.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def read(head: Head, url: str) -> tuple[Head, bytes]:
        steps.append(Answer(head, url))
        return head, b"<Error><Code>SlowDown</Code></Error>" if head.status >= 400 else b""

    def pause(seconds: float) -> None:
        steps.append(Pause(seconds))

    return attempts.drive(loop, IO(get, read, pause)), steps


def test_the_probe_asks_for_one_byte_and_reads_the_size_from_content_range():
    size, steps = probe(Head(206, content_range="bytes 0-0/1234"))
    assert size == 1234
    assert steps[0] == Get(URL, {"Range": "bytes=0-0"})


def test_the_probe_retries_a_busy_server_and_a_cut():
    size, steps = probe(Head(503), ConnectionResetError("cut"), Head(200, content_length="7"))
    assert size == 7
    kinds = [type(s).__name__ for s in steps]
    assert kinds == ["Get", "Answer", "Pause", "Get", "Pause", "Get", "Answer"]


def test_the_probe_gives_up_after_its_retries():
    with pytest.raises(AssetConnectError, match="after 2 attempts"):
        probe(ConnectionResetError("cut"), ConnectionResetError("cut"), retries=1)


def test_the_probe_reports_an_error_page_instead_of_its_size():
    with pytest.raises(AssetDownloadError, match="404"):
        probe(Head(404, content_length="120"))
