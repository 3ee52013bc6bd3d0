from enum import StrEnum


class InstrumentMode(StrEnum):
    SLIDING_SPOTLIGHT = "sliding_spotlight"
    SPOTLIGHT = "spotlight"
    STRIPMAP = "stripmap"

    def __str__(self) -> str:
        return str(self.value)
