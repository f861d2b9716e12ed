"""Logging set-up, done once by ``create_app`` and the CLI from settings."""

from __future__ import annotations

import json
import logging
import sys


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Configure the ``sro_graph`` logger (idempotent)."""
    logger = logging.getLogger("sro_graph")
    logger.setLevel(level)
    if any(getattr(h, "_sro", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._sro = True  # type: ignore[attr-defined]
    handler.setFormatter(
        _JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
