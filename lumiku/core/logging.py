"""Log formatters: one JSON object per line (production, `LOG_FORMAT=json`) or readable text (local).

Both add the context of `lumiku.core.request_id`: request_id, user_id, generation_id.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from lumiku.core.request_id import current_user_id, generation_id_var, request_id_var

# Attributes every LogRecord has; anything else was passed with `extra=` and is kept in JSON output.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def _context() -> dict[str, str | None]:
    return {"request_id": request_id_var.get(), "user_id": current_user_id(), "generation_id": generation_id_var.get()}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in _context().items() if value is not None})
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time level logger [request_id user=.. generation=..] message` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(context)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        context = _context()
        parts = [context["request_id"] and context["request_id"][:12],
                 context["user_id"] and f"user={context['user_id']}",
                 context["generation_id"] and f"generation={context['generation_id']}"]
        shown = " ".join(p for p in parts if p)
        record.context = f"[{shown}] " if shown else ""
        return super().format(record)
