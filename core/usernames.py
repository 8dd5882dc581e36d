"""Usernames people choose: normalised, and never a look-alike of an existing one.

A username is stored NFKC-normalised and trimmed (full-width ``ａｄｍｉｎ`` is ``admin``). Its *skeleton* — case-folded,
accents stripped, look-alike letters and digits folded together (Latin/Cyrillic/Greek homoglyphs, ``0``/``o``,
``1``/``l``/``i``, ``rn``/``m``), separators dropped — is stored beside it (``User.username_skeleton``, indexed), and a
new name whose skeleton an existing user already has is refused: ``b.wang`` after ``bwang``, ``cf0`` after ``cfo``,
``аdmin`` (Cyrillic а) after ``admin``. Reserved words and the service-account prefix are refused the same way.
The refusal never says which user exists (one message for taken, similar and reserved)."""

from __future__ import annotations

import unicodedata

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH, MAX_LENGTH = 3, 30
_FOLD = str.maketrans({
    "0": "o", "1": "l", "i": "l", "|": "l", "!": "l",
    # Cyrillic and Greek letters drawn like Latin ones (the common homoglyphs of UTS #39's confusables table).
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "l", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w",
})  # fmt: skip
_SEPARATORS = frozenset(".-_+@ ")
RESERVED = frozenset({"admin", "administrator", "root", "system", "support", "platform", "bureau", "bank", "staff",
                      "security", "service", "api", "null", "anonymous"})  # fmt: skip
SERVICE_PREFIX_SKELETON = "svc"  # service accounts are svc-<hex> (core.services.service_username)


def username_normalise(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "").strip()


def username_skeleton(name: str) -> str:
    """What ``name`` looks like, for comparing: equal skeletons are look-alikes."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).translate(_FOLD)
    folded = folded.replace("rn", "m").replace("vv", "w")
    return "".join(c for c in folded if c not in _SEPARATORS)


_RESERVED_SKELETONS = frozenset(username_skeleton(name) for name in RESERVED)


def username_validate(raw: str, *, taken=None) -> str:
    """The normalised name, or a ValidationError in the sign-up form's words. ``taken(skeleton)`` says whether a user
    already has that skeleton (``core.selectors``-free: the caller passes the query)."""
    name = username_normalise(raw)
    if not name:
        raise ValidationError(_("请填写用户名。"))
    if not MIN_LENGTH <= len(name) <= MAX_LENGTH:
        raise ValidationError(_("用户名须为 %(min)d 至 %(max)d 个字符。") % {"min": MIN_LENGTH, "max": MAX_LENGTH})
    try:
        UnicodeUsernameValidator()(name)
    except ValidationError:
        raise ValidationError(_("用户名只能包含字母、数字和 . @ + - _ 符号。")) from None
    skeleton = username_skeleton(name)
    unavailable = (
        not skeleton or skeleton in _RESERVED_SKELETONS or skeleton.startswith(SERVICE_PREFIX_SKELETON)
        or (taken is not None and taken(skeleton))
    )  # fmt: skip
    if unavailable:
        raise ValidationError(_("该用户名不可用(已被使用、与已有用户名相近或为保留名),请换一个。"))
    return name
