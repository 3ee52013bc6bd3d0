"""Translation of every API error envelope into the reference SDK's exception classes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella import errors as e


def _request() -> httpx.Request:
    return httpx.Request("GET", "https://api.test/orders/1", headers={"Authorization": "ApiKey k"})


def _response(
    status: int, body: Any = None, *, text: str | None = None, request: httpx.Request | None = None
) -> httpx.Response:
    request = request or _request()
    if text is not None:
        return httpx.Response(status, text=text, request=request)
    return httpx.Response(status, json=body, request=request)


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("INVALID_TOKEN", e.AuthenticationError),
        ("INVALID_API_KEY", e.AuthenticationError),
        ("ORDER_EXPIRED", e.OrderExpiredError),
        ("COLLECTION_ACCESS_DENIED", e.CollectionAccessDeniedError),
        ("NOT_AUTHORIZED", e.AuthorizationError),
        ("ORDER_VALIDATION_ERROR", e.OrderValidationError),
        ("CONTRACT_NOT_FOUND", e.ContractNotFoundError),
        ("VALIDATION_ERROR", e.ValidationError),
        ("UNABLE_TO_UPDATE_TASKING_REQUEST", e.CapellaConsoleClientError),
        ("UNABLE_TO_UPDATE_REPEAT_REQUEST", e.CapellaConsoleClientError),
        ("UNABLE_TO_UPDATE_FINALIZED_TRANSACTION", e.CapellaConsoleClientError),
    ],
)
def test_every_known_code_maps_to_its_class(code: str, cls: type[Exception]) -> None:
    err = e.error_from_response(_response(400, {"error": {"message": "m", "code": code}}))
    assert type(err) is cls
    assert err.code == code
    assert err.message == "m"
    assert err.status_code == 400


def test_canonical_envelope_keeps_data() -> None:
    body = {"error": {"message": "Unknown error", "data": {"cause": "NONONO"}}}
    err = e.error_from_response(_response(500, body))
    assert type(err) is e.CapellaConsoleClientError
    assert err.code == "GENERAL_API_ERROR"
    assert err.data == {"cause": "NONONO"}


def test_validation_detail_becomes_data() -> None:
    detail = [{"message": "Invalid uuid", "code": "invalid_string", "path": "some.path"}]
    body = {"error": {"message": "Validation Error", "code": "VALIDATION_ERROR", "detail": detail}}
    err = e.error_from_response(_response(400, body))
    assert isinstance(err, e.ValidationError)
    assert err.data == detail


def test_string_error_is_the_message() -> None:
    err = e.error_from_response(_response(400, {"error": "order expired"}))
    assert isinstance(err, e.OrderExpiredError)
    assert err.code == "ORDER_EXPIRED"


def test_collection_access_message_is_recognised() -> None:
    message = (
        "Your organization is not permitted to access any of the collections your query is "
        "attempting to filter amongst (capella-mock)"
    )
    err = e.error_from_response(_response(403, {"error": message}))
    assert isinstance(err, e.CollectionAccessDeniedError)


def test_not_authorized_message_is_recognised() -> None:
    body = {"Message": "User is not authorized to perform: execute-api:Invoke"}
    err = e.error_from_response(_response(403, body))
    assert isinstance(err, e.AuthorizationError)
    assert err.code == "NOT_AUTHORIZED"


def test_gateway_unauthorized_with_api_key_is_invalid_api_key() -> None:
    err = e.error_from_response(_response(401, {"message": "Unauthorized"}))
    assert isinstance(err, e.AuthenticationError)
    assert err.code == "INVALID_API_KEY"


def test_gateway_unauthorized_with_token_is_invalid_token() -> None:
    request = httpx.Request("GET", "https://api.test/user", headers={"Authorization": "Bearer t"})
    err = e.error_from_response(_response(401, {"message": "Unauthorized"}, request=request))
    assert err.code == "INVALID_TOKEN"


def test_unauthorized_without_credentials_says_how_to_pass_a_key() -> None:
    request = httpx.Request("GET", "https://api.test/user")
    err = e.error_from_response(_response(401, {"message": "Unauthorized"}, request=request))
    assert isinstance(err, e.AuthenticationError)
    assert "CAPELLA_API_KEY" in str(err)


def test_html_gateway_error_becomes_a_typed_error() -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    err = e.error_from_response(_response(502, text=html))
    assert type(err) is e.CapellaConsoleClientError
    assert err.code == "GENERAL_API_ERROR"
    assert "502" in str(err) and "Bad Gateway" in str(err)


def test_empty_body_error_names_status_and_path() -> None:
    err = e.error_from_response(httpx.Response(404, request=_request()))
    assert "404" in str(err) and "/orders/1" in str(err)


def test_json_list_body_is_handled() -> None:
    err = e.error_from_response(_response(400, [{"message": "first", "code": "VALIDATION_ERROR"}]))
    assert isinstance(err, e.ValidationError)
    assert err.message == "first"


def test_json_list_of_strings_is_handled() -> None:
    err = e.error_from_response(_response(400, ["a", "b"]))
    assert type(err) is e.CapellaConsoleClientError
    assert "a" in str(err)


def test_args_hold_the_non_empty_items_like_the_reference() -> None:
    err = e.CapellaConsoleClientError("msg", "CODE")
    assert err.args == ("msg", "CODE")


def test_error_does_not_keep_the_key_in_its_request() -> None:
    request = httpx.Request("GET", "https://api.test/x", headers={"Authorization": "ApiKey sekrit"})
    err = e.error_from_response(_response(400, {"error": "bad"}, request=request))
    assert err.response is not None
    assert "sekrit" not in err.response.request.headers["authorization"]


def test_client_raises_typed_errors_from_the_http_layer() -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(
            400, json={"error": {"message": "nope", "code": "CONTRACT_NOT_FOUND"}}
        )
    )
    client = CapellaConsoleClient(api_key="k", no_token_check=True, transport=transport)
    with pytest.raises(e.ContractNotFoundError, match="nope"):
        client.whoami()


def test_exceptions_module_matches_the_reference_names() -> None:
    from capella import exceptions

    for name in [
        "CapellaConsoleClientError",
        "AuthenticationError",
        "NoValidStacIdsError",
        "TaskNotCompleteError",
        "InsufficientFundsError",
        "OrderRejectedError",
        "OrderExpiredError",
        "OrderValidationError",
        "ConnectError",
        "CollectionAccessDeniedError",
        "AuthorizationError",
        "NoRefreshTokenError",
        "RepeatRequestPayloadValidationError",
        "ContractNotFoundError",
        "ValidationError",
    ]:
        assert issubclass(getattr(exceptions, name), exceptions.CapellaConsoleClientError)
