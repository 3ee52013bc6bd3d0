from enum import StrEnum


class RepeatCollectionTier(StrEnum):
    BACKGROUND = "background"
    FLEXIBLE = "flexible"
    INSAR = "insar"
    INSAR_INTERNAL = "insar-internal"
    INTERNAL = "internal"
    ROUTINE = "routine"

    def __str__(self) -> str:
        return str(self.value)
