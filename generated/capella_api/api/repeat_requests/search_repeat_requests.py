from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.gateway_message import GatewayMessage
from ...models.repeat_request_search_page import RepeatRequestSearchPage
from ...models.repeat_request_search_request import RepeatRequestSearchRequest
from ...models.string_error_envelope import StringErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: RepeatRequestSearchRequest,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/repeat-requests/search",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage | None:
    if response.status_code == 200:
        response_200 = RepeatRequestSearchPage.from_dict(response.json())

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
) -> Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RepeatRequestSearchRequest,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage]:
    """Search repeat requests, one page at a time.

     Paged like `POST /tasks/search`. The reference SDK puts its filters under `filter`;
    Capella's docs use `query`.

    Args:
        page (int | Unset):
        limit (int | Unset):
        body (RepeatRequestSearchRequest): The reference SDK sends its filters under `filter`;
            Capella's docs use `query`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage]
    """

    kwargs = _get_kwargs(
        body=body,
        page=page,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: RepeatRequestSearchRequest,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage | None:
    """Search repeat requests, one page at a time.

     Paged like `POST /tasks/search`. The reference SDK puts its filters under `filter`;
    Capella's docs use `query`.

    Args:
        page (int | Unset):
        limit (int | Unset):
        body (RepeatRequestSearchRequest): The reference SDK sends its filters under `filter`;
            Capella's docs use `query`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage
    """

    return sync_detailed(
        client=client,
        body=body,
        page=page,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RepeatRequestSearchRequest,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage]:
    """Search repeat requests, one page at a time.

     Paged like `POST /tasks/search`. The reference SDK puts its filters under `filter`;
    Capella's docs use `query`.

    Args:
        page (int | Unset):
        limit (int | Unset):
        body (RepeatRequestSearchRequest): The reference SDK sends its filters under `filter`;
            Capella's docs use `query`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage]
    """

    kwargs = _get_kwargs(
        body=body,
        page=page,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RepeatRequestSearchRequest,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage | None:
    """Search repeat requests, one page at a time.

     Paged like `POST /tasks/search`. The reference SDK puts its filters under `filter`;
    Capella's docs use `query`.

    Args:
        page (int | Unset):
        limit (int | Unset):
        body (RepeatRequestSearchRequest): The reference SDK sends its filters under `filter`;
            Capella's docs use `query`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | GatewayMessage | StringErrorEnvelope | RepeatRequestSearchPage
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            page=page,
            limit=limit,
        )
    ).parsed
