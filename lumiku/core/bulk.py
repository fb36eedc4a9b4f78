"""Fast multi-row inserts: PostgreSQL COPY with each column's default prepared once.

`bulk_create` builds a model instance and prepares every value of every row; for the hundreds of
rows a generation creates up front that dominates the request. Here rows give only the fields
that vary (by attname); every other concrete field takes its default — prepared once — and
auto_now/auto_now_add fields take the current time. Other databases use `bulk_create`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import BooleanField, ForeignKey, IntegerField, Model, UUIDField
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

_NATIVE = (UUIDField, IntegerField, BooleanField)  # psycopg adapts these Python values as they are


def _preparer(field):
    target = field.target_field if isinstance(field, ForeignKey) else field
    if isinstance(target, _NATIVE) and not isinstance(target, AutoFieldMixin):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def bulk_insert(*, model: type[Model], rows: Sequence[dict]) -> int:
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return len(rows)
    varying = set().union(*(row.keys() for row in rows))
    # Serial primary keys come from their database sequence.
    fields = [f for f in model._meta.concrete_fields
              if not (isinstance(f, AutoFieldMixin) and f.attname not in varying)]
    now = timezone.now()
    constant: dict[str, object] = {}
    per_row_default = []
    for field in fields:
        if field.attname in varying:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constant[field.attname] = field.get_db_prep_save(now, connection)
        elif field.has_default() and callable(field.default) and field.primary_key:
            per_row_default.append(field)  # e.g. uuid4 primary keys
        else:
            constant[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    preparers = {f.attname: _preparer(f) for f in fields}
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = dict(constant)
            for field in per_row_default:
                values[field.attname] = field.get_default()
            for attname, value in row.items():
                prepare = preparers[attname]
                values[attname] = value if prepare is None or value is None else prepare(value)
            copy.write_row([values[f.attname] for f in fields])
    return len(rows)
