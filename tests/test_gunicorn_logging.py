"""The gunicorn access log keeps no query strings and only the network of client addresses."""

import datetime
import os
import runpy
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
import requests
from gunicorn.config import Config

from portal.gunicorn_logging import PrivateAccessLogger, truncate_address
from tests.test_hardening_settings import ROOT, free_port, prod_env

SECRET = "/search/?q=%E8%BA%AB%E4%BB%BD%E8%AF%81430104199001011234"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:abcd:12:1::5", "2001:db8:abcd::"),
        ("10.1.2.3, 198.51.100.200", "10.1.2.0, 198.51.100.0"),
        ("not-an-address", "-"),
        ("-", "-"),
    ],
)
def test_truncate_address(value, expected):
    assert truncate_address(value) == expected


def access_line(logger_class, environ, headers):
    cfg = Config()
    logger = logger_class(cfg)
    resp = SimpleNamespace(status="200 OK", sent=512, headers=[])
    req = SimpleNamespace(headers=headers)
    atoms = logger.atoms(resp, req, environ, datetime.timedelta(milliseconds=12))
    fmt = cfg.access_log_format + ' xff="%({x-forwarded-for}i)s" query=<%(q)s>'
    return fmt % atoms


def test_the_logger_drops_queries_and_cuts_addresses():
    environ = {
        "REMOTE_ADDR": "203.0.113.77",
        "REQUEST_METHOD": "GET",
        "RAW_URI": SECRET,
        "PATH_INFO": "/search/",
        "QUERY_STRING": SECRET.split("?")[1],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://portal.example.org" + SECRET,
        "HTTP_USER_AGENT": "test-agent",
    }
    headers = [("X-FORWARDED-FOR", "198.51.100.23"), ("REFERER", environ["HTTP_REFERER"])]
    line = access_line(PrivateAccessLogger, environ, headers)
    assert "430104" not in line and "?q=" not in line and "query=<>" in line
    assert "203.0.113.77" not in line and "198.51.100.23" not in line
    assert line.startswith("203.0.113.0 ")
    assert '"GET /search/ HTTP/1.1" 200 512 "https://portal.example.org/search/" "test-agent"' in line
    assert 'xff="198.51.100.0"' in line


def load_conf(**env):
    with mock.patch.dict(os.environ, env):
        return runpy.run_path(str(ROOT / "portal" / "gunicorn.conf.py"))


def test_the_configuration_uses_it_unless_told_not_to():
    assert load_conf()["logger_class"] == "portal.gunicorn_logging.PrivateAccessLogger"
    assert "logger_class" not in load_conf(ACCESS_LOG_PRIVATE="0")
    conf = load_conf()
    assert (conf["limit_request_line"], conf["limit_request_fields"], conf["limit_request_field_size"]) == (
        8190,
        100,
        8190,
    )


@pytest.mark.slow
def test_a_real_gunicorn_writes_private_access_lines(tmp_path):
    env = prod_env(tmp_path, SECURE_SSL_REDIRECT="0", WORKERS="1")
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [gunicorn, "portal.wsgi", "-c", "portal/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}{SECRET}", timeout=10)
                break
            except requests.ConnectionError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log_path.read_text()
    assert "127.0.0.0 - - [" in text and '"GET /search/ HTTP/1.1"' in text, text
    assert "430104" not in text and "127.0.0.1 - -" not in text
