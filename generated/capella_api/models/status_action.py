from enum import StrEnum


class StatusAction(StrEnum):
    APPROVED = "approved"
    CANCELED = "canceled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    SUBMITTED = "submitted"

    def __str__(self) -> str:
        return str(self.value)
