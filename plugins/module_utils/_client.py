# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""The one HTTP client of the collection.

Every request of every module goes through :meth:`WolkvoxClient.request`, which owns the URL, the
token header, retries with backoff, the per-token concurrency limit, the error taxonomy, redaction
of the token and the count of requests sent (``api_calls``).  It needs no ``AnsibleModule``:
warnings and deprecations go to callbacks, failures raise :class:`WolkvoxError`, so the same code
runs in a module process and in a controller-side action plugin.
"""

import errno
import hashlib
import http.client
import json
import os
import random
import re
import socket
import tempfile
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit

try:
    import fcntl
except ImportError:  # not POSIX: the limiter says so when it is asked for
    fcntl = None

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils.urls import open_url

USER_AGENT = "wolkvox.wolkvox-ansible-collection"
DEFAULT_TIMEOUT = 60  # the platform's own limit per call
DEFAULT_RETRIES = 4
DEFAULT_MAX_CONCURRENT = 2  # the platform refuses a third request in flight on one token
PLATFORM_MAX_CONCURRENT = 2
REDACTED = "********"

CONNECTION_ARGSPEC = dict(
    server=dict(type="str", required=True, fallback=(env_fallback, ["WOLKVOX_SERVER"])),
    token=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["WOLKVOX_TOKEN"])),
    timeout=dict(type="int", default=DEFAULT_TIMEOUT, fallback=(env_fallback, ["WOLKVOX_TIMEOUT"])),
    validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["WOLKVOX_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["WOLKVOX_CA_PATH"])),
    retries=dict(type="int", default=DEFAULT_RETRIES),
    max_concurrent_requests=dict(type="int", default=DEFAULT_MAX_CONCURRENT),
)

# The contact center's API files: https://wv<server>.wolkvox.com/api/v2/<file>.php?api=<name>
CONTACT_CENTER_FILES = ("information", "configuration", "campaign", "reports_manager", "real_time", "billing")
MAX_DATE_RANGE_DAYS = 31  # the platform answers at most 31 days per date-range query

# The platform's messages (its "API Response Codes" table), upper-cased for comparison.
MSG_QUOTA = "TOKEN LIMIT EXCEEDED"
MSG_CONCURRENCY = "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS"
MSG_INVALID_TOKEN = "PLEASE VALIDATE TOKEN"
MSG_MISSING_TOKEN = "PLEASE ENTER THE WOLKVOX-TOKEN"
MSG_UNKNOWN_API = "THE API YOU WANT TO CONSULT DOES NOT EXIST"
MSG_MISSING_PARAMETER = "SOME PARAMETERS ARE REQUIRED"

# What is retried, and why: the platform answers its limits with 403s, told apart by the message.
# A spent quota or a bad token never gets better by asking again (and each try costs a use);
# the concurrency limit, maintenance windows (a 403 during backups), 5xx answers and network
# failures are transient.
RETRYABLE_KINDS = frozenset(("concurrency", "maintenance", "server_error", "network", "timeout"))

SERVER_FORMS = {
    "contact_center": "a 4-digit server number such as '0042' (quoted in YAML, so it stays a string), "
                      "'wv0042', or a base URL such as 'https://wv0042.wolkvox.com'",
    "crm": "a 4-digit CRM server number such as '0001' (quoted in YAML), 'crm0001', the legacy "
           "'sv0001' or 'sv0001.crmvox.com', or a base URL such as 'https://crm0001.wolkvox.com'",
}
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class WolkvoxError(Exception):
    """Any failure: a bad option, or a request the platform did not serve.

    ``msg`` says what happened and what to do; ``kind`` names the class of error;
    ``api_calls`` is the number of requests sent (each one spent a use of the quota).
    """

    def __init__(self, msg, kind, api_calls=0, status=None, body=None):
        super().__init__(msg)
        self.msg = msg
        self.kind = kind
        self.api_calls = api_calls
        self.status = status
        self.body = body


class Answer:
    """One answer of the platform: the HTTP status and the envelope, normalised."""

    def __init__(self, status, envelope, attempts):
        self.status = status
        self.envelope = envelope
        self.attempts = attempts
        code = envelope.get("code")
        self.code = to_text(code).strip() if code is not None else ""
        error = envelope.get("error")
        self.error = None if error in (None, "", "null") else to_text(error)
        self.msg = to_text(envelope.get("msg") or "").strip()
        self.data = envelope.get("data")


def _fail(msg, kind="bad_option"):
    raise WolkvoxError(msg, kind)


def resolve_server(server, platform="contact_center"):
    """Return (base URL, warnings, deprecation or None) for a ``server`` value, or raise WolkvoxError."""
    if platform not in SERVER_FORMS:
        _fail("platform must be 'contact_center' or 'crm', not %r" % (platform,))
    text = to_text(server if server is not None else "").strip()
    if not text or re.search(r"\s", text):
        _fail("server %r is not a wolkvox server: use %s" % (to_native(server), SERVER_FORMS[platform]))
    if "://" in text:
        return _resolve_url(text, platform)
    lowered = text.lower()
    if platform == "contact_center":
        match = re.match(r"^(?:wv)?(\d{4})$", lowered)
        if match:
            return "https://wv%s.wolkvox.com" % match.group(1), [], None
    else:
        match = re.match(r"^(?:crm)?(\d{4})$", lowered)
        if match:
            return "https://crm%s.wolkvox.com" % match.group(1), [], None
        match = re.match(r"^sv(\d{4})(?:\.crmvox\.com)?$", lowered)
        if match:
            return _legacy_crm(match.group(1), text)
    hint = ""
    if re.match(r"^\d{1,3}$", text):
        hint = " (a number written without its leading zeros, or unquoted in YAML, loses them: write '%s')" % text.zfill(4)
    _fail("server %r is not a wolkvox server%s: use %s" % (text, hint, SERVER_FORMS[platform]))


def _legacy_crm(number, original):
    new = "https://crm%s.wolkvox.com" % number
    deprecation = ("server %r is a legacy CRM host name: wolkvox moved the CRM from svNNNN.crmvox.com to "
                   "crmNNNN.wolkvox.com in 2024 and switched the old names off; the request goes to %s. "
                   "Write server: 'crm%s'." % (original, new, number))
    return new, [], deprecation


def _resolve_url(text, platform):
    parts = urlsplit(text)
    problem = None
    if parts.scheme not in ("http", "https"):
        problem = "its scheme is not http or https"
    elif not parts.hostname:
        problem = "it has no host"
    elif parts.username or parts.password:
        problem = "it carries a user name or password"
    elif parts.path not in ("", "/") or parts.query or parts.fragment:
        problem = "a base URL has no path, query or fragment (the collection adds /api/v2/...)"
    else:
        try:
            parts.port  # pylint: disable=pointless-statement
        except ValueError:
            problem = "its port is not a number"
    if problem:
        _fail("server %r is not a usable base URL: %s. Use %s" % (text, problem, SERVER_FORMS[platform]))
    host = parts.hostname.lower()
    legacy = re.match(r"^sv(\d{4})\.crmvox\.com$", host)
    if platform == "crm" and legacy:
        return _legacy_crm(legacy.group(1), text)
    base = "%s://%s" % (parts.scheme, parts.netloc)
    warnings = []
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS and not host.startswith("127."):
        warnings.append("server %s uses plain http: the token crosses the network unencrypted. "
                        "The wolkvox platform itself serves https only." % base)
    return base, warnings, None


def check_connection(params):
    """Validate the connection options; raise WolkvoxError naming what is accepted."""
    token = params.get("token")
    if token is None or not to_text(token).strip():
        _fail("token is empty: set the 'token' option or the WOLKVOX_TOKEN environment variable "
              "to the operation's API token")
    if re.search(r"\s", to_text(token)):
        _fail("token contains white space (a line break or space copied with it?): "
              "a wolkvox token is one word; check 'token' or WOLKVOX_TOKEN")
    timeout = params.get("timeout")
    if timeout is None or not 1 <= timeout <= 3600:
        _fail("timeout must be a whole number of seconds from 1 to 3600 (the platform stops a call after 60), not %r" % (timeout,))
    retries = params.get("retries")
    if retries is None or not 0 <= retries <= 10:
        _fail("retries must be a whole number from 0 to 10, not %r" % (retries,))
    limit = params.get("max_concurrent_requests")
    if limit is None or not 1 <= limit <= 16:
        _fail("max_concurrent_requests must be a whole number from 1 to 16 (the platform serves %d per token), not %r"
              % (PLATFORM_MAX_CONCURRENT, limit))
    ca_path = params.get("ca_path")
    if ca_path and not os.path.isfile(ca_path):
        _fail("ca_path %r is not a file: give the path of a PEM bundle of CA certificates" % (ca_path,))


class TokenLimiter:
    """At most ``limit`` requests in flight per token from this machine, across processes.

    Each slot is a lock file in a private directory, named by a hash of the token (the token itself
    never reaches the disk).  A slot is held with flock(), which the kernel releases when the holder
    exits, so a crashed fork cannot keep a slot.
    """

    POLL = 0.02

    def __init__(self, token, limit, wait_limit):
        if fcntl is None:
            _fail("max_concurrent_requests needs a POSIX system (fcntl); this Python has none", "limiter")
        self.limit = limit
        self.wait_limit = wait_limit
        digest = hashlib.sha256(("wolkvox.wolkvox limiter\0" + to_text(token)).encode("utf-8")).hexdigest()[:24]
        self.paths = [os.path.join(self._directory(), "%s.%d.lock" % (digest, slot)) for slot in range(limit)]
        self._held = None

    @staticmethod
    def _directory():
        path = os.path.join(tempfile.gettempdir(), "wolkvox-limiter-%d" % os.getuid())
        try:
            os.mkdir(path, 0o700)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
        info = os.lstat(path)
        # refuse a directory someone else made or can write: it could hold a trap instead of locks
        if not os.path.isdir(path) or os.path.islink(path) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            _fail("the concurrency limiter's directory %s is not private to this user (mode 0700); remove it" % path,
                  "limiter")
        return path

    def __enter__(self):
        deadline = time.monotonic() + self.wait_limit
        while True:
            for path in self.paths:
                handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(handle)
                    continue
                self._held = handle
                return self
            if time.monotonic() > deadline:
                _fail("no request slot for this token came free within %d seconds: other tasks hold all %d "
                      "(max_concurrent_requests)" % (self.wait_limit, self.limit), "limiter")
            time.sleep(self.POLL)

    def __exit__(self, *exc_info):
        handle, self._held = self._held, None
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
            os.close(handle)


class WolkvoxClient:
    """A connection to one wolkvox server with one token.

    ``params`` are the validated connection options (see CONNECTION_ARGSPEC); ``warn(msg)`` and
    ``deprecate(msg)`` receive what the user should see.  ``api_calls`` counts the requests sent.
    """

    # seconds: exponential backoff base and cap; the concurrency limit clears faster than maintenance
    BACKOFF = {"concurrency": (0.5, 8.0), "default": (1.0, 30.0)}

    def __init__(self, params, platform="contact_center", warn=None, deprecate=None, backoff=None):
        self._warn = warn or (lambda msg: None)
        self._deprecate = deprecate or (lambda msg: None)
        check_connection(params)
        self.platform = platform
        self.base_url, warnings, deprecation = resolve_server(params.get("server"), platform)
        for warning in warnings:
            self._warn(warning)
        if deprecation:
            self._deprecate(deprecation)
        self.token = to_text(params["token"])
        self.timeout = params["timeout"]
        self.validate_certs = params["validate_certs"]
        self.ca_path = params.get("ca_path")
        self.retries = params["retries"]
        self.max_concurrent = params["max_concurrent_requests"]
        if self.max_concurrent > PLATFORM_MAX_CONCURRENT:
            self._warn("max_concurrent_requests is %d but the platform serves %d requests per token at once: "
                       "the rest are refused and retried" % (self.max_concurrent, PLATFORM_MAX_CONCURRENT))
        self.backoff = backoff or self.BACKOFF
        self.api_calls = 0

    # -- public ---------------------------------------------------------------------------

    def url_for(self, path, query=None):
        """The full URL of ``path`` (below the base URL) with ``query`` (a list of pairs or a dict)."""
        items = list(query.items()) if isinstance(query, dict) else list(query or [])
        return self.base_url + path + ("?" + urlencode(items) if items else "")

    def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False):
        """Call ``/api/v2/<file>.php?api=<api>`` of the contact center."""
        params = [("api", api)] + sorted((query or {}).items())
        return self.request(method, self.url_for("/api/v2/%s.php" % file, params), body=body,
                            what=api, allow_not_found=allow_not_found)

    def crm(self, path, method="GET", query=None, body=None, allow_not_found=False):
        """Call ``/server/API/v2/<path>`` of the CRM."""
        return self.request(method, self.url_for("/server/API/v2/" + path, query), body=body,
                            what=path, allow_not_found=allow_not_found)

    def warn(self, msg):
        """Show the user a warning (with the token masked)."""
        self._warn(self.redact(msg))

    def redact(self, value):
        """``value`` (text or any JSON-like structure) with every occurrence of the token masked."""
        if isinstance(value, (dict, list, tuple)):
            return remove_values(value, frozenset([self.token]))
        return to_text(value).replace(self.token, REDACTED) if value is not None else value

    def request(self, method, url, body=None, what=None, allow_not_found=False):
        """Send one logical request (with its retries); return an Answer or raise WolkvoxError."""
        what = what or url
        attempt = 0
        started = time.monotonic()
        while True:
            attempt += 1
            try:
                status, envelope = self._exchange(method, url, body)
                return self._classify(status, envelope, attempt, what, allow_not_found)
            except WolkvoxError as exc:
                exc.api_calls = self.api_calls
                if exc.kind not in RETRYABLE_KINDS or attempt > self.retries:
                    if exc.kind in RETRYABLE_KINDS and attempt > 1:
                        exc.msg = "%s (gave up after %d attempts in %.0f seconds; retries: %d)" % (
                            exc.msg, attempt, time.monotonic() - started, self.retries)
                        exc.args = (exc.msg,)
                    raise
                delay = self._delay(exc.kind, attempt)
                self.warn("wolkvox %s: %s; retrying in %.1f seconds (retry %d of %d)"
                          % (what, self._short(exc), delay, attempt, self.retries))
                time.sleep(delay)

    # -- inside ---------------------------------------------------------------------------

    def _delay(self, kind, attempt):
        base, cap = self.backoff.get(kind, self.backoff["default"])
        ceiling = min(cap, base * (2 ** (attempt - 1)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter: forks that failed together spread out

    @staticmethod
    def _short(exc):
        return exc.msg.split(". ")[0]

    def _exchange(self, method, url, body):
        """One HTTP request under the token's limiter; returns (status, envelope) or raises WolkvoxError."""
        headers = {
            "wolkvox-token" if self.platform == "contact_center" else "Wolkvox-Token": self.token,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            headers["Content-Type"] = "application/json"
        # wait for a slot no longer than a few full requests take
        with TokenLimiter(self.token, self.max_concurrent, wait_limit=max(30, 3 * self.timeout)):
            self.api_calls += 1
            try:
                response = open_url(url, method=method, data=data, headers=headers, timeout=self.timeout,
                                    validate_certs=self.validate_certs, ca_path=self.ca_path,
                                    follow_redirects="none", http_agent=USER_AGENT)
                status, raw = response.getcode(), response.read()
            except HTTPError as exc:
                status = exc.code
                try:
                    raw = exc.read()
                except (OSError, http.client.HTTPException):
                    raw = b""
                if 300 <= status < 400:
                    location = exc.headers.get("Location") if exc.headers else None
                    raise WolkvoxError("the server redirected the request (HTTP %d) to %s: set server to the "
                                       "base URL it points at" % (status, self.redact(location)), "redirect",
                                       status=status)
            except socket.timeout:
                raise self._timeout_error() from None
            except URLError as exc:
                if isinstance(exc.reason, socket.timeout):
                    raise self._timeout_error() from None
                raise self._network_error(exc.reason) from None
            except (http.client.HTTPException, OSError) as exc:
                raise self._network_error(exc) from None
        return status, self._parse(status, raw)

    def _timeout_error(self):
        return WolkvoxError("no answer from %s within %d seconds (timeout)" % (self.base_url, self.timeout), "timeout")

    def _network_error(self, reason):
        text = self.redact(to_native(reason) or type(reason).__name__)
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return WolkvoxError("the TLS certificate of %s could not be verified (%s): give the CA bundle in ca_path, "
                                "or set validate_certs: false for a test server" % (self.base_url, text), "tls")
        return WolkvoxError("could not reach %s or the connection broke before an answer came: %s"
                            % (self.base_url, text), "network")

    def _parse(self, status, raw):
        text = to_text(raw or b"", errors="surrogate_or_replace")
        try:
            envelope = json.loads(text) if text.strip() else None
        except ValueError:
            envelope = None
        if isinstance(envelope, dict):
            return envelope
        if not text.strip():
            shape = "an empty body"
        elif envelope is None:
            shape = "a body that is not JSON"
        else:
            shape = "JSON that is not an object"
        excerpt = self.redact(text[:200])
        kind = "server_error" if status >= 500 else "bad_answer"
        raise WolkvoxError("the platform answered HTTP %d with %s%s" % (
            status, shape, (": %r" % excerpt) if excerpt.strip() else ""), kind, status=status)

    def _classify(self, status, envelope, attempt, what, allow_not_found):
        answer = Answer(status, self.redact(envelope), attempt)
        message = answer.msg.upper()
        shown = "HTTP %d %s" % (status, answer.msg or answer.error or "")
        if MSG_QUOTA in message:
            raise WolkvoxError(
                "the operation's daily API quota is spent (%s): its tokens share licenses x 1000 uses a day and "
                "the counter resets daily. This task sent %d request(s), each one a use; nothing was retried. "
                "Try again after the daily reset, or ask wolkvox for more licenses" % (shown.strip(), self.api_calls),
                "quota", status=status, body=answer.envelope)
        if MSG_INVALID_TOKEN in message:
            raise WolkvoxError(
                "the platform refused the token (%s): it is invalid, expired, or belongs to another operation or "
                "server. Check token (WOLKVOX_TOKEN) and server (%s)" % (shown.strip(), self.base_url),
                "invalid_token", status=status, body=answer.envelope)
        if MSG_CONCURRENCY in message:
            raise WolkvoxError(
                "the platform refused a simultaneous request on this token (%s). Lower forks or "
                "max_concurrent_requests, or let other jobs that use the same token finish" % shown.strip(),
                "concurrency", status=status, body=answer.envelope)
        if MSG_MISSING_TOKEN in message:
            raise WolkvoxError(
                "the platform received no token (%s): the collection sends it in the %s header, so a proxy "
                "between here and %s probably removed it" % (shown.strip(),
                                                             "wolkvox-token" if self.platform == "contact_center"
                                                             else "Wolkvox-Token", self.base_url),
                "missing_token", status=status, body=answer.envelope)
        if MSG_UNKNOWN_API in message:
            raise WolkvoxError(
                "the platform has no api %r at this address (%s): check the api and file names" % (what, shown.strip()),
                "unknown_api", status=status, body=answer.envelope)
        if MSG_MISSING_PARAMETER in message:
            raise WolkvoxError(
                "%s needs parameters that the request did not carry (%s): see the endpoint's documentation"
                % (what, shown.strip()), "missing_parameter", status=status, body=answer.envelope)
        if status == 403:
            # maintenance windows (backups) answer 403 with no documented message: treat an unknown 403 as one
            raise WolkvoxError(
                "the platform is in maintenance or refused the request for a reason it does not name (%s): "
                "try later" % shown.strip(), "maintenance", status=status, body=answer.envelope)
        if status >= 500:
            raise WolkvoxError("the platform failed to answer (%s)" % shown.strip(), "server_error",
                               status=status, body=answer.envelope)
        if status == 404 and allow_not_found:
            return answer
        if status >= 400:
            raise WolkvoxError("the platform refused the request for %s (%s)" % (what, shown.strip()), "http",
                               status=status, body=answer.envelope)
        return answer
