from enum import StrEnum


class Polarization(StrEnum):
    HH = "HH"
    HV = "HV"
    VH = "VH"
    VV = "VV"

    def __str__(self) -> str:
        return str(self.value)
