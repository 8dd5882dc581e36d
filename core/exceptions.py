"""Errors raised by services; views, forms and the API translate them into messages for the user."""


class ApplicationError(Exception):
    """A business rule was broken. ``message`` is user-facing (already translated); ``fields`` maps field → messages."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
