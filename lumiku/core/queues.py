"""The one list of Celery queues. GPU machines subscribe only to ENGINE."""

from enum import StrEnum


class Queue(StrEnum):
    DEFAULT = "default"
    ENGINE = "engine"
    EXPORT = "export"
