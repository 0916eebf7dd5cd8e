"""Errors every layer may raise, kept at the bottom so nothing imports upwards to reach them."""


class BadParameter(ValueError):
    """A request parameter that cannot be used; the message is shown to the caller."""


class EditConflict(Exception):
    """Someone else saved the record after this change was begun; nothing was written."""


class ReviewError(Exception):
    """A review step that cannot be taken (already handled, nothing to review); the message is for staff."""
