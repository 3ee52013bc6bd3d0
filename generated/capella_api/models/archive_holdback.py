from enum import StrEnum


class ArchiveHoldback(StrEnum):
    NONE = "none"
    ONE_YEAR = "1_year"
    PERMANENT = "permanent"
    THIRTY_DAY = "30_day"

    def __str__(self) -> str:
        return str(self.value)
