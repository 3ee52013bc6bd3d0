from enum import StrEnum


class LookDirection(StrEnum):
    EITHER = "either"
    LEFT = "left"
    RIGHT = "right"

    def __str__(self) -> str:
        return str(self.value)
