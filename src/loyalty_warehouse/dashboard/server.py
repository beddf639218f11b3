"""The dashboard's HTTP server: Python's standard library, one read-only connection per page load
to the build the pointer names at that moment (published.py).

Routes: ``/`` the dashboard, ``/healthz`` the published build as JSON, ``/quality`` the offline
quality report of the last build (when there is one), ``/static/*`` the stylesheet and icon
written for this project. Nothing is fetched from elsewhere; the Content-Security-Policy header
makes the browser refuse anything that is not from this server.
"""

from __future__ import annotations

import errno
import json
import sys
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from ..published import WarehouseNotFound, build_info, reading, stable_path
from ..quality_report import REPORT_NAME
from ..runner import data_docs_path
from .page import BadRequest, render_dashboard, render_message, resolve_selection

STATIC_DIR = Path(__file__).with_name("static")
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
# Same-origin only: no CDN script, font or image could load even if a page asked for one.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# The quality report is one self-contained file (it also opens from disk), so its styles are inline.
REPORT_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'unsafe-inline'")


class PortInUse(OSError):
    """The port is taken; the message is the one line to show."""


def quality_report_file(warehouse: Path) -> Path:
    return data_docs_path(warehouse) / REPORT_NAME


class DashboardHandler(BaseHTTPRequestHandler):
    server_version = "loyalty-dashboard"
    warehouse: Path  # set on the subclass made by make_server

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        started = time.perf_counter()
        url = urlsplit(self.path)
        try:
            if url.path == "/":
                self._dashboard(url.query)
            elif url.path == "/healthz":
                self._health()
            elif url.path == "/quality":
                self._quality()
            elif url.path.startswith("/static/"):
                self._static(url.path.removeprefix("/static/"))
            else:
                self._send_html(HTTPStatus.NOT_FOUND, render_message("not found", f"no page at {url.path}; open /"))
        except Exception as exc:  # one broken view must not kill the server; say what failed
            traceback.print_exc(file=sys.stderr)
            self._send_html(
                HTTPStatus.INTERNAL_SERVER_ERROR, render_message("error", f"the dashboard failed on {url.path}: {exc}")
            )
        self.log_message("%s %s %.0f ms", self.command, self.path, (time.perf_counter() - started) * 1000)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # do_GET logs one line with the time taken instead

    # --- routes -------------------------------------------------------------------------------

    def _dashboard(self, query: str) -> None:
        # One connection per page load, to the build the pointer names now: the header and every
        # chart come from that one build, and the next load sees a newer one.
        try:
            with reading(self.warehouse) as (con, info):
                selection = resolve_selection(con, query)
                html = render_dashboard(con, info, selection, quality_report_file(self.warehouse).is_file())
        except WarehouseNotFound as exc:
            self._send_html(HTTPStatus.SERVICE_UNAVAILABLE, render_message("no warehouse", str(exc)))
            return
        except BadRequest as exc:
            self._send_html(HTTPStatus.BAD_REQUEST, render_message("bad request", str(exc)))
            return
        self._send_html(HTTPStatus.OK, html)

    def _health(self) -> None:
        try:
            payload, status = {"status": "ok", **build_info(self.warehouse)}, HTTPStatus.OK
        except WarehouseNotFound as exc:
            payload, status = {"status": "no_warehouse", "message": str(exc)}, HTTPStatus.SERVICE_UNAVAILABLE
        self._send(status, "application/json", json.dumps(payload).encode())

    def _quality(self) -> None:
        report = quality_report_file(self.warehouse)
        if not report.is_file():
            self._send_html(
                HTTPStatus.NOT_FOUND,
                render_message(
                    "no quality report",
                    f"no quality report at {report}: `loyalty build` or `loyalty validate` writes it",
                ),
            )
            return
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", report.read_bytes(), REPORT_CONTENT_SECURITY_POLICY)

    def _static(self, name: str) -> None:
        path = STATIC_DIR / name
        # Only the files shipped in static/, never a path that climbs out of it.
        if "/" in name or path.suffix not in STATIC_TYPES or not path.is_file():
            self._send_html(HTTPStatus.NOT_FOUND, render_message("not found", f"no static file {name}"))
            return
        self._send(HTTPStatus.OK, STATIC_TYPES[path.suffix], path.read_bytes())

    # --- responses --------------------------------------------------------------------------------

    def _send_html(self, status: HTTPStatus, html: str) -> None:
        self._send(status, "text/html; charset=utf-8", html.encode())

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, policy: str = CONTENT_SECURITY_POLICY) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # Never cached: a reload after a publish must show the new build.
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)


def make_server(warehouse: Path, host: str = "127.0.0.1", port: int = 8050) -> ThreadingHTTPServer:
    # The stable path, not what its symlink names today: every page load resolves the pointer afresh.
    handler = type("BoundDashboardHandler", (DashboardHandler,), {"warehouse": stable_path(warehouse)})
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} on {host} is already in use: stop what runs there or pick another with --port"
            ) from exc
        raise


def serve(warehouse: Path, host: str = "127.0.0.1", port: int = 8050, say=print) -> None:
    """Serve until interrupted. A missing warehouse is not fatal: the page says how to build one."""
    server = make_server(warehouse, host, port)
    bound_host, bound_port = server.server_address[:2]
    say(f"dashboard: http://{bound_host}:{bound_port}/ over {stable_path(warehouse)} (Ctrl-C to stop)")
    try:
        build_info(warehouse)
    except WarehouseNotFound as exc:
        say(f"warning: {exc}; the page says so until a build is published there")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("dashboard stopped")
    finally:
        server.server_close()
