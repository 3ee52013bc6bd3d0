from enum import StrEnum


class LocalTimeOption(StrEnum):
    ANYTIME = "anytime"
    DAY = "day"
    NIGHT = "night"

    def __str__(self) -> str:
        return str(self.value)
