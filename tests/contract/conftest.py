"""Cassette set-up for contract tests (pytest-recording / vcrpy).

Cassettes are recorded against the sandbox (``make cassettes``) or, with ``CAPELLA_API_URL``
and ``CAPELLA_API_KEY`` set, against production, and replayed offline in CI with
``--record-mode=none --block-network``. Nothing secret is written: the Authorization header,
presigned signatures (in URLs and in response bodies) and the API key are scrubbed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from capella import CapellaConsoleClient

CASSETTES = Path(__file__).parent.parent / "cassettes"
# Where recordings are made; on replay no connection is opened, so any URL works.
API_URL = os.environ.get("CAPELLA_API_URL", "http://127.0.0.1:8765")
API_KEY = os.environ.get("CAPELLA_API_KEY", "replay-key")

SIGNED_PARAMS = (
    "Signature",
    "X-Amz-Signature",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
    "x-amz-security-token",
    "AWSAccessKeyId",
)
_SIGNATURE_IN_TEXT = re.compile(
    r"((?:" + "|".join(re.escape(p) for p in SIGNED_PARAMS) + r")=)[^&\"'\s<>]+", re.IGNORECASE
)
# Request-body keys whose values are "now" at recording time (tasking defaults).
VOLATILE_BODY_KEYS = frozenset({"windowOpen", "windowClose", "repeatStart"})


def _scrub_text(text: str) -> str:
    text = _SIGNATURE_IN_TEXT.sub(r"\1REDACTED", text)
    if API_KEY and len(API_KEY) >= 8:
        text = text.replace(API_KEY, "REDACTED")
    return text


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        # Binary asset bytes carry no secrets and are left as they are.
        with contextlib.suppress(UnicodeDecodeError):
            response["body"]["string"] = _scrub_text(body.decode("utf-8")).encode("utf-8")
    response.get("headers", {}).pop("set-cookie", None)
    return response


def _scrub_request(request: Any) -> Any:
    if request.body:
        raw = request.body if isinstance(request.body, bytes) else str(request.body).encode()
        with contextlib.suppress(UnicodeDecodeError):
            request.body = _scrub_text(raw.decode("utf-8")).encode("utf-8")
    return request


def _strip_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_volatile(v) for k, v in value.items() if k not in VOLATILE_BODY_KEYS}
    if isinstance(value, list):
        return [_strip_volatile(v) for v in value]
    return value


def _json_body(request: Any) -> Any:
    body = request.body
    if not body:
        return None
    try:
        return _strip_volatile(json.loads(body))
    except (ValueError, UnicodeDecodeError):
        return body


def _match_body(r1: Any, r2: Any) -> None:
    assert _json_body(r1) == _json_body(r2), "request bodies differ"


def _match_range(r1: Any, r2: Any) -> None:
    assert r1.headers.get("Range") == r2.headers.get("Range"), "Range headers differ"


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Register the matchers: JSON bodies without volatile timestamps, and Range headers."""
    vcr.register_matcher("capella_body", _match_body)
    vcr.register_matcher("range", _match_range)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Scrub secrets; match on method, path, query, body and Range (not host: any base URL)."""
    return {
        "filter_headers": ["authorization", "cookie", "x-api-key"],
        "filter_query_parameters": list(SIGNED_PARAMS),
        "decode_compressed_response": True,
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "match_on": ["method", "path", "query", "capella_body", "range"],
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """One folder per test module under tests/cassettes/."""
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
def client() -> Iterator[CapellaConsoleClient]:
    """A client for the recorded API; retries are off so a replay never waits."""
    with CapellaConsoleClient(api_key=API_KEY, base_url=API_URL, max_retries=0) as c:
        yield c
