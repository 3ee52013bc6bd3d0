"""No cassette holds a credential or a presigned signature."""

from __future__ import annotations

import re
from pathlib import Path

CASSETTES = Path(__file__).parent.parent / "cassettes"
FORBIDDEN = [
    re.compile(r"ApiKey\s+(?!REDACTED)\S+", re.IGNORECASE),
    re.compile(r"Bearer\s+(?!REDACTED)[A-Za-z0-9._-]{8,}"),
    re.compile(
        r"(?:Signature|X-Amz-Signature|X-Amz-Credential|AWSAccessKeyId)=(?!REDACTED)[^&\s\"']+"
    ),
    re.compile(r"capella-sandbox-demo-(?:key|token)"),
]


def test_cassettes_exist() -> None:
    assert sorted(CASSETTES.rglob("*.yaml")), "contract tests must have recorded cassettes"


def test_no_cassette_contains_a_secret() -> None:
    for path in CASSETTES.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in FORBIDDEN:
            match = pattern.search(text)
            assert match is None, f"{path.name} contains {match.group(0)[:40]!r}"
        assert "authorization:" not in text.lower(), f"{path.name} records an Authorization header"
