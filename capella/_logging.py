"""Per-client logging on the ``capella`` logger, with redaction and per-client verbosity."""

from __future__ import annotations

import itertools
import logging
import sys
import weakref
from collections.abc import Iterable
from typing import Any

from capella._redact import RedactingFilter, install_third_party_filters, redact

LOGGER_NAME = "capella"
_ids = itertools.count(1)

# A library adds a NullHandler so that an unconfigured application sees no "no handler" warning.
logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())


class _OwnRecords(logging.Filter):
    """Passes only the records emitted by one client."""

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "capella_client", None) == self.client_id


def _detach(logger: logging.Logger, handler: logging.Handler) -> None:
    logger.removeHandler(handler)
    handler.close()


class ClientLog:
    """The logger one client writes to: ``capella`` records tagged with the client's id.

    ``verbose=True`` shows this client's INFO records on stderr without lowering the level of
    the shared ``capella`` logger, so other clients in the process are not affected.
    """

    def __init__(self, *, verbose: bool = False, secrets: Iterable[str] = ()) -> None:
        self.logger = logging.getLogger(LOGGER_NAME)
        self.client_id = next(_ids)
        self.verbose = verbose
        self._secrets = tuple(s for s in secrets if s)
        install_third_party_filters()
        if verbose:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(
                logging.Formatter("%(asctime)s - capella - %(levelname)s - %(message)s")
            )
            handler.addFilter(_OwnRecords(self.client_id))
            handler.addFilter(RedactingFilter(self._secrets))
            self.logger.addHandler(handler)
            self._handler = handler
            self._finalizer = weakref.finalize(self, _detach, self.logger, handler)

    def close(self) -> None:
        """Detach the verbose handler, if any."""
        if self.verbose:
            self._finalizer()

    def log(self, level: int, msg: str, *args: Any) -> None:
        """Log ``msg % args`` with secrets redacted."""
        enabled = self.logger.isEnabledFor(level)
        forced = not enabled and self.verbose and level >= logging.INFO
        if not (enabled or forced):
            return
        text = redact(msg % args if args else msg, self._secrets)
        record = self.logger.makeRecord(
            self.logger.name,
            level,
            "(capella)",
            0,
            text,
            (),
            None,
            extra={"capella_client": self.client_id},
        )
        if forced:
            # Below the level the application set: only this client's own handler shows it,
            # never the application's handlers (the root logger's among them).
            self._handler.handle(record)
        else:
            self.logger.handle(record)

    def debug(self, msg: str, *args: Any) -> None:
        """Log at DEBUG."""
        self.log(logging.DEBUG, msg, *args)

    def info(self, msg: str, *args: Any) -> None:
        """Log at INFO."""
        self.log(logging.INFO, msg, *args)

    def warning(self, msg: str, *args: Any) -> None:
        """Log at WARNING."""
        self.log(logging.WARNING, msg, *args)

    def error(self, msg: str, *args: Any) -> None:
        """Log at ERROR."""
        self.log(logging.ERROR, msg, *args)
