"""The sandbox's users, and how a request proves which one it is and which contract it bills."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from capella.sandbox.api_errors import ApiError
from capella.sandbox.config import DEMO_CONTRACT_ID, SandboxConfig
from capella.sandbox.json_types import Json

__all__ = [
    "COLLEAGUE",
    "DEMO_USER",
    "STRANGER",
    "User",
    "authenticate",
    "contract_id",
    "contract_ok",
]


@dataclass(frozen=True)
class User:
    """A sandbox user and the organisation it belongs to."""

    id: str
    organization_id: str
    email: str
    organization_name: str
    roles: tuple[str, ...] = ("organization-manager",)

    @property
    def is_manager(self) -> bool:
        """Whether the user sees the whole organisation's requests and orders."""
        return "organization-manager" in self.roles or "admin" in self.roles

    def to_json(self) -> Json:
        """The `GET /user` body."""
        return {
            "id": self.id,
            "organizationId": self.organization_id,
            "email": self.email,
            "roles": list(self.roles),
            "organization": {"name": self.organization_name},
            "apiEnvironmentRole": "sandbox",
        }


DEMO_USER = User(
    id="5b6a3c0e-8d51-4a7f-9c1e-2f4d6a8b0c11",
    organization_id="0d7e2f4a-6b8c-4d1e-a3f5-7c9e1b3d5f22",
    email="demo@sandbox.capella.invalid",
    organization_name="Capella Sandbox Demo Org",
)
# A colleague in the demo organisation (owns requests the demo user sees as a manager) and a user
# of another organisation (whose requests must never be visible). Neither can log in.
COLLEAGUE = User(
    id="8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e33",
    organization_id=DEMO_USER.organization_id,
    email="colleague@sandbox.capella.invalid",
    organization_name=DEMO_USER.organization_name,
    roles=("user",),
)
STRANGER = User(
    id="3f5a7b9c-2d4e-4f6a-8b0c-1d2e3f4a5b44",
    organization_id="9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c55",
    email="someone@elsewhere.invalid",
    organization_name="Another Org",
    roles=("organization-manager",),
)


def authenticate(config: SandboxConfig, authorization: str | None) -> User | None:
    """The user behind an `Authorization` header, or None if it is missing or wrong."""
    if not authorization:
        return None
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "apikey" and credential in config.api_keys:
        return DEMO_USER
    if scheme.lower() == "bearer" and credential in config.tokens:
        return DEMO_USER
    return None


def contract_ok(config: SandboxConfig, contract: Any) -> bool:
    """Whether `contract` names a contract of the sandbox (None: the default contract)."""
    return contract is None or (
        isinstance(contract, str)
        and (contract == DEMO_CONTRACT_ID or contract.startswith(config.contract_prefix))
    )


def contract_id(config: SandboxConfig, contract: Any) -> str:
    """The contract a request bills (the demo one when it names none), or CONTRACT_NOT_FOUND."""
    if not contract_ok(config, contract):
        raise ApiError(400, "CONTRACT_NOT_FOUND", "Contract not found")
    return str(contract or DEMO_CONTRACT_ID)
