from enum import StrEnum


class InsarOrbit(StrEnum):
    MIO_53_2P95 = "MIO_53_2P95"
    SSO_97_7P00 = "SSO_97_7P00"

    def __str__(self) -> str:
        return str(self.value)
