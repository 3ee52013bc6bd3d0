"""Secrets never appear in logs, reprs, exception messages or their chained causes."""

from __future__ import annotations

import logging

import httpx
import pytest

from capella import CapellaConsoleClient
from capella._http import ApiSession
from capella._logging import ClientLog
from capella._ops import Op
from capella._redact import redact
from capella.errors import AmbiguousRequestError, CapellaConsoleClientError

KEY = "sk-live-3f9a8b7c6d5e4f3a2b1c"
SIGNED = "https://bucket.test/a/b.tif?AWSAccessKeyId=AKIA123&Expires=17&Signature=abcDEF%2B123"


def _all_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records)


def test_redact_scrubs_headers_and_signatures() -> None:
    text = f"Authorization: ApiKey {KEY} then Bearer eyJhbGci.x.y and {SIGNED}"
    cleaned = redact(text)
    assert KEY not in cleaned
    assert "eyJhbGci" not in cleaned
    assert "abcDEF" not in cleaned and "AKIA123" not in cleaned
    assert "https://bucket.test/a/b.tif?" in cleaned


def test_key_is_absent_from_repr_and_str_of_the_client() -> None:
    client = CapellaConsoleClient(api_key=KEY, no_token_check=True)
    assert KEY not in repr(client)
    assert KEY not in str(client)
    assert KEY not in repr(client._session)
    assert KEY not in repr(client._session.credentials)


def test_key_is_absent_from_debug_logs_of_capella_httpx_and_httpcore(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"message": f"Unauthorized {request.headers['authorization']}"}
        )

    caplog.set_level(logging.DEBUG)
    client = CapellaConsoleClient(
        api_key=KEY, no_token_check=True, verbose=True, transport=httpx.MockTransport(handler)
    )
    with pytest.raises(CapellaConsoleClientError) as info:
        client.whoami()
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value)
    assert KEY not in _all_text(caplog)


def test_real_httpx_request_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ClientLog()  # installs the third-party filters
    logging.getLogger("httpx").info('HTTP Request: GET %s "HTTP/1.1 200 OK"', SIGNED)
    assert "abcDEF" not in _all_text(caplog)
    assert "Signature=[REDACTED]" in _all_text(caplog)


def test_chained_cause_of_a_transport_error_is_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out talking with ApiKey {KEY} at {SIGNED}", request=request)

    session = ApiSession(
        base_url="https://api.test",
        transport=httpx.MockTransport(handler),
        sleep=lambda _: None,
        log=ClientLog(),
    )
    with pytest.raises(AmbiguousRequestError) as info:
        session.call(Op.SUBMIT_ORDER, body={"items": []})
    chain = [info.value, info.value.__cause__]
    assert info.value.__cause__ is not None
    for exc in chain:
        assert KEY not in str(exc)
        assert "abcDEF" not in str(exc)


def test_verbose_client_shows_its_info_logs_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, json={"id": "u", "organizationId": "o", "email": "e@x"})
    )
    CapellaConsoleClient(api_key=KEY, verbose=True, transport=transport)
    err = capsys.readouterr().err
    assert "successfully authenticated" in err
    assert KEY not in err


def test_verbose_does_not_change_other_clients(capsys: pytest.CaptureFixture[str]) -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, json={"id": "u", "organizationId": "o", "email": "quiet@x"})
    )
    loud = CapellaConsoleClient(api_key="a", verbose=True, no_token_check=True, transport=transport)
    CapellaConsoleClient(api_key="b", transport=transport)
    err = capsys.readouterr().err
    assert "quiet@x" not in err
    assert logging.getLogger("capella").level == logging.NOTSET
    loud.close()


def test_library_never_configures_the_root_logger() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    CapellaConsoleClient(api_key="k", no_token_check=True, verbose=True).close()
    assert root.handlers == before


def test_search_url_signature_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="capella")
    session = ApiSession(
        base_url="https://api.test",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})),
        log=ClientLog(),
    )
    signed_link = SIGNED.replace("bucket.test/a/b.tif", "api.test/s")
    session.call(Op.SEARCH_CATALOG, body={}, url=signed_link)
    assert "abcDEF" not in _all_text(caplog)


def test_verbose_info_lines_stay_out_of_the_applications_root_handlers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    handler = Collect()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    try:
        log = ClientLog(verbose=True)
        log.info("page %d of %d", 1, 2)
        log.warning("a warning everyone may see")
        log.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert "page 1 of 2" in capsys.readouterr().err
    assert [r.getMessage() for r in seen] == ["a warning everyone may see"]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("next=https%3A%2F%2Fb.test%2Fx%3FX-Amz-Signature%3Dfeedface99%26a%3D1", "feedface99"),
        ('{"url": "https://b.test/x", "signature": "feedface99"}', "feedface99"),
        ("<Error><SignatureProvided>feedface99</SignatureProvided></Error>", "feedface99"),
        ("<StringToSign>AWS4-HMAC-SHA256 feedface99</StringToSign>", "feedface99"),
    ],
)
def test_encoded_json_and_xml_signatures_are_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_a_bare_key_is_redacted_when_it_is_the_clients() -> None:
    assert KEY not in redact(f"rejected {KEY} (no prefix)", [KEY])
