"""The API's JSON parser: a body nested deeper than any request of ours (``MAX_DEPTH``) is a 400, not a crash."""

import io

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32
"""The deepest body the API takes: the filings are two levels deep; a few thousand brackets would exhaust Python's
recursion limit in ``json.loads`` (a 500) or cost CPU for nothing."""


def _depth(text: str) -> int:
    """How deep the JSON ``text`` nests (brackets inside strings do not count); stops counting past ``MAX_DEPTH``."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # the usual body: nothing to walk
        return 0
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """``JSONParser`` that refuses a body nested deeper than ``MAX_DEPTH`` before decoding it."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            text = raw.decode((parser_context or {}).get("encoding") or "utf-8", errors="replace")
        except LookupError:  # a charset that is not a text encoding (charset=base64): DRF's own answer, a 400
            raise ParseError(_("无法识别请求体的字符编码。"))
        if _depth(text) > MAX_DEPTH:
            raise ParseError(_("请求体的嵌套层级过深(最多 %(max)d 层)。") % {"max": MAX_DEPTH})
        return super().parse(io.BytesIO(raw), media_type, parser_context)
