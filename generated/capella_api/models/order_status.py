from enum import StrEnum


class OrderStatus(StrEnum):
    COMPLETED = "completed"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
