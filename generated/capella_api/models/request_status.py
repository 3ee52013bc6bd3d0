from enum import StrEnum


class RequestStatus(StrEnum):
    ACCEPTED = "accepted"
    ACTIVE = "active"
    ANOMALY = "anomaly"
    CANCELED = "canceled"
    COMPLETED = "completed"
    ERROR = "error"
    EXPIRED = "expired"
    FAILED = "failed"
    RECEIVED = "received"
    REJECTED = "rejected"
    RETRYING = "retrying"
    REVIEW = "review"
    SUBMITTED = "submitted"

    def __str__(self) -> str:
        return str(self.value)
