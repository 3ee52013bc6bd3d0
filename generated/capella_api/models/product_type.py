from enum import StrEnum


class ProductType(StrEnum):
    ACD = "ACD"
    CPHD = "CPHD"
    CSI = "CSI"
    CSIDD = "CSIDD"
    GEC = "GEC"
    GEO = "GEO"
    SICD = "SICD"
    SIDD = "SIDD"
    SLC = "SLC"
    VC = "VC"
    VS = "VS"

    def __str__(self) -> str:
        return str(self.value)
