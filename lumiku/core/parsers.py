"""The API's JSON parser: nesting deeper than Python's stack is a 400 (issue 18), not a 500."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json raises RecursionError for very deep arrays/objects (50,000 "[" in a few hundred KB).
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None
