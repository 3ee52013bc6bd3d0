"""moto's S3 in server mode for the end-to-end tests, and the AWS environment pointing at it."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

# Variables of a developer's own AWS set-up that would otherwise reach boto3.
AWS_UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def aws_environment(endpoint: str) -> dict[str, str]:
    """The standard AWS variables for moto at ``endpoint``: test keys, nothing read from ~/.aws."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def point_aws_at(env: pytest.MonkeyPatch, endpoint: str) -> None:
    """Set the AWS environment for moto at ``endpoint`` (undone with ``env``)."""
    for name in AWS_UNSET:
        env.delenv(name, raising=False)
    for name, value in aws_environment(endpoint).items():
        env.setenv(name, value)


@contextlib.contextmanager
def moto_s3() -> Iterator[str]:
    """moto's S3 on 127.0.0.1 (a free port) while the block runs; yields its endpoint URL."""
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.ERROR)  # one access-log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        werkzeug.setLevel(level)
