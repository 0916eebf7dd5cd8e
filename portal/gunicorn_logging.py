"""gunicorn access log without personal data: no query strings (searches name illnesses, ID numbers, places)
and client addresses cut to their network, /24 for IPv4 and /48 for IPv6 (203.0.113.77 → 203.0.113.0).

portal/gunicorn.conf.py uses it unless ACCESS_LOG_PRIVATE=0.
"""

import ipaddress

from gunicorn.glogging import Logger

# Request headers that carry an address or a URL with its query string (gunicorn's "{name}i" atoms).
ADDRESS_HEADERS = ("{x-forwarded-for}i", "{x-real-ip}i", "{forwarded}i")
URL_HEADERS = ("{referer}i", "{origin}i")


def truncate_address(value):
    """The network of one address, or of each in a comma-separated X-Forwarded-For list."""
    if not value or value == "-":
        return value
    parts = []
    for part in value.split(","):
        try:
            address = ipaddress.ip_address(part.strip())
        except ValueError:
            parts.append("-")  # not an address (a Forwarded header, a unix socket): nothing to keep
            continue
        prefix = 24 if address.version == 4 else 48
        parts.append(str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address))
    return ", ".join(parts)


def without_query(url):
    return url.split("?", 1)[0] if url else url


class PrivateAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = truncate_address(atoms["h"])
        atoms["r"] = f"{environ['REQUEST_METHOD']} {without_query(environ['RAW_URI'])} {environ['SERVER_PROTOCOL']}"
        atoms["q"] = ""
        atoms["f"] = without_query(atoms["f"])
        for key in ADDRESS_HEADERS:
            if key in atoms:
                atoms[key] = truncate_address(atoms[key])
        for key in URL_HEADERS:
            if key in atoms:
                atoms[key] = without_query(atoms[key])
        return atoms
