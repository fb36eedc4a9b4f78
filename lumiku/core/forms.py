"""Showing a service's refusal on a page form: the one mapping every page uses."""

from __future__ import annotations

from django import forms

from lumiku.core.errors import DomainError


def form_add_domain_error(*, form: forms.Form, exc: DomainError, field_map: dict[str, str]) -> None:
    """Put a service's DomainError on the form fields it names — its `fields` extra (API field name →
    messages), or a "<apiField>: ..." message — and above the form when it names none of them.

    One field named: the service's message goes on it (a whole sentence, unless it is the generic default);
    several: each gets its own messages. `field_map` maps the API's field names (camelCase, as services
    report them) to the form's own."""
    fields = dict(exc.extra.get("fields") or {})
    message = exc.message
    if not fields:
        prefix, sep, rest = exc.message.partition(": ")
        if sep and prefix in field_map:
            message = rest[:1].upper() + rest[1:]
            fields = {prefix: [message]}
    named = {field_map.get(api_field): errors for api_field, errors in fields.items()
             if field_map.get(api_field) in form.fields}
    if len(named) == 1 and exc.message != str(type(exc).default_message):
        named = dict.fromkeys(named, message)  # the service's own sentence says it best
    for name, errors in named.items():
        form.add_error(name, errors)
    if not named:
        form.add_error(None, message)
