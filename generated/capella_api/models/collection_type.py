from enum import StrEnum


class CollectionType(StrEnum):
    PARALLEL_STRIPMAP_100 = "parallel_stripmap_100"
    PARALLEL_STRIPMAP_20 = "parallel_stripmap_20"
    PARALLEL_STRIPMAP_50 = "parallel_stripmap_50"
    SPOTLIGHT = "spotlight"
    SPOTLIGHT_ULTRA = "spotlight_ultra"
    SPOTLIGHT_WIDE = "spotlight_wide"
    STRIPMAP_100 = "stripmap_100"
    STRIPMAP_20 = "stripmap_20"
    STRIPMAP_50 = "stripmap_50"

    def __str__(self) -> str:
        return str(self.value)
