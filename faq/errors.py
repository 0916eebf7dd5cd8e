"""Errors every layer may raise, kept at the bottom so nothing imports upwards to reach them."""


class BadParameter(ValueError):
    """A request parameter that cannot be used; the message is shown to the caller."""
