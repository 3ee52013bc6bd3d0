"""``CapellaConsoleClient``: the public facade. It wires the modules together; methods are short.

Every method (API calls and downloads) is an operation (:mod:`capella._flow`) from the shared
table (:mod:`capella._api`), run on the client's session; downloads move their bytes on the
threaded driver (:mod:`capella.transfers`). The async client (:mod:`capella.aio.client`) takes
the same operations and awaits them.
"""

from __future__ import annotations

import httpx

from capella._api import ClientCore
from capella._closing import Closing
from capella._http import ApiSession
from capella._methods import sync_method


class CapellaConsoleClient(ClientCore[httpx.BaseTransport], Closing):
    """Client of the Capella API (https://api.capellaspace.com or a sandbox).

    Credentials, in order of precedence: ``api_key``, ``token``, the ``CAPELLA_API_KEY``
    environment variable, then a prompt (only when stdin is a terminal). The API URL:
    ``base_url``, else the ``CAPELLA_API_URL`` environment variable, else the public API.
    Unless ``no_token_check``, the credentials are checked with ``GET /user`` at construction.
    ``gc_pause`` (on by default) pauses the garbage collector while large search pages are
    decoded (see ``capella._gcpause`` for what it costs the rest of the process).
    """

    _make_method = staticmethod(sync_method)
    _session_type = ApiSession
    _transfers_type = "capella.transfers.Transfers"
    _session: ApiSession

    def _opened(self) -> None:
        if self._check_token:
            self._session.run(self._authenticate())

    def close(self) -> None:
        """Close connections and detach the verbose log handler."""
        self._session.close()
        self._downloads.close()
        self._log.close()

    @property
    def customer_id(self) -> str:
        """The id of the authenticated user."""
        return str(self._session.user()["id"])

    @property
    def organization_id(self) -> str:
        """The organization id of the authenticated user."""
        return str(self._session.user()["organizationId"])
