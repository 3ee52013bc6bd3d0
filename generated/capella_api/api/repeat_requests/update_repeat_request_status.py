from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.gateway_message import GatewayMessage
from ...models.repeat_request import RepeatRequest
from ...models.repeat_request_status_update import RepeatRequestStatusUpdate
from ...models.status_update_result import StatusUpdateResult
from ...models.string_error_envelope import StringErrorEnvelope
from ...types import Response


def _get_kwargs(
    repeatrequest_id: str,
    *,
    body: RepeatRequestStatusUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/repeat-requests/{repeatrequest_id}/status".format(
            repeatrequest_id=quote(str(repeatrequest_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> RepeatRequest | StatusUpdateResult:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = RepeatRequest.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = StatusUpdateResult.from_dict(data)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 400:

        def _parse_response_400(data: object) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = StringErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayMessage.from_dict(data)

            return componentsschemas_error_response_type_2

        response_400 = _parse_response_400(response.json())

        return response_400

    if response.status_code == 401:

        def _parse_response_401(data: object) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = StringErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayMessage.from_dict(data)

            return componentsschemas_error_response_type_2

        response_401 = _parse_response_401(response.json())

        return response_401

    if response.status_code == 403:

        def _parse_response_403(data: object) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = StringErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayMessage.from_dict(data)

            return componentsschemas_error_response_type_2

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 404:

        def _parse_response_404(data: object) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = StringErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayMessage.from_dict(data)

            return componentsschemas_error_response_type_2

        response_404 = _parse_response_404(response.json())

        return response_404

    if response.status_code == 429:

        def _parse_response_429(data: object) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = StringErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayMessage.from_dict(data)

            return componentsschemas_error_response_type_2

        response_429 = _parse_response_429(response.json())

        return response_429

    if response.status_code == 500:

        def _parse_response_500(data: object) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = StringErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayMessage.from_dict(data)

            return componentsschemas_error_response_type_2

        response_500 = _parse_response_500(response.json())

        return response_500

    if response.status_code == 502:

        def _parse_response_502(data: object) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = StringErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayMessage.from_dict(data)

            return componentsschemas_error_response_type_2

        response_502 = _parse_response_502(response.json())

        return response_502

    if response.status_code == 503:

        def _parse_response_503(data: object) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = StringErrorEnvelope.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayMessage.from_dict(data)

            return componentsschemas_error_response_type_2

        response_503 = _parse_response_503(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    repeatrequest_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: RepeatRequestStatusUpdate,
) -> Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult]:
    """Cancel or approve a repeat request.

     The reference SDK sends `{"status": "canceled"}`; Capella's docs use
    `{"code": "canceled"}` and `{"code": "submitted"}`. Both keys are described.

    Args:
        repeatrequest_id (str):
        body (RepeatRequestStatusUpdate): The reference SDK sends `status`; Capella's docs send
            `code`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult]
    """

    kwargs = _get_kwargs(
        repeatrequest_id=repeatrequest_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    repeatrequest_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: RepeatRequestStatusUpdate,
) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult | None:
    """Cancel or approve a repeat request.

     The reference SDK sends `{"status": "canceled"}`; Capella's docs use
    `{"code": "canceled"}` and `{"code": "submitted"}`. Both keys are described.

    Args:
        repeatrequest_id (str):
        body (RepeatRequestStatusUpdate): The reference SDK sends `status`; Capella's docs send
            `code`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult
    """

    return sync_detailed(
        repeatrequest_id=repeatrequest_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    repeatrequest_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: RepeatRequestStatusUpdate,
) -> Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult]:
    """Cancel or approve a repeat request.

     The reference SDK sends `{"status": "canceled"}`; Capella's docs use
    `{"code": "canceled"}` and `{"code": "submitted"}`. Both keys are described.

    Args:
        repeatrequest_id (str):
        body (RepeatRequestStatusUpdate): The reference SDK sends `status`; Capella's docs send
            `code`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult]
    """

    kwargs = _get_kwargs(
        repeatrequest_id=repeatrequest_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    repeatrequest_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: RepeatRequestStatusUpdate,
) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult | None:
    """Cancel or approve a repeat request.

     The reference SDK sends `{"status": "canceled"}`; Capella's docs use
    `{"code": "canceled"}` and `{"code": "submitted"}`. Both keys are described.

    Args:
        repeatrequest_id (str):
        body (RepeatRequestStatusUpdate): The reference SDK sends `status`; Capella's docs send
            `code`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequest | StatusUpdateResult
    """

    return (
        await asyncio_detailed(
            repeatrequest_id=repeatrequest_id,
            client=client,
            body=body,
        )
    ).parsed
