from enum import StrEnum


class CollectionTier(StrEnum):
    FLEXIBLE = "flexible"
    INTERNAL = "internal"
    ONE_DAY = "1_day"
    PRIORITY = "priority"
    SEVEN_DAY = "7_day"
    STANDARD = "standard"
    THREE_DAY = "3_day"
    URGENT = "urgent"

    def __str__(self) -> str:
        return str(self.value)
