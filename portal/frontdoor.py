"""Renders deploy/nginx.conf, the reverse proxy that must stand in front of gunicorn in production.

python -m portal.frontdoor --listen 80 --upstream 127.0.0.1:8000 --static-root var/staticfiles -o nginx.conf
"""

import argparse
import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
# Values end up inside nginx directives: no whitespace, quotes, braces or semicolons.
SAFE_VALUE = re.compile(r"[^\s;{}'\"#]+")


def render_nginx_conf(listen, upstream, static_root, template=TEMPLATE):
    values = {"LISTEN": str(listen), "UPSTREAM": str(upstream), "STATIC_ROOT": str(Path(static_root).resolve())}
    for name, value in values.items():
        if not SAFE_VALUE.fullmatch(value):
            raise ValueError(f"{name.lower()} {value!r} cannot go into nginx.conf")
    text = Path(template).read_text(encoding="utf-8")
    missing = set(PLACEHOLDER.findall(text)) - set(values)
    if missing:
        raise ValueError(f"no value for {', '.join(sorted(missing))}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", default="80", help="port or address:port nginx listens on")
    parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn's address:port")
    parser.add_argument("--static-root", default="var/staticfiles", help="STATIC_ROOT after collectstatic")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    try:
        text = render_nginx_conf(args.listen, args.upstream, args.static_root)
    except ValueError as exc:
        parser.error(str(exc))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
