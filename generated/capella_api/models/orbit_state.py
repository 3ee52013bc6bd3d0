from enum import StrEnum


class OrbitState(StrEnum):
    ASCENDING = "ascending"
    DESCENDING = "descending"
    EITHER = "either"

    def __str__(self) -> str:
        return str(self.value)
