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
import ipaddress
import json
import os
import random
import re
import socket
import tempfile
import threading
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit

try:
    import fcntl
except ImportError:  # not POSIX: the limiter says so when it is asked for
    fcntl = None

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils import urls as _urls
from ansible.module_utils.urls import open_url

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _catalogue

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
CONTACT_CENTER_FILES = _catalogue.CONTACT_CENTER_FILES  # from the one table of files and APIs (_catalogue.py)
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
# A write (any method but GET) is sent again only when the platform cannot have processed it: it refused
# it before doing anything (concurrency, maintenance), or the request never reached it (see NOT_SENT).
# Anything else leaves its outcome unknown: the write is not repeated, and the error says so.
WRITE_RETRYABLE_KINDS = frozenset(("concurrency", "maintenance"))
OUTCOME_UNKNOWN = "outcome_unknown"

# Concurrency refusals come from other controllers that share the token (separate AWX jobs or
# containers do not share this machine's limiter): they are retried for up to this many seconds
# (or twice the timeout, if longer), whatever ``retries`` says, unless retries is 0.
CONCURRENCY_BUDGET = 120
# After a refusal, this machine's forks use a single slot of the token for this long, so that the
# controllers that share a token ask less often at once.
CONGESTION_SECONDS = 10.0

SERVER_FORMS = {
    "contact_center": "a 4-digit server number such as '0042' (quoted in YAML, so it stays a string), "
                      "'wv0042', or a base URL such as 'https://wv0042.wolkvox.com'",
    "crm": "a 4-digit CRM server number such as '0001' (quoted in YAML), 'crm0001', the legacy "
           "'sv0001' or 'sv0001.crmvox.com', or a base URL such as 'https://crm0001.wolkvox.com'",
}
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


# Every error_kind a failed task can carry, declared once: the code raises only these (a unit test reads the code
# for every kind it raises), and the troubleshooting guide and the connection options' notes list each one.
ERROR_KINDS = {
    "bad_option": "an option's value cannot work; nothing was sent",
    "bad_host": "the server's host name does not exist",
    "network": "the server could not be reached, or the connection broke",
    "timeout": "no complete answer within timeout",
    "tls": "the server's TLS certificate could not be verified",
    "redirect": "the server redirected the request",
    "limiter": "no request slot for the token came free on this machine",
    "invalid_token": "the platform refused the token",
    "missing_token": "the platform received no token",
    "quota": "the operation's daily API quota is spent",
    "concurrency": "the platform refused a simultaneous request on the token",
    "maintenance": "the platform is in maintenance",
    "server_error": "the platform failed to answer (HTTP 5xx)",
    "unknown_api": "the platform or this server has no such API",
    "missing_parameter": "the platform wanted parameters the request did not carry",
    "http": "the platform refused the request with another HTTP status",
    "bad_answer": "the platform's answer is not what the endpoint sends",
    "no_record": "the platform answered without the record asked for",
    "refused": "the platform refused a write in its answer's body",
    "conflict": "the platform's list changed while the task ran",
    "outcome_unknown": "a write got no complete answer; it was not sent again",
    "password_file": "a generated password could not be written to generated_passwords_file",
}


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
    """One answer of the platform: the HTTP status and the envelope, normalised.

    A bare JSON array (real_time.php?api=campaigns answers one, with no envelope) is the data: ``bare`` is
    True, ``code`` and ``msg`` are empty.
    """

    def __init__(self, status, envelope, attempts):
        self.bare = isinstance(envelope, list)
        if self.bare:
            envelope = {"code": None, "error": None, "msg": "", "data": envelope}
        self.status = status
        self.envelope = envelope
        self.attempts = attempts
        code = envelope.get("code")
        self.code = to_text(code).strip() if code is not None else ""
        error = envelope.get("error")
        self.error = None if error in (None, "", "null") else to_text(error)
        self.msg = to_text(envelope.get("msg") or "").strip()
        self.data = envelope.get("data")

    @property
    def succeeded(self):
        """Whether the platform meant success: a 2xx status, no error and a success code. The code is each
        endpoint's own (200, 201 or 202, a number or text; "" for agents and campaigns, "0" for activity_codes,
        none in a bare array), so any 2xx code counts, never one exact number."""
        code = self.code
        known = code in ("", "0") or (code.isdigit() and 200 <= int(code) < 300)
        return 200 <= self.status < 300 and self.error is None and known

    @property
    def refusal(self):
        """The body code as a number when it is 400 or more (a refusal sent as HTTP 200, such as add_ip's
        "404" already registered or "406" invalid IP), else None."""
        return int(self.code) if self.code.isdigit() and int(self.code) >= 400 else None


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
        # YAML reads an unquoted 0042 as the octal number 34: the digits that arrive here are not the
        # server's, so no server number is suggested (it could be another customer's)
        hint = (" (a server number has 4 digits; YAML reads an unquoted number with leading zeros, such as "
                "server: 0042, as an octal number and drops the zeros: quote it, as in server: '0042')")
    _fail("server %r is not a wolkvox server%s: use %s" % (text, hint, SERVER_FORMS[platform]))


def _legacy_crm(number, original):
    new = "https://crm%s.wolkvox.com" % number
    deprecation = ("server %r is a legacy CRM host name: wolkvox moved the CRM from svNNNN.crmvox.com to "
                   "crmNNNN.wolkvox.com in 2024 and switched the old names off; the request goes to %s. "
                   "Write server: 'crm%s'." % (original, new, number))
    return new, [], deprecation


HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _host_problem(host):
    """Why ``host`` (from a URL, lower-cased, IPv6 without brackets) is not a host name or address, or None."""
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if len(host) > 253 or not all(HOST_LABEL.match(label) for label in labels):
        return "%r is not a host name (letters, digits and hyphens in dot-separated labels) or an IP address" % host
    return None


def _resolve_url(text, platform):
    problem = None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", a port that is not a number or out of range
        parts, port = None, None
        problem = "it cannot be read as a URL (%s)" % exc
    if problem:
        pass
    elif parts.scheme not in ("http", "https"):
        problem = "its scheme is not http or https"
    elif not parts.hostname:
        problem = "it has no host"
    elif parts.username or parts.password:
        problem = "it carries a user name or password"
    elif parts.path not in ("", "/") or parts.query or parts.fragment:
        problem = "a base URL has no path, query or fragment (the collection adds /api/v2/...)"
    elif port is not None and not 1 <= port <= 65535:
        problem = "its port must be from 1 to 65535"
    elif re.search(r":\d*$", parts.netloc) and port is None:
        problem = "its port is empty"
    else:
        problem = _host_problem(parts.hostname.lower())
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
    text = to_text(token)
    if re.match(r"^\[.*\]$", text, re.DOTALL):
        _fail("token is a list: give one token, a single word (the token of this operation)")
    if re.search(r"\s", text):
        _fail("token contains white space (a line break or space copied with it?): "
              "a wolkvox token is one word; check 'token' or WOLKVOX_TOKEN")
    odd = [char for char in text if not "!" <= char <= "~"]
    if odd:
        # name the character, never the token
        _fail("token contains %s, which an HTTP header cannot carry (a wolkvox token is one word of printable "
              "ASCII letters, digits and signs): check 'token' or WOLKVOX_TOKEN for a character copied with it"
              % ", ".join(sorted(set("U+%04X" % ord(char) for char in odd))))
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
    if ca_path:
        _check_ca_path(ca_path)


def _check_ca_path(ca_path):
    if not os.path.isfile(ca_path):
        _fail("ca_path %r is not a file: give the path of a PEM bundle of CA certificates" % (ca_path,))
    try:
        with open(ca_path, "rb") as handle:
            head = handle.read(1 << 20)
    except (IOError, OSError) as exc:
        _fail("ca_path %r cannot be read (%s): give the path of a PEM bundle of CA certificates" % (ca_path, exc))
    if b"-----BEGIN CERTIFICATE-----" not in head:
        _fail("ca_path %r holds no PEM certificate (no '-----BEGIN CERTIFICATE-----' line): give a PEM bundle "
              "of CA certificates; convert a DER file with: openssl x509 -inform der -in FILE -out FILE.pem"
              % (ca_path,))


def _private_directory(parent, name):
    """``parent``/``name`` as a directory only this user can use, made if missing; None when that is unsafe.

    ``parent`` must belong to this user and be writable by nobody else (or be sticky, like /tmp), so that
    no other user can have put the directory, or a link, there first.
    """
    try:
        info = os.stat(parent)
    except OSError:
        return None
    if info.st_mode & 0o022 and not info.st_mode & 0o1000:
        return None  # others may write to the parent and could replace the directory
    path = os.path.join(parent, name)
    try:
        os.mkdir(path, 0o700)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            return None
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not os.path.isdir(path) or os.path.islink(path) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return path


class SharedTLSContexts:
    """Requests with the same TLS settings share one SSL context while any ``with SharedTLSContexts()`` is open.

    ansible-core's ``open_url`` builds a new SSL context for every request, plain http included, and loads the
    system's CA certificates into it: some 20 to 35 ms of CPU each time, under the GIL (2,000 requests of threads
    reading at once: 40 seconds; a resource module's seven reads: a fifth of a second). Within the ``with``,
    ``make_context`` of ``ansible.module_utils.urls`` returns the context it already built for the same arguments
    (CA file and data, ciphers, validate_certs, client certificate): the same settings, verified the same way.

    Every module run (``_runner.execute``) opens one, and so does a caller reading from threads (the audit's reading
    task): they may nest and overlap in threads of one process. The first to open patches ``make_context`` and the
    last to close restores it and forgets the contexts.
    """

    _lock = threading.Lock()
    _depth = 0
    _contexts = {}
    _original = None

    @classmethod
    def _shared(cls, *args, **kwargs):
        original = cls._original
        try:
            key = tuple(_frozen(value) for value in args) + tuple(sorted((name, _frozen(value))
                                                                         for name, value in kwargs.items()))
            hash(key)
        except TypeError:
            return original(*args, **kwargs)
        with cls._lock:
            if key not in cls._contexts:
                cls._contexts[key] = original(*args, **kwargs)
            return cls._contexts[key]

    def __enter__(self):
        cls = type(self)
        with cls._lock:
            if cls._depth == 0:
                cls._original = _urls.make_context
                cls._contexts = {}
                _urls.make_context = cls._shared
            cls._depth += 1
        return self

    def __exit__(self, *exc_info):
        cls = type(self)
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0:
                _urls.make_context = cls._original
                cls._contexts = {}


def _frozen(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def limiter_directory():
    """Where the lock files of the concurrency limiter live: a directory private to this user, or None.

    First the user's runtime directory (XDG_RUNTIME_DIR, private by design), then the user's Ansible
    directory (~/.ansible), then a per-user directory in the system's temporary directory. Another local
    user can create a name in /tmp first; such a directory is not used.
    """
    candidates = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        candidates.append((runtime, "wolkvox-limiter"))
    home = os.path.expanduser("~")
    if os.path.isabs(home):
        candidates.append((os.path.join(home, ".ansible"), "wolkvox-limiter"))
    candidates.append((tempfile.gettempdir(), "wolkvox-limiter-%d" % os.getuid()))
    for parent, name in candidates:
        if parent == candidates[-1][0] or os.path.isdir(parent) or _make_parent(parent):
            path = _private_directory(parent, name)
            if path:
                return path
    return None


def _make_parent(path):
    try:
        os.makedirs(path, 0o700)
        return True
    except OSError:
        return False


class TokenLimiter:
    """At most ``limit`` requests in flight per token from this machine, across processes.

    Each slot is a lock file in a directory private to this user (see limiter_directory), named by a hash
    of the token (the token itself never reaches the disk). A slot is held with flock(), which the kernel
    releases when the holder exits, so a crashed fork cannot keep a slot. When the platform refused a
    request for concurrency (another controller uses the token), a marker file asks this machine's
    forks to use a single slot for a while. Without a usable directory, the limit holds within this process
    only, and the platform's refusals are retried.
    """

    POLL = 0.02

    def __init__(self, token, limit, wait_limit, directory=None):
        if fcntl is None:
            _fail("max_concurrent_requests needs a POSIX system (fcntl); this Python has none", "limiter")
        self.limit = limit
        self.wait_limit = wait_limit
        self.directory = directory
        digest = hashlib.sha256(("wolkvox.wolkvox limiter\0" + to_text(token)).encode("utf-8")).hexdigest()[:24]
        if directory:
            self.paths = [os.path.join(directory, "%s.%d.lock" % (digest, slot)) for slot in range(limit)]
            self.marker = os.path.join(directory, "%s.congested" % digest)
        else:
            self.paths, self.marker = [], None
        self._held = None

    def _slots(self):
        """The slots usable now: one while the token is congested, all of them otherwise."""
        if self.marker and len(self.paths) > 1:
            try:
                if os.stat(self.marker).st_mtime > time.time():
                    return self.paths[:1]
            except OSError:
                pass
        return self.paths

    def congested(self, seconds):
        """Tell this machine's forks that the platform refused a request for concurrency."""
        if not self.marker:
            return
        try:
            handle = os.open(self.marker, os.O_WRONLY | os.O_CREAT, 0o600)
            os.close(handle)
            until = time.time() + seconds
            os.utime(self.marker, (until, until))  # the marker's mtime says until when
        except OSError:
            pass

    def __enter__(self):
        if not self.paths:
            return self
        deadline = time.monotonic() + self.wait_limit
        while True:
            for path in self._slots():
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


HTML_NAMED = {"&": ("&amp;",), "<": ("&lt;",), ">": ("&gt;",), '"': ("&quot;",), "'": ("&apos;", "&#x27;")}


class Redactor:
    """Masks a secret in text and in JSON-like structures (keys included), in every form it may be echoed in.

    Each character of the secret may come back as itself in any case, percent-encoded (once or twice),
    JSON-escaped (``\\u00f6``, ``\\/``) or as an HTML character reference, so one pattern with the
    alternatives of every character matches the secret upper-cased, URL-encoded, JSON- or HTML-escaped,
    or any mix of these.
    """

    def __init__(self, secret):
        self.secret = to_text(secret or "")
        self.pattern = None
        if self.secret:
            self.pattern = re.compile("".join(self._alternatives(char) for char in self.secret), re.IGNORECASE)

    @staticmethod
    def _alternatives(char):
        code = ord(char)
        options = [re.escape(char), "%%(?:25)?%02x" % code if code < 0x80 else re.escape(char),
                   r"\\u%04x" % code, "&#0*%d;" % code, "&#x0*%x;" % code]
        if char in '/"\\':
            options.append(re.escape("\\" + char))
        options.extend(re.escape(name) for name in HTML_NAMED.get(char, ()))
        return "(?:%s)" % "|".join(options)

    def text(self, value):
        if self.pattern is None or len(value) < len(self.secret):
            return value
        return self.pattern.sub(REDACTED, value)

    def __call__(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.text(to_text(value, errors="surrogate_or_replace"))
        if isinstance(value, dict):
            return dict((self(key), self(item)) for key, item in value.items())
        if isinstance(value, (list, tuple)):
            return [self(item) for item in value]
        return value


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
        self.token = to_text(params["token"])
        self.redactor = Redactor(self.token)
        for warning in warnings:
            self.warn(warning)
        if deprecation:
            self._deprecate(self.redact(deprecation))
        self.timeout = params["timeout"]
        self.validate_certs = params["validate_certs"]
        self.ca_path = params.get("ca_path")
        self.retries = params["retries"]
        self.max_concurrent = params["max_concurrent_requests"]
        self.operation = params.get("operation") if platform == "crm" else None
        if self.max_concurrent > PLATFORM_MAX_CONCURRENT:
            self.warn("max_concurrent_requests is %d but the platform serves %d requests per token at once: "
                      "the rest are refused and retried" % (self.max_concurrent, PLATFORM_MAX_CONCURRENT))
        self.backoff = backoff or self.BACKOFF
        self.concurrency_budget = max(CONCURRENCY_BUDGET, 2 * self.timeout)
        self.api_calls = 0
        self._limiter_directory = limiter_directory()
        if self._limiter_directory is None:
            self.warn("no private directory for the concurrency limiter (XDG_RUNTIME_DIR, ~/.ansible and the "
                      "temporary directory are unusable or not private to this user): forks of this run do not "
                      "coordinate their requests; the platform's concurrency refusals are retried")

    # -- public ---------------------------------------------------------------------------

    def url_for(self, path, query=None):
        """The full URL of ``path`` (below the base URL) with ``query`` (a list of pairs or a dict)."""
        items = list(query.items()) if isinstance(query, dict) else list(query or [])
        return self.base_url + path + ("?" + urlencode(items) if items else "")

    def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False, allow_list=False):
        """Call ``/api/v2/<file>.php?api=<api>`` of the contact center.

        ``allow_list``: a bare JSON array on a 2xx status is the data (see Answer) instead of a bad answer.
        """
        params = [("api", api)] + sorted((query or {}).items())
        return self.request(method, self.url_for("/api/v2/%s.php" % file, params), body=body,
                            what=api, allow_not_found=allow_not_found, allow_list=allow_list)

    def crm(self, path, method="GET", query=None, body=None, allow_not_found=False):
        """Call ``/server/API/v2/<path>`` of the CRM."""
        return self.request(method, self.url_for("/server/API/v2/" + path, query), body=body,
                            what=path, allow_not_found=allow_not_found)

    def warn(self, msg):
        """Show the user a warning (with the token masked)."""
        self._warn(self.redact(msg))

    def redact(self, value):
        """``value`` (text or any JSON-like structure, keys included) with the token masked in every form."""
        return self.redactor(value) if value is not None else value

    def request(self, method, url, body=None, what=None, allow_not_found=False, allow_list=False):
        """Send one logical request (with its retries); return an Answer or raise WolkvoxError.

        A read (GET) is retried for any transient failure. A write is retried only when the platform
        cannot have processed it; when its outcome is unknown it raises an ``outcome_unknown`` error
        and is never sent again.
        """
        what = what or url
        write = method != "GET"
        attempt = 0
        retried = 0  # retries spent from ``retries``: concurrency refusals spend the time budget instead
        started = time.monotonic()
        while True:
            attempt += 1
            try:
                status, envelope = self._exchange(method, url, body, allow_list)
                return self._classify(status, envelope, attempt, what, allow_not_found)
            except WolkvoxError as exc:
                exc.api_calls = self.api_calls
                retryable = exc.kind in (WRITE_RETRYABLE_KINDS if write else RETRYABLE_KINDS) or getattr(exc, "not_sent", False)
                if write and not retryable and exc.kind in RETRYABLE_KINDS:
                    raise self._outcome_unknown(method, what, exc) from None
                if exc.kind == "concurrency":
                    self._congested()
                    # the first refusal always earns one retry, however long the refused request took
                    out_of_time = attempt > 1 and time.monotonic() - started > self.concurrency_budget
                    gave_up = not retryable or self.retries == 0 or out_of_time
                else:
                    gave_up = not retryable or retried >= self.retries
                if gave_up:
                    if retryable and attempt > 1:
                        exc.msg = "%s (gave up after %d attempts in %.0f seconds; retries: %d)" % (
                            exc.msg, attempt, time.monotonic() - started, self.retries)
                        exc.args = (exc.msg,)
                    raise
                if exc.kind != "concurrency":
                    retried += 1
                delay = self._delay(exc.kind, attempt if exc.kind == "concurrency" else retried)
                if exc.kind != "concurrency" or attempt == 1:
                    # one warning for a burst of concurrency refusals, one per retry otherwise
                    self.warn("wolkvox %s: %s; retrying in %.1f seconds (retry %d of %d)"
                              % (what, self._short(exc), delay, retried or 1, self.retries))
                time.sleep(delay)

    # -- inside ---------------------------------------------------------------------------

    def _outcome_unknown(self, method, what, exc):
        error = WolkvoxError(
            "%s %s was sent, but its outcome is unknown: %s. The platform may have applied it, so it was not sent "
            "again (a write is never repeated blindly). Read the current state (for example with "
            "wolkvox.wolkvox.wolkvox_operation_info) before you run this again" % (method, what, exc.msg),
            OUTCOME_UNKNOWN, api_calls=self.api_calls, status=exc.status, body=exc.body)
        error.cause = exc.kind
        return error

    def _congested(self):
        if self._limiter_directory:
            TokenLimiter(self.token, self.max_concurrent, 0, self._limiter_directory).congested(CONGESTION_SECONDS)

    def _delay(self, kind, attempt):
        base, cap = self.backoff.get(kind, self.backoff["default"])
        ceiling = min(cap, base * (2 ** min(attempt - 1, 16)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter: forks that failed together spread out

    @staticmethod
    def _short(exc):
        return exc.msg.split(". ")[0]

    def _exchange(self, method, url, body, allow_list=False):
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
        limiter = TokenLimiter(self.token, self.max_concurrent, max(30, 3 * self.timeout), self._limiter_directory)
        with limiter:
            self.api_calls += 1
            status, raw = self._send(method, url, data, headers)
        return status, self._parse(status, raw, allow_list)

    def _send(self, method, url, data, headers):
        """The HTTP exchange, bounded as a whole by ``timeout``: a server that trickles its answer is cut off."""
        outcome = {}
        deadline = time.monotonic() + self.timeout

        def exchange():
            try:
                outcome["answer"] = self._open(method, url, data, headers, deadline)
            except BaseException as exc:  # pylint: disable=broad-except
                outcome["error"] = exc

        worker = threading.Thread(target=exchange, name="wolkvox-request", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            # the exchange goes on in its thread until its socket times out; this task no longer waits for it
            raise self._timeout_error()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["answer"]

    def _open(self, method, url, data, headers, deadline):
        try:
            response = open_url(url, method=method, data=data, headers=headers, timeout=self.timeout,
                                validate_certs=self.validate_certs, ca_path=self.ca_path,
                                follow_redirects="none", http_agent=USER_AGENT)
            try:
                return response.getcode(), self._read(response, deadline)
            finally:
                response.close()
        except HTTPError as exc:
            status = exc.code
            if 300 <= status < 400:
                location = exc.headers.get("Location") if exc.headers else None
                raise WolkvoxError("the server redirected the request (HTTP %d) to %s: set server to the "
                                   "base URL it points at" % (status, self.redact(location)), "redirect",
                                   status=status) from None
            try:
                raw = self._read(exc, deadline)
            except (OSError, http.client.HTTPException, WolkvoxError):
                raw = b""
            return status, raw
        except socket.timeout:
            raise self._timeout_error() from None
        except URLError as exc:
            if isinstance(exc.reason, socket.timeout):
                raise self._timeout_error() from None
            raise self._network_error(exc.reason) from None
        except (http.client.HTTPException, OSError) as exc:
            raise self._network_error(exc) from None

    def _read(self, response, deadline):
        """The body, read in pieces so that the whole exchange keeps to its deadline."""
        chunks = []
        while True:
            if time.monotonic() > deadline:
                raise self._timeout_error()
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def _timeout_error(self):
        return WolkvoxError("no complete answer from %s within %d seconds (timeout)" % (self.base_url, self.timeout),
                            "timeout")

    def _network_error(self, reason):
        text = self.redact(to_native(reason) or type(reason).__name__)
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return WolkvoxError("the TLS certificate of %s could not be verified (%s): give the CA bundle in ca_path, "
                                "or set validate_certs: false for a test server" % (self.base_url, text), "tls")
        if isinstance(reason, socket.gaierror) and reason.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
            return WolkvoxError("the host name of %s does not exist (%s): check server, its spelling and the "
                                "server number" % (self.base_url, text), "bad_host")
        error = WolkvoxError("could not reach %s or the connection broke before an answer came: %s"
                             % (self.base_url, text), "network")
        # nothing reached the platform: the request can be sent again even if it is a write
        error.not_sent = isinstance(reason, (ConnectionRefusedError, socket.gaierror))
        return error

    def _parse(self, status, raw, allow_list=False):
        text = to_text(raw or b"", errors="surrogate_or_replace")
        try:
            envelope = json.loads(text) if text.strip() else None
        except ValueError:
            envelope = None
        if isinstance(envelope, dict) or (allow_list and isinstance(envelope, list) and 200 <= status < 300):
            return envelope
        if not text.strip():
            shape = "an empty body"
        elif envelope is None:
            shape = "a body that is not JSON"
        else:
            shape = "JSON that is not an object"
        excerpt = self.redact(text)[:200]  # redact first: a cut must not leave part of the token behind
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
            if self.platform == "crm":
                cause = ("the token is invalid or expired, or the CRM operation name %r is not the token's "
                         "operation (the name is case-sensitive). Check the token, the operation and the server (%s)"
                         % (to_text(self.operation or ""), self.base_url))
            else:
                cause = ("it is invalid, expired, or belongs to another operation or server. Check the token "
                         "and the server (%s)" % self.base_url)
            raise WolkvoxError("the platform refused the token (%s): %s" % (shown.strip(), cause),
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
