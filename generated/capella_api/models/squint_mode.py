from enum import StrEnum


class SquintMode(StrEnum):
    BACKWARD = "backward"
    DISABLED = "disabled"
    ENABLED = "enabled"
    FORWARD = "forward"

    def __str__(self) -> str:
        return str(self.value)
