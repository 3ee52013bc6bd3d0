from enum import StrEnum


class CollectStatus(StrEnum):
    ANOMALY = "anomaly"
    COLLECTED = "collected"
    DELIVERED = "delivered"
    PREDICTED = "predicted"
    PROCESSING = "processing"
    QA = "qa"
    TASKED = "tasked"

    def __str__(self) -> str:
        return str(self.value)
