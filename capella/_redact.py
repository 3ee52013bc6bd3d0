"""Secret redaction for log lines, reprs and exception messages."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"

# Credentials in header form ("ApiKey abc", "Bearer eyJ...") and signed-URL query parameters
# (S3 presigned URLs and the sandbox's own). Patterns, not a registry of secrets, so that a line
# logged by httpx about any client's request is scrubbed without knowing which client sent it.
_HEADER_SECRET = re.compile(r"\b(ApiKey|Bearer|Basic)(\s+)[^\s\"',;]+", re.IGNORECASE)
_SIGNED_PARAMETERS = (
    r"X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|AWSAccessKeyId|Signature"
    r"|Expires|sig|token|access_token|api_key|apikey|key"
)
# ``name=value``, also percent-encoded (``name%3Dvalue`` inside another URL, up to ``%26``).
_QUERY_SECRET = re.compile(rf"(?i)\b({_SIGNED_PARAMETERS})(=|%3D)((?:(?!%26)[^&\s\"'<>])+)")
# A JSON field holding a secret: ``"signature": "..."``.
_JSON_SECRET = re.compile(
    r'(?i)"(signature|x-amz-signature|token|access_token|api_key|apikey|secret)"(\s*:\s*)"[^"]*"'
)
# S3's XML error bodies quote the signature and what was signed.
_XML_SECRET = re.compile(
    r"(?i)<(SignatureProvided|StringToSign|StringToSignBytes|CanonicalRequest|AWSAccessKeyId)>"
    r"[^<]*</\1>"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with credentials, URL signatures and the given secrets replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _HEADER_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _JSON_SECRET.sub(lambda m: f'"{m.group(1)}"{m.group(2)}"{REDACTED}"', text)
    text = _XML_SECRET.sub(lambda m: f"<{m.group(1)}>{REDACTED}</{m.group(1)}>", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def redact_url(url: str) -> str:
    """Return ``url`` without its query string (where presigned signatures live)."""
    return url.split("?", 1)[0]


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs secrets from a record's formatted message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours
            return True
        cleaned = redact(message, self._secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# Loggers of the HTTP stack that log request lines (with URLs) when a user turns on INFO/DEBUG.
THIRD_PARTY_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


def install_third_party_filters() -> None:
    """Attach one pattern-based redacting filter to each HTTP-stack logger (idempotent)."""
    for name in THIRD_PARTY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def scrub_exception(exc: BaseException, secrets: Iterable[str] = ()) -> BaseException:
    """Return a copy of ``exc`` whose message is redacted (for use as a chained cause)."""
    message = redact(str(exc), secrets)
    try:
        clone = type(exc)(message)
    except Exception:
        clone = RuntimeError(f"{type(exc).__name__}: {message}")
    return clone
