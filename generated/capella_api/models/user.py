from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.user_organization import UserOrganization


T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """
    Attributes:
        id (str):
        organization_id (str):
        email (str):
        roles (list[str] | Unset):
        organization (UserOrganization | Unset):
        api_environment_role (str | Unset):
    """

    id: str
    organization_id: str
    email: str
    roles: list[str] | Unset = UNSET
    organization: UserOrganization | Unset = UNSET
    api_environment_role: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        organization_id = self.organization_id

        email = self.email

        roles: list[str] | Unset = UNSET
        if not isinstance(self.roles, Unset):
            roles = self.roles

        organization: dict[str, Any] | Unset = UNSET
        if not isinstance(self.organization, Unset):
            organization = self.organization.to_dict()

        api_environment_role = self.api_environment_role

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "organizationId": organization_id,
                "email": email,
            }
        )
        if roles is not UNSET:
            field_dict["roles"] = roles
        if organization is not UNSET:
            field_dict["organization"] = organization
        if api_environment_role is not UNSET:
            field_dict["apiEnvironmentRole"] = api_environment_role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user_organization import UserOrganization  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        organization_id = d.pop("organizationId")

        email = d.pop("email")

        roles = cast(list[str], d.pop("roles", UNSET))

        _organization = d.pop("organization", UNSET)
        organization: UserOrganization | Unset
        if isinstance(_organization, Unset):
            organization = UNSET
        else:
            organization = UserOrganization.from_dict(_organization)

        api_environment_role = d.pop("apiEnvironmentRole", UNSET)

        user = cls(
            id=id,
            organization_id=organization_id,
            email=email,
            roles=roles,
            organization=organization,
            api_environment_role=api_environment_role,
        )

        user.additional_properties = d
        return user

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
