"""Admin login throttling: per-address lockout, the client address behind the proxy, no hashing once locked."""

import uuid
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.contrib.auth.models import User
from django.test import Client, RequestFactory, override_settings

from portal.security import client_ip

PASSWORD = "correct horse battery"


def post_login(client, username, password, **meta):
    return client.post("/admin/login/", {"username": username, "password": password}, **meta)


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


@pytest.mark.django_db
def test_a_spray_of_random_usernames_locks_the_address_out(client, editor):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert settings.AXES_FAILURE_LIMIT < limit <= 50
    for attempt in range(limit - 1):
        response = post_login(client, f"user-{uuid.uuid4().hex[:8]}", f"guess-{attempt}")
        assert response.status_code == 200, attempt
    # One below the address limit: a real login from there still works (staff share office addresses).
    assert post_login(Client(), "editor", PASSWORD).status_code == 302
    User.objects.create_user("other", password="another good secret", is_staff=True)
    for attempt in range(limit):
        post_login(client, f"user-{uuid.uuid4().hex[:8]}", f"guess-{attempt}")
    response = post_login(Client(), "other", "another good secret")
    assert response.status_code == 429
    assert "登录已锁定" in response.content.decode()
    # Another address is not affected.
    assert post_login(Client(), "other", "another good secret", REMOTE_ADDR="192.0.2.7").status_code == 302


def hasher_calls():
    """Spies on the configured password hasher: every check or dummy hash of a password goes through it."""
    hasher_class = type(get_hasher())
    return (
        mock.patch.object(hasher_class, "encode", autospec=True, side_effect=hasher_class.encode),
        mock.patch.object(hasher_class, "verify", autospec=True, side_effect=hasher_class.verify),
    )


@pytest.mark.django_db
def test_a_locked_out_login_is_rejected_without_hashing_the_password(client, editor):
    encode_patch, verify_patch = hasher_calls()
    with encode_patch as encode, verify_patch as verify:
        post_login(client, "editor", "wrong-0")
        post_login(client, "nobody-here", "wrong-0")
        assert verify.call_count >= 1 and encode.call_count >= 1, "the spy must see an unlocked failure"
        for attempt in range(1, settings.AXES_FAILURE_LIMIT):
            post_login(client, "editor", f"wrong-{attempt}")
        encode.reset_mock()
        verify.reset_mock()
        for password in ("wrong-again", PASSWORD):
            response = post_login(client, "editor", password)
            assert response.status_code == 429
        assert encode.call_count == 0 and verify.call_count == 0


@pytest.mark.django_db
@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_the_proxy_each_client_is_counted_by_its_own_address(editor):
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = post_login(attacker, "editor", f"wrong-{attempt}")
    assert response.status_code == 429
    # Three other clients behind the same proxy still get in: the lockout is not on the proxy's address.
    for n in range(3):
        colleague = Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}", **proxy)
        assert post_login(colleague, "editor", PASSWORD).status_code == 302, n
    assert post_login(attacker, "editor", PASSWORD).status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("behind_proxy", "remote"),
    [(False, "127.0.0.1"), (True, "203.0.113.50")],
    ids=["no proxy configured", "request not from the trusted proxy"],
)
def test_a_forged_forwarded_for_does_not_escape_the_lockout(editor, behind_proxy, remote):
    with override_settings(BEHIND_TLS_PROXY=behind_proxy):
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            forged = Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt + 1}", REMOTE_ADDR=remote)
            response = post_login(forged, "editor", f"wrong-{attempt}")
        assert response.status_code == 429


@pytest.mark.parametrize(
    ("behind_proxy", "remote", "forwarded", "expected"),
    [
        (False, "203.0.113.5", "198.51.100.1", "203.0.113.5"),
        (True, "127.0.0.1", "198.51.100.1", "198.51.100.1"),
        (True, "127.0.0.1", "10.0.0.1, 198.51.100.1", "198.51.100.1"),
        (True, "127.0.0.1", "", "127.0.0.1"),
        (True, "203.0.113.5", "198.51.100.1", "203.0.113.5"),
        (True, "::1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(behind_proxy, remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(BEHIND_TLS_PROXY=behind_proxy):
        assert client_ip(request) == expected
