"""Errors raised by services; views, forms and the API translate them into messages for the user."""


class ApplicationError(Exception):
    """A business rule was broken. ``message`` is user-facing (already translated); ``fields`` maps field → messages."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


def error_text(error: Exception) -> str:
    """What a person reads about ``error``: a rule's own message, or the exception's type and text."""
    if isinstance(error, ApplicationError):
        return error.message
    return f"{type(error).__name__}: {error}"
