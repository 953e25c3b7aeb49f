# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile server on 127.0.0.1 that echoes the token it receives in every form a platform or proxy may use.

The ``api`` query parameter picks the form (see FORMS), or the ``operation`` one of the CRM's token information; ``trickle`` sends a body one byte a second.
Used by the unit tests of the client and by the system tests at -vvvv: the token must not appear anywhere.
"""

import html
import json
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, quote_plus, unquote, urlsplit


def json_escaped(token):
    """The token as a JSON string with every character \\u-escaped, and slashes as \\/."""
    return "".join("\\/" if char == "/" else "\\u%04x" % ord(char) for char in token)


def answer(form, token):
    """(status, headers, body bytes) for one echo form."""
    envelope = {"code": "200", "error": None, "msg": "1 records were found"}
    if form == "exact":
        return 403, {}, json.dumps({"code": 403, "error": "FORBIDDEN", "msg": "PLEASE VALIDATE TOKEN " + token})
    if form == "upper":
        return 503, {}, json.dumps({"code": 503, "error": "BUSY", "msg": "token %s is busy" % token.upper()})
    if form == "url":
        return 200, {}, json.dumps(dict(envelope, data=[{"link": "https://x.example/?t=" + quote(token, safe=""),
                                                         "form": "t=" + quote_plus(token).lower()}]))
    if form == "redirect":
        return 302, {"Location": "https://elsewhere.example/login?token=" + quote(token, safe="")}, b""
    if form == "json_escaped":
        body = '{"code": "200", "error": null, "msg": "ok", "data": [{"note": "%s", "raw": "{\\"t\\": \\"%s\\"}"}]}' % (
            json_escaped(token), json_escaped(token).replace("\\", "\\\\"))
        return 200, {}, body
    if form == "html":
        page = "<html><body><p>Bad token: %s</p><p>%s</p></body></html>" % (
            html.escape(token), "".join("&#%d;" % ord(char) for char in token))
        return 502, {"Content-Type": "text/html"}, page
    if form == "key":
        return 200, {}, json.dumps(dict(envelope, data=[{token: "yes", "nested": {token.upper(): [token]}}]))
    if form == "excerpt":
        # a non-JSON body whose 200-character excerpt would cut the token in the middle
        return 500, {"Content-Type": "text/plain"}, "x" * (200 - len(token) // 2) + token + " trailing text"
    if form == "mixed":
        half = len(token) // 2
        return 400, {}, json.dumps({"code": 400, "error": "BAD", "msg": quote(token[:half], safe="").upper() + token[half:].upper()})
    raise KeyError(form)


FORMS = ("exact", "upper", "url", "redirect", "json_escaped", "html", "key", "excerpt", "mixed")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def _serve(self):
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        token = self.headers.get("wolkvox-token") or ""
        self.server.seen.append({"method": self.command, "api": query.get("api"), "body": body.decode("utf-8", "replace")})
        form = query.get("api") or query.get("operation", "")  # the CRM's token information names an operation
        if form == "trickle":
            payload = b'{"code": "200", "msg": "slow", "data": []}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            for byte in payload:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1)
            return
        try:
            status, headers, payload = answer(form, unquote(token))
        except KeyError:
            status, headers, payload = 400, {}, json.dumps({"code": 400, "error": "BAD REQUEST",
                                                            "msg": "THE API YOU WANT TO CONSULT DOES NOT EXIST"})
        payload = payload.encode("utf-8") if isinstance(payload, str) else payload
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Type" not in headers:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class HostileServer:
    """``with HostileServer() as server: server.url``; ``server.seen`` lists the requests received."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.seen = []
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.seen = self.server.seen
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


def leaks(text, token):
    """Whether ``text`` shows ``token`` in any form: as is, in any case, URL-, JSON- or HTML-encoded."""
    candidates = [text]
    for dummy in range(3):
        candidates.append(unquote(candidates[-1]))
    candidates.append(html.unescape(text))
    candidates.append(text.replace("\\/", "/"))
    unescaped = text
    for dummy in range(3):
        try:
            with warnings.catch_warnings():  # text that is not an escape sequence ("\\ ") stays as it is
                warnings.simplefilter("ignore", DeprecationWarning)
                unescaped = unescaped.replace("\\/", "/").encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError:
            break
        candidates.append(unescaped)
    lowered = token.lower()
    return any(lowered in candidate.lower() for candidate in candidates)


def main():
    """Run on its own: print the URL, serve until killed (for system tests in another process)."""
    import sys  # pylint: disable=import-outside-toplevel
    with HostileServer() as server:
        print(server.url, flush=True)
        try:
            sys.stdin.read()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
