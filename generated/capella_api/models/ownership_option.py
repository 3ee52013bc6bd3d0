from enum import StrEnum


class OwnershipOption(StrEnum):
    AVAILABLE_FOR_PURCHASE = "availableForPurchase"
    OWNED_BY_ORGANIZATION = "ownedByOrganization"
    PUBLICLY_AVAILABLE = "publiclyAvailable"
    SHARED_WITH_ORGANIZATION = "sharedWithOrganization"

    def __str__(self) -> str:
        return str(self.value)
