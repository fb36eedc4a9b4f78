"""DRF fields every app's API shares."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lumiku.core.storage import storage_url


@extend_schema_field({"type": "string", "format": "uri-reference", "nullable": True})  # /media/... locally
class StorageUrlField(serializers.Field):
    """A FileField rendered as its public (or signed) URL; empty → null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return storage_url(getattr(value, "name", value) or None)
