"""Authentication backend for the test settings only."""

from axes.backends import AxesStandaloneBackend


class AxesBackendAllowingTestClient(AxesStandaloneBackend):
    """django-axes, except that a call without a request (the test client's ``login()``) is passed on.

    Every real login (the admin form) carries its request, so throttling stays fully active in tests.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
