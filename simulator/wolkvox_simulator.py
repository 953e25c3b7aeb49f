# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A wolkvox API simulator, standard library only.

It answers like the wolkvox platform on loopback so that playbooks, tests,
the demo and the benchmarks can run without spending a real token:

* contact center: ``/api/v2/information.php?api=token_info``,
  ``/api/v2/information.php?api=routing_points[&routing=ID]``,
  ``/api/v2/configuration.php?api=enable_module|disable_module`` (PUT);
* CRM: ``/server/API/v2/token/tokenInformation.php?operation=NAME`` (GET, POST).

Several operations (tenants) live side by side, each with its own tokens,
licenses, module state and routing points, loaded from a JSON fixture.  Every
call that reaches an endpoint spends one use of the operation's daily quota
(licenses x 1000, shared by its tokens), ``token_info`` included.  A third
request in flight on one token is refused as the platform does.

Faults are injected at run time through ``/_sim/faults`` and are
deterministic: each rule applies to the next matching requests, after an
optional number of matching requests it lets through.  ``/_sim/requests`` is
the request log (method, path, query, which token by its label, outcome).

Run it on its own::

    python simulator/wolkvox_simulator.py --port 8080 --fixture simulator/fixtures/demo.json
"""

import argparse
import copy
import datetime
import hashlib
import ipaddress
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# The platform's own words (see the vendor's "API Response Codes" table).
MSG_UNKNOWN_API = "THE API YOU WANT TO CONSULT DOES NOT EXIST"
MSG_MISSING_PARAMETER = "SOME PARAMETERS ARE REQUIRED"
MSG_MISSING_TOKEN = "PLEASE ENTER THE WOLKVOX-TOKEN"
MSG_QUOTA = "TOKEN LIMIT EXCEEDED"
MSG_CONCURRENCY = "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"
MSG_INVALID_TOKEN = "PLEASE VALIDATE TOKEN"
# The maintenance body is not documented; the help center says that "API
# consumption is temporarily disabled" during backups.
MSG_MAINTENANCE = "API CONSUMPTION IS TEMPORARILY DISABLED DUE TO SERVER MAINTENANCE"

CONTACT_CENTER_APIS = {
    "information": {"GET": ("token_info", "routing_points", "get_ip")},
    "configuration": {"PUT": ("enable_module", "disable_module"), "POST": ("add_ip",), "DELETE": ("remove_ip",)},
    "real_time": {"GET": ("agents",)},
    # reports_manager.php serves agent_N, cdr_N, chat_N, skill_N, campaign_N and diagram_N (see REPORT_API)
    "reports_manager": {"GET": ()},
}
REPORT_API = re.compile(r"^(agent|cdr|chat|skill|campaign|diagram)_\d+$")
MAX_REPORT_DAYS = 31
CRM_TOKEN_PATH = "/server/API/v2/token/tokenInformation.php"

FAULT_KINDS = (
    "delay",           # wait `seconds`, then answer normally (latency or a response slower than a client timeout)
    "maintenance",     # 403 with the maintenance message
    "status",          # HTTP `status` (500, 502, 503, ...) with a JSON error body (`error`, `msg` to choose its words)
    "html",            # an HTML error page, as a proxy sends it (HTTP `status`, default 502)
    "non_json",        # HTTP 200 with a plain-text body
    "truncated_json",  # HTTP 200 with JSON cut in the middle
    "empty_body",      # HTTP 200 with no body at all
    "not_object",      # HTTP 200 with valid JSON that is not an object
    "drop",            # the connection is closed without an answer
    "lose_answer",     # the request is served (quota spent, state changed), then the connection closes unanswered
    "concurrency",     # the documented concurrency 403, whatever is in flight
    "echo_token",      # 403 whose message echoes the token the client sent
)

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>{status} {reason}</title></head>"
    "<body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>\n"
    + "<!-- a padding to disable MSIE and Chrome friendly error page -->\n" * 6
)


def html_page(status):
    """The error page a proxy in front of the platform would send."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    return HTML_PAGE.format(status=status, reason=reason)


def token_label(token):
    """A name for a token that is safe to log: the fixture's name or a hash prefix."""
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def records_msg(count, leading_space=False):
    text = "%d records were found" % count
    return " " + text if leading_space else text


def render_routing_point(point):
    """A routing point as the platform sends it: a fixture may give `last_use_days_ago`
    instead of a fixed `last_use`, so that a fleet keeps its age whenever it is served."""
    if "last_use_days_ago" not in point:
        return point
    rendered = dict(point)
    days = float(rendered.pop("last_use_days_ago"))
    moment = datetime.datetime.now() - datetime.timedelta(days=days)
    rendered["last_use"] = moment.strftime("%Y-%m-%d %H:%M:%S")
    return rendered


class FixtureError(ValueError):
    """The fixture file does not describe a fleet the simulator can serve."""


def load_fixture(data):
    """Validate a fixture (a dict) and return the operations it declares, normalised."""
    if not isinstance(data, dict) or not isinstance(data.get("operations"), list) or not data["operations"]:
        raise FixtureError("a fixture is a JSON object with a non-empty list 'operations'")
    operations = []
    seen_tokens = set()
    for index, raw in enumerate(data["operations"]):
        where = "operations[%d]" % index
        if not isinstance(raw, dict) or not raw.get("name"):
            raise FixtureError("%s needs a 'name'" % where)
        licenses = raw.get("licenses", 1)
        if not isinstance(licenses, int) or licenses < 0:
            raise FixtureError("%s.licenses must be a whole number >= 0" % where)
        tokens = []
        for tindex, rawtoken in enumerate(raw.get("tokens") or []):
            twhere = "%s.tokens[%d]" % (where, tindex)
            if not isinstance(rawtoken, dict) or not rawtoken.get("token"):
                raise FixtureError("%s needs a 'token'" % twhere)
            if rawtoken["token"] in seen_tokens:
                raise FixtureError("%s: the same token is declared twice" % twhere)
            seen_tokens.add(rawtoken["token"])
            tokens.append({
                "token": rawtoken["token"],
                "label": rawtoken.get("name") or token_label(rawtoken["token"]),
                "description": rawtoken.get("description", "token"),
                "limit": int(rawtoken.get("limit", licenses * 1000)),
                "used_today": int(rawtoken.get("used_today", 0)),
                "revoked": bool(rawtoken.get("revoked", False)),
            })
        already = raw.get("already_answer", "message")
        empty = raw.get("empty_answer", "not_found")
        if already not in ("message", "success"):
            raise FixtureError("%s.already_answer is 'message' or 'success'" % where)
        if empty not in ("not_found", "empty_list"):
            raise FixtureError("%s.empty_answer is 'not_found' or 'empty_list'" % where)
        operations.append({
            "name": raw["name"],
            "server": str(raw.get("server", "0001")),
            "crm_operation": raw.get("crm_operation", raw["name"]),
            "licenses": licenses,
            "module_name": raw.get("module_name", raw["name"]),
            "module_enabled": bool(raw.get("module_enabled", True)),
            "already_answer": already,
            "empty_answer": empty,
            "tokens": tokens,
            "routing_points": [dict(rp) for rp in raw.get("routing_points") or []],
            "agents": [dict(agent) for agent in raw.get("agents") or []],
            "allowed_ips": [dict(entry) for entry in raw.get("allowed_ips") or []],
        })
    return operations


def check_fault(rule):
    """Validate one fault rule and return it with its defaults filled in."""
    if not isinstance(rule, dict) or rule.get("kind") not in FAULT_KINDS:
        raise ValueError("a fault is an object whose 'kind' is one of: %s" % ", ".join(FAULT_KINDS))
    out = {
        "kind": rule["kind"],
        "times": rule.get("times", 1),
        "skip": int(rule.get("skip", 0)),
        "api": rule.get("api"),
        "token": rule.get("token"),
        "method": rule.get("method"),
        "status": int(rule.get("status", {"status": 500, "html": 502}.get(rule["kind"], 200))),
        "seconds": float(rule.get("seconds", 0)),
        "msg": rule.get("msg"),
        "error": rule.get("error"),
    }
    if out["times"] is not None and (not isinstance(out["times"], int) or out["times"] < 1):
        raise ValueError("a fault's 'times' is a whole number >= 1, or null for every matching request")
    return out


class SimulatorState:
    """The fleet, its counters, the faults to inject and the request log."""

    def __init__(self, fixture, concurrency_limit=2, latency=0.0):
        self._fixture = fixture
        self._defaults = {"concurrency_limit": concurrency_limit, "latency": latency}
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.operations = load_fixture(copy.deepcopy(self._fixture))
            self.by_token = {}
            self.by_label = {}
            for operation in self.operations:
                for token in operation["tokens"]:
                    self.by_token[token["token"]] = (operation, token)
                    self.by_label[token["label"]] = token
            self.inflight = {}
            self.faults = []
            self.log = []
            self.config = dict(self._defaults)
            self.day = datetime.datetime.now(datetime.timezone.utc).date()

    def roll_day(self, force=False):
        """Reset the daily counters when the UTC day changed (or when asked)."""
        today = datetime.datetime.now(datetime.timezone.utc).date()
        if force or today != self.day:
            self.day = today
            for operation in self.operations:
                for token in operation["tokens"]:
                    token["used_today"] = 0

    def take_fault(self, method, api, label):
        """Return the fault rule that applies to this request, consuming it."""
        with self.lock:
            for rule in self.faults:
                if rule["api"] not in (None, api) or rule["token"] not in (None, label):
                    continue
                if rule["method"] not in (None, method):
                    continue
                if rule["skip"] > 0:
                    rule["skip"] -= 1
                    continue
                if rule["times"] is not None:
                    rule["times"] -= 1
                    if rule["times"] == 0:
                        self.faults.remove(rule)
                return dict(rule)
        return None

    def acquire(self, token):
        with self.lock:
            count = self.inflight.get(token, 0)
            if count >= self.config["concurrency_limit"]:
                return False
            self.inflight[token] = count + 1
            return True

    def release(self, token):
        with self.lock:
            self.inflight[token] -= 1

    def charge(self, operation, token):
        """Spend one use of the quota; False when the token or the operation has none left."""
        with self.lock:
            self.roll_day()
            used = sum(t["used_today"] for t in operation["tokens"])
            if used >= operation["licenses"] * 1000 or token["used_today"] >= token["limit"]:
                return False
            token["used_today"] += 1
            return True

    def record(self, entry):
        with self.lock:
            entry["seq"] = len(self.log) + 1
            self.log.append(entry)

    def snapshot(self):
        with self.lock:
            self.roll_day()
            return {
                "day": self.day.isoformat(),
                "operations": [{
                    "name": op["name"],
                    "server": op["server"],
                    "licenses": op["licenses"],
                    "quota": op["licenses"] * 1000,
                    "used_today": sum(t["used_today"] for t in op["tokens"]),
                    "module_enabled": op["module_enabled"],
                    "routing_points": len(op["routing_points"]),
                    "tokens": [{"label": t["label"], "used_today": t["used_today"], "limit": t["limit"],
                                "revoked": t["revoked"]} for t in op["tokens"]],
                } for op in self.operations],
            }


class Answer(Exception):
    """Raised inside request handling to send a complete answer at once."""

    def __init__(self, status, body, outcome, content_type="application/json"):
        super().__init__(outcome)
        self.status = status
        self.body = body
        self.outcome = outcome
        self.content_type = content_type


def error_answer(status, error, msg, outcome):
    return Answer(status, {"code": status, "error": error, "msg": msg}, outcome)


class Handler(BaseHTTPRequestHandler):
    server_version = "wolkvox-simulator"
    sys_version = ""

    @property
    def state(self):
        return self.server.state

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write("simulator: %s\n" % (format % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    # -- plumbing ---------------------------------------------------------

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, body, content_type="application/json"):
        if isinstance(body, (dict, list)):
            payload = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            payload = body.encode("utf-8")
        else:
            payload = body or b""
        self.send_response(status)
        if payload or content_type != "application/json":
            self.send_header("Content-Type", content_type + ("; charset=utf-8" if "json" in content_type or "text" in content_type else ""))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def dispatch(self, method):
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        body = self.read_body()
        if url.path.startswith("/_sim/") or url.path == "/_sim":
            self.admin(method, url.path, body)
        else:
            self.api_call(method, url.path, query, body)

    # -- the platform -----------------------------------------------------

    def api_call(self, method, path, query, body=b""):
        token = self.headers.get("wolkvox-token")  # header names are case-insensitive
        known = self.state.by_token.get(token) if token else None
        label = known[1]["label"] if known else (token_label(token) if token else None)
        entry = {
            "time": time.time(),
            "method": method,
            "path": path,
            "api": query.get("api") or ("tokenInformation" if path == CRM_TOKEN_PATH else None),
            "query": query,
            "token": label,
            "operation": known[0]["name"] if known else None,
            "charged": False,
        }
        try:
            self.serve_api(method, path, query, token, known, label, entry, body)
        except Answer as answer:
            entry["status"] = answer.status
            entry["outcome"] = answer.outcome
            if entry.get("fault") == "lose_answer":
                entry["outcome"] += ", answer lost"
                self.state.record(entry)
                self.drop()
                return
            self.state.record(entry)
            self.send(answer.status, answer.body, answer.content_type)

    def serve_api(self, method, path, query, token, known, label, entry, body=b""):
        fault = self.state.take_fault(method, entry["api"], label)
        if fault:
            self.apply_fault(fault, token, entry)
        if not token:
            raise error_answer(401, "UNAUTHORIZED", MSG_MISSING_TOKEN, "missing_token")
        if known is None or known[1]["revoked"]:
            raise error_answer(403, "FORBIDDEN", MSG_INVALID_TOKEN, "invalid_token")
        operation, record = known
        endpoint = self.route(method, path, query, operation)
        if not self.state.acquire(token):
            raise error_answer(403, "FORBIDDEN", MSG_CONCURRENCY, "concurrency")
        try:
            if not self.state.charge(operation, record):
                raise error_answer(403, "FORBIDDEN", MSG_QUOTA, "quota")
            entry["charged"] = True
            latency = self.state.config["latency"]
            if latency:
                time.sleep(latency)
            self.body = body
            raise endpoint(operation, record, query)
        finally:
            self.state.release(token)

    def apply_fault(self, fault, token, entry):
        kind = fault["kind"]
        entry["fault"] = kind
        if kind == "delay":
            time.sleep(fault["seconds"])
            return
        if kind == "lose_answer":
            return  # served as usual; api_call() drops the connection instead of answering
        if kind == "drop":
            entry["status"] = None
            entry["outcome"] = "fault:drop"
            self.state.record(entry)
            self.drop()
            raise _Dropped()
        outcome = "fault:" + kind
        if kind == "maintenance":
            raise error_answer(403, "FORBIDDEN", MSG_MAINTENANCE, outcome)
        if kind == "concurrency":
            raise error_answer(403, "FORBIDDEN", MSG_CONCURRENCY, outcome)
        if kind == "echo_token":
            raise error_answer(403, "FORBIDDEN", "%s: %s" % (MSG_INVALID_TOKEN, token or ""), outcome)
        if kind == "status":
            raise error_answer(fault["status"], fault["error"] or "SERVER ERROR",
                               fault["msg"] or "The server could not complete the request", outcome)
        if kind == "html":
            raise Answer(fault["status"], html_page(fault["status"]), outcome, "text/html")
        if kind == "non_json":
            raise Answer(fault["status"], "Service temporarily unavailable, please try again", outcome, "text/plain")
        if kind == "truncated_json":
            raise Answer(fault["status"], '{"code": "200", "error": null, "msg": " 1 records were fo', outcome)
        if kind == "empty_body":
            raise Answer(fault["status"], b"", outcome)
        if kind == "not_object":
            raise Answer(fault["status"], ["this", "is", "a", "list"], outcome)
        raise AssertionError(kind)  # check_fault() admits no other kind

    def route(self, method, path, query, operation):
        """Return the endpoint function for this request, or raise the platform's refusal."""
        if path == CRM_TOKEN_PATH:
            if method not in ("GET", "POST"):
                raise error_answer(405, "METHOD NOT ALLOWED", "METHOD NOT ALLOWED", "method_not_allowed")
            if not query.get("operation"):
                raise error_answer(400, "BAD REQUEST", MSG_MISSING_PARAMETER, "missing_parameter")
            if query["operation"] != operation["crm_operation"]:
                raise error_answer(403, "FORBIDDEN", MSG_INVALID_TOKEN, "invalid_token")
            return self.crm_token_information
        if not (path.startswith("/api/v2/") and path.endswith(".php")):
            raise Answer(404, "<html><body><h1>404 Not Found</h1></body></html>", "not_found", "text/html")
        apis = CONTACT_CENTER_APIS.get(path[len("/api/v2/"):-len(".php")])
        if apis is None:
            raise Answer(404, "<html><body><h1>404 Not Found</h1></body></html>", "not_found", "text/html")
        api = query.get("api")
        if path == "/api/v2/reports_manager.php" and api and REPORT_API.match(api):
            if method != "GET":
                raise error_answer(405, "METHOD NOT ALLOWED", "METHOD NOT ALLOWED", "method_not_allowed")
            return self.report
        known_apis = [name for names in apis.values() for name in names]
        if api not in known_apis:
            raise error_answer(400, "BAD REQUEST", MSG_UNKNOWN_API, "unknown_api")
        if api not in apis.get(method, ()):
            raise error_answer(405, "METHOD NOT ALLOWED", "METHOD NOT ALLOWED", "method_not_allowed")
        return getattr(self, "api_" + api)

    def api_token_info(self, operation, token, query):
        used = token["used_today"]
        data = [{
            "description": token["description"],
            "token_limit": str(token["limit"]),
            "token_use_today": str(used),
            "all_token_today": str(sum(t["used_today"] for t in operation["tokens"])),
            "available_consumption_options": str(max(token["limit"] - used, 0)),
        }]
        # code as a string and a leading space in msg, as the platform sends them
        return Answer(200, {"code": "200", "error": None, "msg": records_msg(1, True), "data": data}, "ok")

    def api_routing_points(self, operation, token, query):
        points = operation["routing_points"]
        if "routing" in query:
            points = [rp for rp in points if str(rp.get("rp_id")) == query["routing"]]
        if not points and operation["empty_answer"] == "not_found":
            return Answer(404, {"code": 404, "error": "NOT FOUND", "msg": "No data", "data": []}, "no_data")
        data = [render_routing_point(rp) for rp in points]
        return Answer(200, {"code": 200, "error": None, "msg": records_msg(len(data)), "data": data}, "ok")

    def switch_module(self, operation, enable):
        word = "enabled" if enable else "disabled"
        if operation["module_enabled"] == enable and operation["already_answer"] == "message":
            body = {"code": 200, "error": None, "msg": "The %s module is already %s" % (operation["module_name"], word)}
            return Answer(200, body, "already_" + word)
        operation["module_enabled"] = enable
        body = {"code": 202, "error": None, "msg": "The %s module has been successfully %s" % (operation["module_name"], word)}
        return Answer(202, body, "ok")

    def api_enable_module(self, operation, token, query):
        return self.switch_module(operation, True)

    def api_disable_module(self, operation, token, query):
        return self.switch_module(operation, False)

    def crm_token_information(self, operation, token, query):
        now = datetime.datetime.now(datetime.timezone.utc)
        used = token["used_today"]
        data = {
            "description": token["description"],
            "token_limit": token["limit"],
            "token_use_today": used,
            "available_consumition_options": max(token["limit"] - used, 0),
            "hours_to_restart_count": 24 - now.hour,
        }
        return Answer(200, {"code": "200", "error": "null", "msg": "1 records were are found", "data": data}, "ok")

    def json_body(self):
        try:
            payload = json.loads(self.body.decode("utf-8")) if self.body else {}
        except ValueError:
            payload = None
        return payload if isinstance(payload, dict) else None

    def api_get_ip(self, operation, token, query):
        ips = operation["allowed_ips"]
        if not ips and operation["empty_answer"] == "not_found":
            return Answer(404, {"code": 404, "error": "NOT FOUND", "msg": "No data", "data": []}, "no_data")
        return Answer(200, {"code": "200", "error": None, "msg": records_msg(len(ips)), "data": ips}, "ok")

    def api_add_ip(self, operation, token, query):
        payload = self.json_body()
        if payload is None or not payload.get("ip"):
            return Answer(400, {"code": 400, "error": "BAD REQUEST", "msg": MSG_MISSING_PARAMETER}, "missing_parameter")
        try:
            ipaddress.ip_address(str(payload["ip"]))
        except ValueError:
            # observed: an invalid address is a 200 whose body code is "406"
            return Answer(200, {"code": "406", "error": "NOT ACCEPTABLE", "msg": "INVALID IP"}, "invalid_ip")
        if any(entry.get("ip") == payload["ip"] for entry in operation["allowed_ips"]):
            # observed: an address already registered is a 200 whose body code is "404"
            return Answer(200, {"code": "404", "error": "NOT FOUND", "msg": "THE IP IS ALREADY REGISTERED"}, "already_registered")
        operation["allowed_ips"].append({"ip": str(payload["ip"]), "permanent": str(payload.get("permanent", "no")),
                                         "description": str(payload.get("description", ""))})
        return Answer(200, {"code": "200", "error": None, "msg": "IP ADDED SUCCESSFULLY"}, "ok")

    def api_remove_ip(self, operation, token, query):
        payload = self.json_body()
        if payload is None or not payload.get("ip"):
            return Answer(400, {"code": 400, "error": "BAD REQUEST", "msg": MSG_MISSING_PARAMETER}, "missing_parameter")
        kept = [entry for entry in operation["allowed_ips"] if entry.get("ip") != payload["ip"]]
        if len(kept) == len(operation["allowed_ips"]):
            return Answer(200, {"code": "404", "error": "NOT FOUND", "msg": "THE IP IS NOT REGISTERED"}, "not_registered")
        operation["allowed_ips"] = kept
        return Answer(200, {"code": "200", "error": None, "msg": "IP REMOVED SUCCESSFULLY"}, "ok")

    def api_agents(self, operation, token, query):
        data = [{"agent_id": str(agent.get("agent_id", "")), "agent_name": agent.get("agent_name", ""),
                 "agent_status": agent.get("status", "Available"), "skill_id": str(agent.get("skill_id", ""))}
                for agent in operation["agents"]]
        return Answer(200, {"code": 200, "error": None, "msg": records_msg(len(data)), "data": data}, "ok")

    def report(self, operation, token, query):
        try:
            start = datetime.datetime.strptime(query.get("date_ini", ""), "%Y%m%d%H%M%S")
            end = datetime.datetime.strptime(query.get("date_end", ""), "%Y%m%d%H%M%S")
        except ValueError:
            return Answer(400, {"code": 400, "error": "BAD REQUEST", "msg": MSG_MISSING_PARAMETER}, "missing_parameter")
        if end < start or (end - start) > datetime.timedelta(days=MAX_REPORT_DAYS):
            return Answer(400, {"code": 400, "error": "BAD REQUEST", "msg": "THE DATE RANGE EXCEEDS 31 DAYS"}, "bad_range")
        rows = []
        day = start.date()
        while day <= end.date():
            for agent in operation["agents"]:
                rows.append({"date": day.strftime("%Y%m%d"), "agent_id": str(agent.get("agent_id", "")),
                             "agent_name": agent.get("agent_name", ""), "calls": str(agent.get("calls_per_day", 0)),
                             "talk_time": "00:%02d:00" % min(int(agent.get("calls_per_day", 0)) * 3, 59)})
            day += datetime.timedelta(days=1)
        if not rows and operation["empty_answer"] == "not_found":
            return Answer(404, {"code": 404, "error": "NOT FOUND", "msg": "No data", "data": []}, "no_data")
        return Answer(200, {"code": "200", "error": None, "msg": records_msg(len(rows)), "data": rows}, "ok")

    # -- administration ---------------------------------------------------

    def admin(self, method, path, body):
        try:
            payload = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            self.send(400, {"error": "the body must be JSON"})
            return
        state = self.state
        route = (method, path)
        try:
            if route == ("GET", "/_sim/health"):
                self.send(200, {"ok": True})
            elif route == ("GET", "/_sim/requests"):
                with state.lock:
                    self.send(200, {"requests": list(state.log)})
            elif route == ("DELETE", "/_sim/requests"):
                with state.lock:
                    state.log = []
                self.send(200, {"requests": []})
            elif route == ("GET", "/_sim/state"):
                self.send(200, state.snapshot())
            elif route == ("GET", "/_sim/faults"):
                with state.lock:
                    self.send(200, {"faults": list(state.faults)})
            elif route == ("POST", "/_sim/faults"):
                rules = payload.get("faults", [payload]) if isinstance(payload, dict) else payload
                checked = [check_fault(rule) for rule in rules]
                with state.lock:
                    state.faults.extend(checked)
                    self.send(200, {"faults": list(state.faults)})
            elif route == ("DELETE", "/_sim/faults"):
                with state.lock:
                    state.faults = []
                self.send(200, {"faults": []})
            elif route == ("POST", "/_sim/config"):
                self.set_config(payload)
            elif route == ("POST", "/_sim/reset"):
                state.reset()
                self.send(200, state.snapshot())
            elif route == ("POST", "/_sim/new-day"):
                with state.lock:
                    state.roll_day(force=True)
                self.send(200, state.snapshot())
            elif method == "POST" and path.startswith("/_sim/tokens/"):
                self.set_token(path[len("/_sim/tokens/"):], payload)
            elif method == "POST" and path.startswith("/_sim/operations/"):
                self.set_operation(path[len("/_sim/operations/"):], payload)
            else:
                self.send(404, {"error": "no such admin endpoint: %s %s" % (method, path)})
        except (ValueError, TypeError, KeyError) as exc:
            self.send(400, {"error": str(exc)})

    def set_config(self, payload):
        with self.state.lock:
            for key, value in payload.items():
                if key == "latency":
                    self.state.config[key] = float(value)
                elif key == "concurrency_limit":
                    self.state.config[key] = int(value)
                else:
                    raise ValueError("unknown setting %r; settings: latency, concurrency_limit" % key)
            self.send(200, dict(self.state.config))

    def set_token(self, label, payload):
        with self.state.lock:
            token = self.state.by_label.get(label)
            if token is None:
                self.send(404, {"error": "no token labelled %r" % label})
                return
            for key in ("used_today", "limit"):
                if key in payload:
                    token[key] = int(payload[key])
            if "revoked" in payload:
                token["revoked"] = bool(payload["revoked"])
        self.send(200, self.state.snapshot())

    def set_operation(self, name, payload):
        with self.state.lock:
            matches = [op for op in self.state.operations if op["name"] == name]
            if not matches:
                self.send(404, {"error": "no operation named %r" % name})
                return
            if "module_enabled" in payload:
                matches[0]["module_enabled"] = bool(payload["module_enabled"])
            if "routing_points" in payload:
                matches[0]["routing_points"] = [dict(rp) for rp in payload["routing_points"]]
        self.send(200, self.state.snapshot())

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except _Dropped:
            self.close_connection = True


class _Dropped(Exception):
    """The connection was dropped on purpose: nothing more is sent."""


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, state, port=0, verbose=False):
        self.state = state
        self.verbose = verbose
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request, client_address):
        # a client that hung up (a timeout on its side) is not the simulator's failure
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout)) and not self.verbose:
            return
        super().handle_error(request, client_address)


def admin_call(base_url, path, payload=None, method=None, timeout=10):
    """Call the administration API of a simulator at ``base_url``; POST when there is a payload, else GET."""
    data = json.dumps(payload).encode("utf-8") if payload is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method or ("POST" if data else "GET"))
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class Simulator:
    """The simulator in a background thread, for tests: ``with Simulator(fixture) as sim: sim.url``."""

    def __init__(self, fixture, port=0, latency=0.0, concurrency_limit=2, verbose=False):
        if isinstance(fixture, str):
            with open(fixture, encoding="utf-8") as handle:
                fixture = json.load(handle)
        self.state = SimulatorState(fixture, concurrency_limit=concurrency_limit, latency=latency)
        self.server = SimulatorServer(self.state, port=port, verbose=verbose)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="wolkvox-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join()

    def admin(self, path, payload=None, method=None):
        return admin_call(self.url, path, payload, method)

    def requests(self):
        """The request log."""
        return self.admin("/_sim/requests")["requests"]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


class SimulatorProcess:
    """The simulator as a process of its own, as a user runs it; for system tests and benchmarks."""

    def __init__(self, workdir, fixture, latency=0.0):
        path = os.path.join(str(workdir), "fixture.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(fixture, handle)
        port_file = os.path.join(str(workdir), "simulator.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--port", "0", "--port-file", port_file,
                                      "--fixture", path, "--latency", str(latency)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.proc.stdout.readline()  # "listening on ...": the port file is written
        with open(port_file, encoding="utf-8") as handle:
            self.url = "http://127.0.0.1:%s" % handle.read().strip()

    def admin(self, path, payload=None, method=None):
        return admin_call(self.url, path, payload, method)

    def requests(self):
        """The request log."""
        return self.admin("/_sim/requests")["requests"]

    def reset(self):
        self.admin("/_sim/reset", {})

    def faults(self, *rules):
        self.admin("/_sim/faults", {"faults": list(rules)})

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description="A wolkvox API simulator on 127.0.0.1 (standard library only).")
    parser.add_argument("--fixture", required=True, help="JSON file with the operations, tokens and routing points to serve")
    parser.add_argument("--port", type=int, default=8080, help="TCP port on 127.0.0.1; 0 takes a free one (default: 8080)")
    parser.add_argument("--port-file", help="write the port taken to this file once the simulator is listening")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API answer (default: 0)")
    parser.add_argument("--concurrency-limit", type=int, default=2, help="requests in flight per token before a 403 (default: 2)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    try:
        sim = Simulator(args.fixture, port=args.port, latency=args.latency,
                        concurrency_limit=args.concurrency_limit, verbose=args.verbose)
    except (OSError, ValueError) as exc:
        parser.exit(2, "wolkvox simulator: cannot start: %s\n" % exc)

    def stop(signum, frame):  # pylint: disable=unused-argument
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if args.port_file:
        with open(args.port_file + ".tmp", "w", encoding="utf-8") as handle:
            handle.write("%d\n" % sim.port)
        # rename, so that a reader never sees a half-written file
        os.replace(args.port_file + ".tmp", args.port_file)
    operations = len(sim.state.operations)
    print("wolkvox simulator listening on %s (%d operations)" % (sim.url, operations), flush=True)
    try:
        sim.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.server.server_close()
        print("wolkvox simulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
