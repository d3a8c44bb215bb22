"""The preview's web server: the standard library's threading HTTP server on 127.0.0.1, answering only to its
own address (a Host header naming anything else, as a DNS-rebinding page would send, is refused), only to its
own pages (a request another site's page makes is refused), and only for known names: briefs by name, its own
script and style sheet by name; no URL is ever turned into a file path.

Routes: `/` the index; `/brief/NAME[?output=N]` a brief; `/brief/NAME/page?output=N` its page as the HTML
writer makes it; `/brief/NAME/STEM.docx|.pdf` its documents, made on request; `/_events` Server-Sent Events
(each brief's version, whenever one changes); `/_briefkit/live.js|live.css`.
"""

from __future__ import annotations

import errno
import json
import socket
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from briefkit.errors import Problem
from briefkit.render.html import CSP as PAGE_CSP
from briefkit.serve import pages
from briefkit.serve.preview import Preview
from briefkit.serve.state import BriefState

HOST = "127.0.0.1"
# The preview's own pages: its one script and style sheet, its events, the brief's page in a frame; nothing else.
SHELL_CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; frame-src 'self'; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# A brief's page: the HTML writer's own policy (no script at all), shown only in the preview's frame.
FRAME_CSP = f"{PAGE_CSP}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
ASSETS = {"live.js": "text/javascript; charset=utf-8", "live.css": "text/css; charset=utf-8"}
KEEP_ALIVE = 10.0  # seconds between comments on an idle event stream (a closed tab is noticed then)
DOCUMENT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "pdf": "application/pdf"}


class ServeError(Exception):
    """The server cannot start (the port is taken); the message says what to do."""


class Server(ThreadingHTTPServer):
    """One preview, served to the browsers of this machine's user."""

    daemon_threads = True

    def __init__(self, port: int, preview: Preview, pdf: bool):
        super().__init__((HOST, port), Handler)
        self.preview = preview
        self.pdf = pdf
        self.assets = {name: (files("briefkit.serve") / "static" / name).read_bytes() for name in ASSETS}

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def hosts(self) -> set[str]:
        return {f"{HOST}:{self.port}", f"localhost:{self.port}"}


def listen(port: int, preview: Preview, pdf: bool) -> Server:
    """The server on 127.0.0.1:port (0: any free port); a port in use is a ServeError naming a free one."""
    try:
        return Server(port, preview, pdf)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} is in use; try --port {_free_port(port)}") from err
        if err.errno == errno.EACCES:
            raise ServeError(f"not allowed to listen on port {port}; try --port {_free_port(max(port, 8000))}") \
                from err
        raise ServeError(f"cannot listen on {HOST}:{port}: {err.strerror or err}") from err


def _free_port(after: int) -> int:
    """The first port after `after` that nothing listens on (else 0, meaning any)."""
    for candidate in range(after + 1, min(after + 50, 65536)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, candidate))
            except OSError:
                continue
            return candidate
    return 0


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD on the routes above; anything else is refused or not found."""

    server: Server
    protocol_version = "HTTP/1.1"
    server_version = "briefkit-serve"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows the server's address and problems, not every request

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._allowed():
            return
        url = urlsplit(self.path)
        # Bytes that are not UTF-8 decode as Python decodes such a file name, so a brief named so is found.
        parts = [unquote(part, errors="surrogateescape") for part in url.path.split("/")[1:]]
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        route = self._route(parts, query)
        if route is None:
            self._send(404, pages.message_page("Not found", ["briefkit serve shows the workspace's briefs at /."]),
                       PAGE_CSP)

    def _allowed(self) -> bool:
        """Only this server's own address, and only its own pages (or the address typed in)."""
        host = (self.headers.get("Host") or "").lower()
        site = self.headers.get("Sec-Fetch-Site")
        if host not in self.server.hosts or site not in (None, "same-origin", "none"):
            address = f"http://{HOST}:{self.server.port}/"
            self._send(403, pages.message_page("Refused", [f"briefkit serve answers only at {address}, to its own "
                                                           f"pages: type or paste {address} in the address bar."]),
                       PAGE_CSP)
            return False
        return True

    def _route(self, parts: list[str], query: dict[str, str]) -> bool | None:
        preview = self.server.preview
        if parts == [""]:
            version, briefs, problems = preview.snapshot()
            self._send(200, pages.index_page(preview.ws.root, version, briefs, problems), SHELL_CSP)
        elif parts == ["_events"]:
            self._events(query.get("brief"))
        elif len(parts) == 2 and parts[0] == "_briefkit" and parts[1] in ASSETS:
            self._send(200, self.server.assets[parts[1]], None, ASSETS[parts[1]])
        elif parts == ["favicon.ico"]:
            self._send(204, b"", None)
        elif len(parts) in (2, 3) and parts[0] == "brief":
            return self._brief(parts[1], parts[2:], query)
        else:
            return None
        return True

    def _brief(self, name: str, rest: list[str], query: dict[str, str]) -> bool | None:
        _, briefs, problems = self.server.preview.snapshot()
        state = briefs.get(name)
        if state is None:
            if rest:
                return None
            self._send(404, pages.missing_brief_page(name), SHELL_CSP)
            return True
        output = query.get("output", "0")
        index = int(output) if output.isascii() and output.isdigit() and len(output) < 4 else -1
        if index < 0 or index >= max(1, len(state.outputs)):
            return None
        if not rest:
            layers = [layer.root for layer in self.server.preview.ws.layers]
            self._send(200, pages.brief_page(self.server.preview.ws.root, state, index, problems, self.server.pdf,
                                             layers), SHELL_CSP)
        elif rest == ["page"]:
            page = state.outputs[index].html if index < len(state.outputs) else pages.placeholder_page(state)
            self._send(200, page, FRAME_CSP)
        else:
            stem, _, fmt = rest[0].rpartition(".")
            if fmt not in DOCUMENT_TYPES or state.output(stem) is None or (fmt == "pdf" and not self.server.pdf):
                return None
            self._document(state, stem, fmt)
        return True

    def _document(self, state: BriefState, stem: str, fmt: str) -> None:
        """A brief's DOCX or PDF of now, made on the main thread (a PDF through LibreOffice, in a temporary
        folder); problems instead if it does not build."""
        preview = self.server.preview
        made = preview.call(lambda: preview.document(state.name, stem, fmt))
        if isinstance(made, bytes):
            ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in stem)
            disposition = f"attachment; filename=\"{ascii_name}.{fmt}\"; filename*=UTF-8''{quote(stem)}.{fmt}"
            self._send(200, made, None, DOCUMENT_TYPES[fmt], {"Content-Disposition": disposition})
            return
        problems: list[Problem] = made or [Problem(state.path, None, "no such output now; reload the page")]
        unavailable = any(p.message.startswith("no PDF made") for p in problems)
        self._send(503 if unavailable else 409, pages.message_page(
            f"No {fmt.upper()} of {state.name}", [p.format(preview.ws.root) for p in problems]), PAGE_CSP)

    def _events(self, brief: str | None) -> None:
        """Server-Sent Events: every brief's version, whenever something is published (then a comment now and
        then, so a closed tab is noticed), until the client goes or the server stops."""
        preview = self.server.preview
        self.send_response(200)
        self._headers(None, "text/event-stream; charset=utf-8")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        seen = -1
        with preview.viewing(brief):
            try:
                self.wfile.write(b"retry: 1000\n\n")
                while not preview.closed:
                    news = preview.wait(seen, KEEP_ALIVE)
                    if news is None:
                        self.wfile.write(b": still here\n\n")
                    else:
                        seen, versions = news
                        shown = {pages.shown(name): version for name, version in versions.items()}  # as data-brief
                        self.wfile.write(f"data: {json.dumps({'version': seen, 'briefs': shown})}\n\n".encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                return  # the tab was closed

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The answers the standard library gives itself (a method not served, a request line too long) carry the
        same headers as every other answer: a plain-text line, no policy to relax."""
        self.close_connection = True
        text = f"{code} {message or HTTPStatus(code).phrase}\n"
        self._send(code, text, None, "text/plain; charset=utf-8")

    def _send(self, status: int, body: str | bytes, csp: str | None, kind: str = "text/html; charset=utf-8",
              extra: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self._headers(csp, kind)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _headers(self, csp: str | None, kind: str) -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Content-Security-Policy", csp or "default-src 'none'; frame-ancestors 'none'")

