# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A wolkvox API simulator, standard library only.

It answers like the wolkvox platform on loopback so that playbooks, tests,
the demo and the benchmarks can run without spending a real token.  Paths are
``/api/v2/<file>.php?api=<name>``; the table ``CONTACT_CENTER_APIS`` lists
them all:

* ``information.php`` (GET): ``token_info``, ``routing_points[&routing=ID]``,
  ``get_ip``, ``agents[&agent=ID]``, ``skills[&skill=ID]``,
  ``agents_in_skill&skill_id=ID``, ``activity_codes[&cod_act=X]``,
  ``get_dnc&type=inbound|outbound|all``, ``campaigns[&campaign=ID]``,
  ``services``, ``connectors``;
* ``configuration.php``: ``enable_module``, ``disable_module`` (PUT);
  ``add_ip`` (POST), ``remove_ip`` (DELETE); ``create_agent`` (POST),
  ``edit_agent&agent_id=ID``, ``enable_agent``, ``disable_agent`` (PUT);
  ``create_skill`` (POST), ``edit_skill&skill_id=ID`` (PUT),
  ``add_agents_skill`` (POST), ``remove_agents_skill`` (DELETE);
  ``create_cod_act`` (POST), ``edit_cod_act`` (PUT), ``remove_cod_act``
  (DELETE); ``add_dnc`` (POST), ``remove_dnc`` (DELETE);
* ``campaign.php``: ``start``, ``stop``, ``speed`` (PUT, ``&campaign_id=ID``),
  ``create_campaign&type_campaign=predictive|preview`` (POST),
  ``edit_campaign&campaign_id=ID`` (PUT), ``delete_campaign`` (DELETE);
* ``real_time.php?api=agents`` (GET); ``real_time.php?api=campaigns`` (GET),
  a bare JSON array with no envelope, as the platform sends it;
* ``reports_manager.php?api=agent_N|cdr_N|chat_N|skill_N|campaign_N|diagram_N``
  with ``date_ini`` and ``date_end`` (GET): a window with no rows is the
  platform's 404 "Validate dates entered"; an operation's
  ``report_empty_days`` (dates, or ranges ``YYYY-MM-DD..YYYY-MM-DD``) have no
  rows, and ``report_rows_per_day`` gives that many rows a day, spread over
  the day, up to the platform's cap of 60,000 records per answer;
* CRM: ``/server/API/v2/token/tokenInformation.php?operation=NAME`` (GET, POST);
  an operation's ``crm_operation`` is its CRM name (its own name by default).
  An operation with ``"platform": "crm"`` is a CRM operation: its tokens are
  CRM tokens, which the contact-center endpoints refuse (403 PLEASE VALIDATE
  TOKEN, nothing spent); other operations are served on both.

Answer shapes follow the vendor's documentation (its Postman collection),
down to the type of the body's ``code`` (``200``, ``"200"``, ``""`` or
``"0"`` depending on the endpoint); where the documentation is silent the
simulator makes an assumption, and a comment says so.

Several operations (tenants) live side by side, each with its own tokens,
licenses, module state and routing points, loaded from a JSON fixture.  Every
call that reaches an endpoint spends one use of the operation's daily quota
(licenses x 1000, shared by its tokens), ``token_info`` included.  A third
request in flight on one token is refused as the platform does.  Each
operation also keeps its configuration resources (allowed IPs, agents, skills
and their members, activity codes, do-not-call numbers, campaigns, services,
connectors; see ``RESOURCE_LOADERS``), changed by the writes above.

Faults are injected at run time through ``/_sim/faults`` and are
deterministic: each rule applies to the next matching requests, after an
optional number of matching requests it lets through.  ``/_sim/requests`` is
the request log (method, path, query, the JSON body with any ``agent_pass``
masked, which token by its label, outcome).  ``/_sim/operations/NAME`` reads
(GET) or replaces (POST) an operation's resources; passwords never leave it.

Run it on its own, in the foreground::

    python simulator/wolkvox_simulator.py --port 8080 --fixture simulator/fixtures/demo.json

or in the background, as the demo, the integration targets, molecule, the system tests and the benchmarks do::

    python simulator/wolkvox_simulator.py start --dir DIR --fixture FIXTURE [--latency S]   # prints its URL
    python simulator/wolkvox_simulator.py stop --dir DIR

``start`` returns once the simulator listens, with its URL in ``DIR/simulator.url``, its process id in
``DIR/simulator.pid`` and its log in ``DIR/simulator.log``; ``stop`` ends that process (by its id) and removes them.
"""

import argparse
import copy
import datetime
import hashlib
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
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

# The endpoints, by file (the ``<file>.php`` of the path) and api: (method, handler); the handler is the
# Handler method ``api_<handler>``.  reports_manager.php serves agent_N, cdr_N, chat_N, skill_N, campaign_N
# and diagram_N besides (see REPORT_API).
CONTACT_CENTER_APIS = {
    "information": {
        "token_info": ("GET", "token_info"),
        "routing_points": ("GET", "routing_points"),
        "get_ip": ("GET", "get_ip"),
        "agents": ("GET", "agents"),
        "skills": ("GET", "skills"),
        "agents_in_skill": ("GET", "agents_in_skill"),
        "activity_codes": ("GET", "activity_codes"),
        "get_dnc": ("GET", "get_dnc"),
        "campaigns": ("GET", "campaigns"),
        "services": ("GET", "services"),
        "connectors": ("GET", "connectors"),
    },
    "configuration": {
        "enable_module": ("PUT", "enable_module"),
        "disable_module": ("PUT", "disable_module"),
        "add_ip": ("POST", "add_ip"),
        "remove_ip": ("DELETE", "remove_ip"),
        "create_agent": ("POST", "create_agent"),
        "edit_agent": ("PUT", "edit_agent"),
        "enable_agent": ("PUT", "enable_agent"),
        "disable_agent": ("PUT", "disable_agent"),
        "create_skill": ("POST", "create_skill"),
        "edit_skill": ("PUT", "edit_skill"),
        "add_agents_skill": ("POST", "add_agents_skill"),
        "remove_agents_skill": ("DELETE", "remove_agents_skill"),
        "create_cod_act": ("POST", "create_cod_act"),
        "edit_cod_act": ("PUT", "edit_cod_act"),
        "remove_cod_act": ("DELETE", "remove_cod_act"),
        "add_dnc": ("POST", "add_dnc"),
        "remove_dnc": ("DELETE", "remove_dnc"),
    },
    "campaign": {
        "start": ("PUT", "start_campaign"),
        "stop": ("PUT", "stop_campaign"),
        "speed": ("PUT", "campaign_speed"),
        "create_campaign": ("POST", "create_campaign"),
        "edit_campaign": ("PUT", "edit_campaign"),
        "delete_campaign": ("DELETE", "delete_campaign"),
    },
    "real_time": {"agents": ("GET", "real_time_agents"), "campaigns": ("GET", "real_time_campaigns")},
    "reports_manager": {},
}
REPORT_API = re.compile(r"^(agent|cdr|chat|skill|campaign|diagram)_\d+$")
MAX_REPORT_DAYS = 31
MAX_REPORT_RECORDS = 60000      # records per answer: a report with more rows answers the first 60,000
MSG_REPORT_EMPTY = "Validate dates entered"  # the platform's 404 for a report window with no rows
CRM_TOKEN_PATH = "/server/API/v2/token/tokenInformation.php"

# The platform's limits, as the simulator enforces them.
MAX_PERMANENT_IPS = 5           # permanent allowed IPs per operation
IPS_PER_LICENSE = 10            # allowed IPs (permanent or not) per license
AGENTS_PER_LICENSE = 50         # named agents per license
SKILLS_PER_LICENSE = 10
MAX_STARTED_PREDICTIVE = 7      # predictive campaigns started at once, per operation
MAX_DNC_PER_CALL = 10000        # telephones in one add_dnc or remove_dnc

TIMESTAMP = "%Y-%m-%d %H:%M:%S"
PASSWORD_SPECIALS = "!#%&*@"
MSG_PASSWORD = ("The password must contain at least one uppercase letter, one lowercase letter, one number and one "
                "special character (%s)" % PASSWORD_SPECIALS)
# Body fields whose value never reaches the request log, nor any answer of the administration API.
SECRET_FIELDS = ("agent_pass",)
MASK = "********"

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


def now_text():
    return datetime.datetime.now().strftime(TIMESTAMP)


def masked(value):
    """A request body (parsed JSON) fit for the request log: the value of any SECRET_FIELDS replaced by MASK."""
    if isinstance(value, dict):
        return {key: (MASK if key in SECRET_FIELDS else masked(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def logged_body(raw):
    """The request body as the request log keeps it: parsed JSON, masked; None when empty or not JSON."""
    if not raw:
        return None
    try:
        return masked(json.loads(raw.decode("utf-8")))
    except ValueError:  # UnicodeDecodeError included
        return None


def password_problem(password):
    """Why the platform refuses this agent password, or None when it takes it."""
    classes = (str.isupper, str.islower, str.isdigit, lambda char: char in PASSWORD_SPECIALS)
    if all(any(test(char) for char in password) for test in classes):
        return None
    return MSG_PASSWORD


def generate_password(length=12):
    """A password as the platform generates one: at least an upper, a lower, a digit and one of PASSWORD_SPECIALS."""
    pools = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", PASSWORD_SPECIALS)
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice("".join(pools)) for dummy in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def next_id(existing, first):
    """The next free number after the numeric ones in ``existing`` (``first`` when there are none), as a string."""
    numbers = [int(value) for value in existing if str(value).isdigit()]
    return str(max(numbers) + 1 if numbers else first)


def yes_no(value, where):
    """A fixture flag as the platform writes it: "yes" or "no" (a JSON boolean is taken too)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value not in ("yes", "no"):
        raise FixtureError("%s is 'yes' or 'no', not %r" % (where, value))
    return value


def fixture_rows(value, where, key=None):
    """A fixture list of objects, each holding ``key`` when one is named."""
    if not isinstance(value, list):
        raise FixtureError("%s is a list" % where)
    for index, row in enumerate(value):
        if not isinstance(row, dict) or (key and row.get(key) in (None, "")):
            raise FixtureError("%s[%d] is an object with a '%s'" % (where, index, key) if key else "%s[%d] is an object" % (where, index))
    return value


# -- the operation's configuration resources, as loaded from a fixture (or /_sim/operations/NAME) -------------
# Each loader takes the operation (a dict being built), the fixture's value and where it is (for messages), and
# stores the resource in the operation.  The administration API's GET /_sim/operations/NAME answers in the same
# form, so that what it returns can be posted back.


def load_allowed_ips(operation, value, where):
    """[{"ip", "type_ip": "temporal"|"permanente" or "permanent": "yes"|"no", "description", "last_use"}]"""
    ips = []
    for index, raw in enumerate(fixture_rows(value, where, "ip")):
        type_ip = raw.get("type_ip")
        if type_ip is None:
            type_ip = "permanente" if yes_no(raw.get("permanent", "no"), "%s[%d].permanent" % (where, index)) == "yes" else "temporal"
        if type_ip not in ("temporal", "permanente"):
            raise FixtureError("%s[%d].type_ip is 'temporal' or 'permanente'" % (where, index))
        ips.append({"ip": str(raw["ip"]), "type_ip": type_ip, "description": str(raw.get("description", "")),
                    "last_use": str(raw.get("last_use", ""))})
    operation["allowed_ips"] = ips


def load_agents(operation, value, where):
    """[{"agent_id", "agent_name", "agent_dni", "agent_sso", "enabled", "status" (or "agent_status"), "last_use",
    "agent_pass", and for real_time.php and the reports "skill_id", "calls_per_day"}]; the password is kept apart."""
    agents, passwords = [], {}
    for index, raw in enumerate(fixture_rows(value, where, "agent_id")):
        agent = dict(raw)
        agent.pop("password_set", None)  # as GET /_sim/operations/NAME shows it
        agent["agent_id"] = str(raw["agent_id"])
        agent["agent_name"] = str(raw.get("agent_name", ""))
        agent["agent_dni"] = str(raw.get("agent_dni", "DNI" + agent["agent_id"]))
        agent["agent_sso"] = str(raw.get("agent_sso", ""))
        agent["enabled"] = yes_no(raw.get("enabled", "yes"), "%s[%d].enabled" % (where, index))
        agent["status"] = str(agent.pop("agent_status", raw.get("status", "Available")))
        agent["last_use"] = str(raw.get("last_use", ""))
        password = agent.pop("agent_pass", None)
        if password:
            passwords[agent["agent_id"]] = str(password)
        agents.append(agent)
    operation["agents"] = agents
    operation["agent_passwords"] = passwords


def load_skills(operation, value, where):
    """[{"skill_id", "skill_name", "skill_description", "voicemail", "welcome_message", "vto", "last_use",
    "agents": [{"agent_id", "expertise"}]}]"""
    skills = []
    for index, raw in enumerate(fixture_rows(value, where, "skill_id")):
        members = {}
        for member in fixture_rows(raw.get("agents") or [], "%s[%d].agents" % (where, index), "agent_id"):
            members[str(member["agent_id"])] = str(member.get("expertise", "1"))
        skills.append({
            "skill_id": str(raw["skill_id"]),
            "skill_name": str(raw.get("skill_name", "")),
            "skill_description": str(raw.get("skill_description", raw.get("description_skill", ""))),
            "voicemail": str(raw.get("voicemail", "no")),
            "welcome_message": str(raw.get("welcome_message", "no")),
            "vto": str(raw.get("vto", "no")),
            "last_use": str(raw.get("last_use", "")),
            "agents": members,
        })
    operation["skills"] = skills


ACTIVITY_TYPES = ("cod_act1", "cod_act2")
ACTIVITY_FLAGS = ("hit", "rpc", "chat", "studio", "voice", "interactions")


def load_activity_codes(operation, value, where):
    """[{"cod_act", "type_code": "cod_act1"|"cod_act2", "description_cod_act", and the flags of ACTIVITY_FLAGS}]"""
    codes, seen = [], set()
    for index, raw in enumerate(fixture_rows(value, where, "cod_act")):
        code = {"cod_act": str(raw["cod_act"]), "description_cod_act": str(raw.get("description_cod_act", "")),
                "type_code": raw.get("type_code", "cod_act1")}
        if code["type_code"] not in ACTIVITY_TYPES:
            raise FixtureError("%s[%d].type_code is 'cod_act1' or 'cod_act2'" % (where, index))
        if (code["type_code"], code["cod_act"]) in seen:
            raise FixtureError("%s[%d]: %s %s is declared twice" % (where, index, code["type_code"], code["cod_act"]))
        seen.add((code["type_code"], code["cod_act"]))
        for flag in ACTIVITY_FLAGS:
            code[flag] = yes_no(raw.get(flag, "no"), "%s[%d].%s" % (where, index, flag))
        codes.append(code)
    operation["activity_codes"] = codes


DNC_DIRECTIONS = ("inbound", "outbound")


def load_dnc(operation, value, where):
    """{"inbound": [numbers] or {number: date added}, "outbound": ...}, or the rows get_dnc answers:
    [{"phone_number", "type": "inbound"|"outbound", "date_delete"}].  Kept as one dict per direction."""
    dnc = {direction: {} for direction in DNC_DIRECTIONS}
    today = now_text()
    if isinstance(value, dict):
        for direction, numbers in value.items():
            if direction not in DNC_DIRECTIONS:
                raise FixtureError("%s has the keys 'inbound' and 'outbound' only" % where)
            if isinstance(numbers, dict):
                dnc[direction].update((str(number), str(date)) for number, date in numbers.items())
            elif isinstance(numbers, list):
                dnc[direction].update((str(number), today) for number in numbers)
            else:
                raise FixtureError("%s.%s is a list of numbers or an object {number: date added}" % (where, direction))
    else:
        for index, row in enumerate(fixture_rows(value, where, "phone_number")):
            if row.get("type") not in DNC_DIRECTIONS:
                raise FixtureError("%s[%d].type is 'inbound' or 'outbound'" % (where, index))
            dnc[row["type"]][str(row["phone_number"])] = str(row.get("date_delete", today))
    operation["dnc"] = dnc


CAMPAIGN_TYPES = ("predictive", "preview")
CAMPAIGN_FIELDS = ("campaign_id", "campaign_name", "campaign_description", "type_campaign", "status", "records", "speed",
                   "dial_mode", "last_use", "recycled", "turbo_dial", "skill_id", "start_time", "end_time")
CAMPAIGN_OPTIONS = tuple("opt%d" % number for number in range(1, 13)) + ("enable_edition",)


def new_campaign(campaign_id, type_campaign, name):
    """A campaign with the simulator's defaults (dial_mode, speed, ... are assumptions: the vendor documents no default)."""
    campaign = {"campaign_id": campaign_id, "campaign_name": name, "campaign_description": "", "type_campaign": type_campaign,
                "status": "Stopped", "records": "0", "speed": "100", "dial_mode": "normal", "last_use": "", "recycled": "0",
                "turbo_dial": "no", "skill_id": "", "start_time": "08:00:00", "end_time": "18:00:00"}
    campaign.update((option, "") for option in CAMPAIGN_OPTIONS)
    campaign["enable_edition"] = "no"
    return campaign


def load_campaigns(operation, value, where):
    """[{the fields of CAMPAIGN_FIELDS, and opt1..opt12, enable_edition}]; type_campaign is 'predictive' or
    'preview', status 'Started' or 'Stopped', start_time and end_time HH:MM:SS."""
    campaigns = []
    for index, raw in enumerate(fixture_rows(value, where, "campaign_id")):
        campaign = new_campaign(str(raw["campaign_id"]), "predictive", "")
        campaign.update((key, str(raw[key])) for key in CAMPAIGN_FIELDS + CAMPAIGN_OPTIONS if key in raw)
        campaign["type_campaign"] = campaign["type_campaign"].lower()
        if campaign["type_campaign"] not in CAMPAIGN_TYPES:
            raise FixtureError("%s[%d].type_campaign is 'predictive' or 'preview'" % (where, index))
        if campaign["status"] not in ("Started", "Stopped"):
            raise FixtureError("%s[%d].status is 'Started' or 'Stopped'" % (where, index))
        for key in ("start_time", "end_time"):
            if not re.match(r"^\d{2}:\d{2}:\d{2}$", campaign[key]):
                raise FixtureError("%s[%d].%s is HH:MM:SS" % (where, index, key))
        campaigns.append(campaign)
    operation["campaigns"] = campaigns


def load_services(operation, value, where):
    """{"pbx": "2", "whatsapp": "yes", ...}: what differs from the defaults of services_of()."""
    if not isinstance(value, dict):
        raise FixtureError("%s is an object" % where)
    operation["services"] = {str(key): str(item) for key, item in value.items()}


def load_connectors(operation, value, where):
    """[{"connector_id", "rp_id", "name", "channel"}]"""
    operation["connectors"] = [{key: str(raw.get(key, "")) for key in ("connector_id", "rp_id", "name", "channel")}
                               for raw in fixture_rows(value, where, "connector_id")]


# The configuration resources of an operation, each optional in a fixture, in the order they are loaded.
RESOURCE_LOADERS = {
    "allowed_ips": (load_allowed_ips, []),
    "agents": (load_agents, []),
    "skills": (load_skills, []),
    "activity_codes": (load_activity_codes, []),
    "dnc": (load_dnc, {}),
    "campaigns": (load_campaigns, []),
    "services": (load_services, {}),
    "connectors": (load_connectors, []),
}


def load_resources(operation, raw, where, only_given=False):
    """Load the resources of ``raw`` into ``operation``: all of them (the missing ones empty), or only those given."""
    for key, (loader, empty) in RESOURCE_LOADERS.items():
        if key in raw or not only_given:
            value = raw.get(key)
            loader(operation, empty if value is None else copy.deepcopy(value), "%s.%s" % (where, key))
    if only_given:
        return  # an administration call may leave a skill naming an agent it removed: its name reads as ""
    agent_ids = set(agent["agent_id"] for agent in operation["agents"])
    for skill in operation["skills"]:
        unknown = sorted(set(skill["agents"]) - agent_ids)
        if unknown:
            raise FixtureError("%s.skills: skill %s names agents that do not exist: %s" % (where, skill["skill_id"], ", ".join(unknown)))


def services_of(operation):
    """The services answer: a few of the platform's flags, the fixture's values over these defaults."""
    services = {"licenses": str(operation["licenses"]), "pbx": "1", "whatsapp": "no", "crm": "no", "sso": "no",
                "speech_analytics": "no", "chatbot": "no"}
    services.update(operation["services"])
    return services


def describe_operation(operation):
    """An operation's resources for GET /_sim/operations/NAME: everything but the agents' passwords."""
    passwords = operation["agent_passwords"]
    return {
        "name": operation["name"],
        "licenses": operation["licenses"],
        "module_enabled": operation["module_enabled"],
        "routing_points": [dict(point) for point in operation["routing_points"]],
        "allowed_ips": [dict(entry) for entry in operation["allowed_ips"]],
        "agents": [dict(agent, password_set=agent["agent_id"] in passwords) for agent in operation["agents"]],
        "skills": [dict(skill, agents=[{"agent_id": agent_id, "expertise": expertise}
                                       for agent_id, expertise in skill["agents"].items()])
                   for skill in operation["skills"]],
        "activity_codes": [dict(code) for code in operation["activity_codes"]],
        "dnc": {direction: dict(numbers) for direction, numbers in operation["dnc"].items()},
        "campaigns": [dict(campaign) for campaign in operation["campaigns"]],
        "services": services_of(operation),
        "connectors": [dict(connector) for connector in operation["connectors"]],
    }


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
        platform = raw.get("platform", "contact_center")
        if platform not in ("contact_center", "crm"):
            raise FixtureError("%s.platform is 'contact_center' or 'crm'" % where)
        operation = {
            "name": raw["name"],
            "server": str(raw.get("server", "0001")),
            "crm_operation": raw.get("crm_operation", raw["name"]),
            "platform": platform,
            "licenses": licenses,
            "module_name": raw.get("module_name", raw["name"]),
            "module_enabled": bool(raw.get("module_enabled", True)),
            "already_answer": already,
            "empty_answer": empty,
            "tokens": tokens,
            "routing_points": [dict(rp) for rp in raw.get("routing_points") or []],
        }
        load_report_settings(operation, raw, where)
        load_resources(operation, raw, where)
        operations.append(operation)
    return operations


def load_report_settings(operation, raw, where):
    """An operation's report_empty_days (dates with no report rows: "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD")
    and report_rows_per_day (that many rows a day instead of one per agent), from a fixture or the admin API."""
    if "report_empty_days" in raw or "report_empty_days" not in operation:
        empty = set()
        for item in raw.get("report_empty_days") or []:
            try:
                first, dummy, last = str(item).partition("..")
                day = datetime.date.fromisoformat(first)
                stop = datetime.date.fromisoformat(last) if last else day
            except ValueError:
                raise FixtureError("%s.report_empty_days: %r is not a date YYYY-MM-DD nor a range "
                                   "YYYY-MM-DD..YYYY-MM-DD" % (where, item)) from None
            while day <= stop:
                empty.add(day)
                day += datetime.timedelta(days=1)
        operation["report_empty_days"] = empty
    if "report_rows_per_day" in raw or "report_rows_per_day" not in operation:
        rows = raw.get("report_rows_per_day")
        if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= 86400):
            raise FixtureError("%s.report_rows_per_day must be a whole number from 1 to 86400" % where)
        operation["report_rows_per_day"] = rows


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
        # held for the state's counters and log, and around each endpoint, which reads or changes the resources
        self.lock = threading.RLock()
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
                    "platform": op["platform"],
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


def bad_request(msg, outcome="bad_request"):
    return error_answer(400, "BAD REQUEST", msg, outcome)


def missing_parameter():
    return bad_request(MSG_MISSING_PARAMETER, "missing_parameter")


def not_found(msg):
    return error_answer(404, "NOT FOUND", msg, "not_found")


def no_data():
    """The platform's answer to a read that finds nothing (with empty_answer: not_found)."""
    return Answer(404, {"code": 404, "error": "NOT FOUND", "msg": "No data", "data": []}, "no_data")


def done(code, msg, data=None):
    """A success: HTTP 200 whatever the body's code (its type, int or string, is each endpoint's own)."""
    body = {"code": code, "error": None, "msg": msg}
    if data is not None:
        body["data"] = data
    return Answer(200, body, "ok")


def refused(code, msg, outcome, error="NOT ACCEPTABLE"):
    """A refusal the platform sends as HTTP 200, with the refusal in the body's code ("404", "406")."""
    return Answer(200, {"code": code, "error": error, "msg": msg}, outcome)


def text_field(payload, name, required=False, default=None):
    """A body field as a string (a JSON number is taken too); ``default`` when absent, a 400 when required."""
    value = payload.get(name)
    if value is None or (required and value == ""):
        if required:
            raise missing_parameter()
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise bad_request("%s must be a string" % name)
    return str(value)


def flag_field(payload, name, default=None):
    value = text_field(payload, name, default=default)
    if value not in (None, "yes", "no"):
        raise bad_request("%s must be yes or no" % name)
    return value


def list_field(payload, name):
    """A body field that is a list of strings; a lone string is a list of one."""
    value = payload.get(name)
    if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
        return [str(value)]
    if not isinstance(value, list) or not value:
        raise missing_parameter()
    if any(isinstance(item, bool) or not isinstance(item, (str, int)) for item in value):
        raise bad_request("%s must be a list of strings" % name)
    return [str(item) for item in value]


def clock_field(payload, name, compact, required=False):
    """A time of day: ``hhmmss`` (compact, as create_campaign takes it) or ``HH:MM:SS`` (as edit_campaign takes it).
    Returns it as HH:MM:SS, the form the platform reads back; anything else is a 400."""
    value = text_field(payload, name, required=required)
    if value is None:
        return None
    form, shape, pattern = ("%H%M%S", "hhmmss", r"^\d{6}$") if compact else ("%H:%M:%S", "HH:mm:ss", r"^\d{2}:\d{2}:\d{2}$")
    try:
        if not re.match(pattern, value):
            raise ValueError(value)
        return datetime.datetime.strptime(value, form).strftime("%H:%M:%S")
    except ValueError:
        raise bad_request("%s must be a time as %s" % (name, shape))  # pylint: disable=raise-missing-from


def query_id(query, name):
    """An identifier the endpoint takes in the query string (edit_agent's agent_id, campaign.php's campaign_id, ...)."""
    if not query.get(name):
        raise missing_parameter()
    return query[name]


def find(rows, key, value, msg):
    """The row whose ``key`` is ``value``, or the platform's 404 with ``msg``."""
    for row in rows:
        if row[key] == value:
            return row
    raise not_found(msg)


class ResourceEndpoints:
    """The operation's configuration resources: allowed IPs, agents, skills and their members, activity codes,
    do-not-call numbers, campaigns, services and connectors.

    Each ``api_*`` method takes the operation, the token's record and the query, reads the request body through
    ``payload()``, and returns (or raises) an Answer.  The answers copy the vendor's documented shapes, code
    types included; a comment marks each behaviour the documentation leaves open and the simulator assumes.
    """

    body = b""

    def payload(self):
        """The request body, a JSON object ({} when there is none); anything else is a 400."""
        try:
            payload = json.loads(self.body.decode("utf-8")) if self.body else {}
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise missing_parameter()
        return payload

    @staticmethod
    def listing(operation, code, rows):
        """A read's answer: the rows with " N records were found", or, with no row, the operation's empty answer."""
        if not rows and operation["empty_answer"] == "not_found":
            return no_data()
        return Answer(200, {"code": code, "error": None, "msg": records_msg(len(rows), True), "data": rows}, "ok")

    # -- allowed IPs ----------------------------------------------------------------------------------------

    def api_get_ip(self, operation, token, query):
        rows = [{"operation": operation["name"], "ip": entry["ip"], "last_use": entry["last_use"],
                 "type_ip": entry["type_ip"], "description": entry["description"]} for entry in operation["allowed_ips"]]
        return self.listing(operation, "200", rows)

    def valid_ip(self):
        """The body's ip; a 400 when missing, the platform's HTTP 200 with body code "406" when it is no address."""
        payload = self.payload()
        ip = text_field(payload, "ip", required=True)
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise refused("406", "INVALID IP", "invalid_ip")  # pylint: disable=raise-missing-from
        return payload, ip

    def api_add_ip(self, operation, token, query):
        payload, ip = self.valid_ip()
        permanent = flag_field(payload, "permanent", default="no")
        description = text_field(payload, "description", default="")
        ips = operation["allowed_ips"]
        if any(entry["ip"] == ip for entry in ips):
            # observed: an address already registered is a 200 whose body code is "404"
            return refused("404", "THE IP IS ALREADY REGISTERED", "already_registered", "NOT FOUND")
        limit = IPS_PER_LICENSE * operation["licenses"]
        if len(ips) >= limit:
            return refused("406", "THE LIMIT OF %d IPS (%d PER LICENSE) HAS BEEN REACHED" % (limit, IPS_PER_LICENSE), "limit")
        if permanent == "yes" and sum(entry["type_ip"] == "permanente" for entry in ips) >= MAX_PERMANENT_IPS:
            return refused("406", "THE LIMIT OF %d PERMANENT IPS HAS BEEN REACHED" % MAX_PERMANENT_IPS, "limit")
        ips.append({"ip": ip, "type_ip": "permanente" if permanent == "yes" else "temporal", "description": description,
                    "last_use": ""})
        return done("201", "IP: %s has been added successfully" % ip)

    def api_remove_ip(self, operation, token, query):
        payload, ip = self.valid_ip()
        kept = [entry for entry in operation["allowed_ips"] if entry["ip"] != ip]
        if len(kept) == len(operation["allowed_ips"]):
            return refused("404", "THE IP IS NOT REGISTERED", "not_registered", "NOT FOUND")
        operation["allowed_ips"] = kept
        return done("202", "IP: %s has been deleted successfully" % ip)

    # -- agents ---------------------------------------------------------------------------------------------

    def api_agents(self, operation, token, query):
        agents = operation["agents"]
        if "agent" in query:
            agents = [agent for agent in agents if agent["agent_id"] == query["agent"]]
        rows = [{"agent_id": agent["agent_id"], "agent_name": agent["agent_name"], "agent_dni": agent["agent_dni"],
                 "agent_status": agent["status"], "last_use": agent["last_use"], "agent_sso": agent["agent_sso"],
                 "enabled": agent["enabled"]} for agent in agents]
        return self.listing(operation, "", rows)  # code "", as the platform sends it here

    @staticmethod
    def agent_fields(payload, creating):
        """The agent's fields of the body, checked: dni and name required to create, never empty; a password,
        when given, must pass the platform's rule (an empty or missing one: generated to create, unchanged to edit)."""
        fields = {}
        for name in ("agent_dni", "agent_name"):
            value = text_field(payload, name, required=creating or name in payload)
            if value is not None:
                fields[name] = value
        sso = text_field(payload, "agent_sso")
        if sso is not None:
            fields["agent_sso"] = sso
        password = text_field(payload, "agent_pass", default="")
        if password and password_problem(password):
            raise bad_request(password_problem(password), "bad_password")
        return fields, password

    def api_create_agent(self, operation, token, query):
        fields, password = self.agent_fields(self.payload(), creating=True)
        agents = operation["agents"]
        if len(agents) >= AGENTS_PER_LICENSE * operation["licenses"]:
            return refused("406", "Agent limit reached", "limit")
        # documented: a duplicate dni is not refused, the platform creates a second agent with it
        agent_id = next_id([agent["agent_id"] for agent in agents], 1001)  # the next free extension
        password = password or generate_password()
        agents.append({"agent_id": agent_id, "agent_name": fields["agent_name"], "agent_dni": fields["agent_dni"],
                       "agent_sso": fields.get("agent_sso", ""), "enabled": "yes", "status": "Disconnected", "last_use": ""})
        operation["agent_passwords"][agent_id] = password  # in memory only, never logged nor shown
        return done(201, "Agent has been created", [{"agent_id": agent_id, "password": password}])

    def api_edit_agent(self, operation, token, query):
        agent_id = query_id(query, "agent_id")
        fields, password = self.agent_fields(self.payload(), creating=False)
        # assumption: an unknown agent is an HTTP 404 "Agent not found"; the vendor does not document it
        agent = find(operation["agents"], "agent_id", agent_id, "Agent not found")
        agent.update(fields)
        if password:
            operation["agent_passwords"][agent_id] = password
        return done(202, "agent has been updated")

    def switch_agent(self, operation, enable):
        agent_id = text_field(self.payload(), "agent_id", required=True)
        # assumption, as for edit_agent: an unknown agent is a 404; switching to the state it has answers success
        agent = find(operation["agents"], "agent_id", agent_id, "Agent not found")
        agent["enabled"] = "yes" if enable else "no"
        return done(202, "%s agent has been %s" % (agent_id, "enabled" if enable else "disabled"))

    def api_enable_agent(self, operation, token, query):
        return self.switch_agent(operation, True)

    def api_disable_agent(self, operation, token, query):
        return self.switch_agent(operation, False)

    # -- skills and their agents ----------------------------------------------------------------------------

    def api_skills(self, operation, token, query):
        skills = operation["skills"]
        if "skill" in query:
            skills = [skill for skill in skills if skill["skill_id"] == query["skill"]]
        # voicemail, welcome_message and vto are written but never read back (see GET /_sim/operations/NAME)
        rows = [{"skill_id": skill["skill_id"], "skill_name": skill["skill_name"],
                 "skill_description": skill["skill_description"], "last_use": skill["last_use"]} for skill in skills]
        return self.listing(operation, "200", rows)

    @staticmethod
    def skill_fields(payload, creating):
        """The skill's fields of the body: written description_skill, read back as skill_description."""
        fields = {}
        name = text_field(payload, "skill_name", required=creating or "skill_name" in payload)
        if name is not None:
            fields["skill_name"] = name
        for written, stored in (("description_skill", "skill_description"), ("voicemail", "voicemail"),
                                ("welcome_message", "welcome_message"), ("vto", "vto")):
            value = text_field(payload, written)
            if value is not None:
                fields[stored] = value
        return fields

    def api_create_skill(self, operation, token, query):
        fields = self.skill_fields(self.payload(), creating=True)
        skills = operation["skills"]
        if len(skills) >= SKILLS_PER_LICENSE * operation["licenses"]:
            return refused("406", "Skill limit reached: %d skills per license" % SKILLS_PER_LICENSE, "limit")
        # assumption: a duplicate name is not refused (as for agents)
        skill = {"skill_id": next_id([skill["skill_id"] for skill in skills], 1), "skill_name": "", "skill_description": "",
                 "voicemail": "no", "welcome_message": "no", "vto": "no", "last_use": "", "agents": {}}
        skill.update(fields)
        skills.append(skill)
        return done(201, "Skill has been created", [{"skill_id": skill["skill_id"]}])

    def api_edit_skill(self, operation, token, query):
        skill_id = query_id(query, "skill_id")
        fields = self.skill_fields(self.payload(), creating=False)
        # assumption: an unknown skill is an HTTP 404 "Skill not found"
        find(operation["skills"], "skill_id", skill_id, "Skill not found").update(fields)
        return done(202, "skill has been updated")

    def api_agents_in_skill(self, operation, token, query):
        skill = find(operation["skills"], "skill_id", query_id(query, "skill_id"), "Skill not found")
        agents = {agent["agent_id"]: agent for agent in operation["agents"]}
        rows = [{"agent_id": agent_id, "agent_name": agents.get(agent_id, {}).get("agent_name", ""),
                 "last_use": agents.get(agent_id, {}).get("last_use", ""), "expertise": expertise}
                for agent_id, expertise in skill["agents"].items()]
        return self.listing(operation, "200", rows)

    def member(self, operation, with_expertise):
        """The skill and the agent a body names (skill_id, agent_id, and expertise when adding); 404 when unknown."""
        payload = self.payload()
        skill_id = text_field(payload, "skill_id", required=True)
        agent_id = text_field(payload, "agent_id", required=True)
        expertise = text_field(payload, "expertise", required=True) if with_expertise else None
        skill = find(operation["skills"], "skill_id", skill_id, "Skill not found")
        find(operation["agents"], "agent_id", agent_id, "Agent not found")
        return skill, agent_id, expertise

    def api_add_agents_skill(self, operation, token, query):
        skill, agent_id, expertise = self.member(operation, with_expertise=True)
        # assumption: adding an agent already in the skill updates its expertise and answers the same
        skill["agents"][agent_id] = expertise
        return done("201", "Agent added successfully")

    def api_remove_agents_skill(self, operation, token, query):
        skill, agent_id, dummy = self.member(operation, with_expertise=False)
        if agent_id not in skill["agents"]:
            # assumption: removing an agent that is not in the skill is a 404
            return not_found("Agent not found in skill")
        del skill["agents"][agent_id]
        return done("201", "Removed successfully")

    # -- activity codes -------------------------------------------------------------------------------------

    def api_activity_codes(self, operation, token, query):
        codes = operation["activity_codes"]
        if "cod_act" in query:
            codes = [code for code in codes if code["cod_act"] == query["cod_act"]]
        rows = []
        for code in codes:
            row = {key: code[key] for key in ("cod_act", "description_cod_act") + ACTIVITY_FLAGS[:5]}
            row.update(type_code=code["type_code"], interactions=code["interactions"])
            if code["type_code"] == "cod_act2":
                row.update(hit="", rpc="")  # the platform leaves them empty for the second level
            rows.append(row)
        return self.listing(operation, "0", rows)  # code "0", as the platform sends it here

    @staticmethod
    def activity_key(payload):
        type_code = text_field(payload, "type_code", required=True)
        if type_code not in ACTIVITY_TYPES:
            raise bad_request("type_code must be cod_act1 or cod_act2")
        return type_code

    def api_create_cod_act(self, operation, token, query):
        payload = self.payload()
        code = {"type_code": self.activity_key(payload), "cod_act": text_field(payload, "cod_act", required=True),
                "description_cod_act": text_field(payload, "description_cod_act", required=True)}
        code.update((flag, flag_field(payload, flag, default="no")) for flag in ACTIVITY_FLAGS)
        if any((old["type_code"], old["cod_act"]) == (code["type_code"], code["cod_act"]) for old in operation["activity_codes"]):
            # assumption: the platform refuses a code that exists (same type_code and cod_act) with body code "406"
            return refused("406", "Code already exists", "already_exists")
        operation["activity_codes"].append(code)
        return done(201, "Code successfully created")

    def api_edit_cod_act(self, operation, token, query):
        payload = self.payload()
        type_code, cod_act = self.activity_key(payload), text_field(payload, "cod_act", required=True)
        changes = {"description_cod_act": text_field(payload, "description_cod_act")}
        changes.update((flag, flag_field(payload, flag)) for flag in ACTIVITY_FLAGS)
        for code in operation["activity_codes"]:
            if (code["type_code"], code["cod_act"]) == (type_code, cod_act):
                code.update((key, value) for key, value in changes.items() if value is not None)
                return done("201", "Successfully updated code")
        # assumption: an unknown code is an HTTP 404
        return not_found("Code not found")

    def api_remove_cod_act(self, operation, token, query):
        payload = self.payload()
        type_code, names = self.activity_key(payload), set(list_field(payload, "cod_act"))
        # assumption: codes that do not exist are skipped and the answer is the same
        operation["activity_codes"] = [code for code in operation["activity_codes"]
                                       if not (code["type_code"] == type_code and code["cod_act"] in names)]
        return done("201", "Removed successfully")

    # -- do-not-call numbers (one dict per direction, so that 50,000 numbers stay fast) -------------------------

    def api_get_dnc(self, operation, token, query):
        wanted = query.get("type")
        if not wanted:
            raise missing_parameter()  # assumption: the type is required
        if wanted not in DNC_DIRECTIONS + ("all",):
            raise bad_request("type must be inbound, outbound or all")
        rows = [{"phone_number": number, "type": direction, "date_delete": added}
                for direction in DNC_DIRECTIONS if wanted in (direction, "all")
                for number, added in operation["dnc"][direction].items()]
        return self.listing(operation, "200", rows)

    @staticmethod
    def dnc_telephones(payload, allow_all):
        telephones = payload.get("telephones")
        if allow_all and telephones == "all":
            return None
        telephones = list_field(payload, "telephones")
        if len(telephones) > MAX_DNC_PER_CALL:
            raise bad_request("The maximum number of telephones per request is %d" % MAX_DNC_PER_CALL, "limit")
        return telephones

    def api_add_dnc(self, operation, token, query):
        payload = self.payload()
        type_call = text_field(payload, "type_call", required=True)
        directions = {"inbound": ("inbound",), "outbound": ("outbound",), "inbound/outbound": DNC_DIRECTIONS}.get(type_call)
        if directions is None:
            raise bad_request("type_call must be inbound, outbound or inbound/outbound")
        telephones = self.dnc_telephones(payload, allow_all=False)
        bad = [number for number in telephones if not re.match(r"^\+?\d{1,20}$", number)]
        if bad:
            # assumption: a number that is not digits refuses the whole call
            raise bad_request("Invalid telephone number: %s" % bad[0])
        added, today = set(), now_text()
        for direction in directions:
            numbers = operation["dnc"][direction]
            for number in telephones:
                if number not in numbers:
                    numbers[number] = today
                    added.add(number)
        # assumption: N counts the telephones new in at least one direction
        return done(201, "%d telephones were added" % len(added))

    def api_remove_dnc(self, operation, token, query):
        payload = self.payload()
        wanted = text_field(payload, "type", required=True)
        if wanted not in DNC_DIRECTIONS + ("all",):
            raise bad_request("type must be inbound, outbound or all")
        telephones = self.dnc_telephones(payload, allow_all=True)
        removed = set()
        for direction in DNC_DIRECTIONS:
            if wanted not in (direction, "all"):
                continue
            numbers = operation["dnc"][direction]
            if telephones is None:
                removed.update(numbers)
                numbers.clear()
                continue
            for number in telephones:
                if numbers.pop(number, None) is not None:
                    removed.add(number)
        # assumption: N counts the telephones deleted from at least one direction
        return done(202, "%d telephones were deleted" % len(removed))

    # -- campaigns --------------------------------------------------------------------------------------------

    def api_campaigns(self, operation, token, query):
        campaigns = operation["campaigns"]
        if "campaign" in query:
            campaigns = [campaign for campaign in campaigns if campaign["campaign_id"] == query["campaign"]]
        # assumption: start_time and end_time (HH:MM:SS) are in the list; the vendor does not document them there
        rows = [{key: campaign[key] for key in CAMPAIGN_FIELDS} for campaign in campaigns]
        return self.listing(operation, "", rows)  # code "", as the platform sends it here

    @staticmethod
    def find_campaign(operation, query):
        # assumption: an unknown campaign is an HTTP 404 "Campaign not found"
        return find(operation["campaigns"], "campaign_id", query_id(query, "campaign_id"), "Campaign not found")

    def switch_campaign(self, operation, query, start):
        campaign = self.find_campaign(operation, query)
        if start and campaign["type_campaign"] == "predictive" and campaign["status"] != "Started":
            started = sum(other["type_campaign"] == "predictive" and other["status"] == "Started"
                          for other in operation["campaigns"])
            if started >= MAX_STARTED_PREDICTIVE:
                return refused("406", "The operation already has %d predictive campaigns started, the maximum"
                               % MAX_STARTED_PREDICTIVE, "limit")
        # assumption: starting a started campaign (stopping a stopped one) answers success
        campaign["status"] = "Started" if start else "Stopped"
        return done(202, "The ID %s has been %s successfully" % (campaign["campaign_id"], "started" if start else "stopped"))

    def api_start_campaign(self, operation, token, query):
        return self.switch_campaign(operation, query, True)

    def api_stop_campaign(self, operation, token, query):
        return self.switch_campaign(operation, query, False)

    def api_campaign_speed(self, operation, token, query):
        campaign = self.find_campaign(operation, query)
        speed = text_field(self.payload(), "speed", required=True)
        if not speed.isdigit() or int(speed) > 100:
            raise bad_request("The speed must be a whole number from 0 to 100")
        campaign["speed"] = str(int(speed))
        return done(202, "The speed of the ID %s has been updated successfully" % campaign["campaign_id"])

    def api_create_campaign(self, operation, token, query):
        type_campaign = query_id(query, "type_campaign")
        if type_campaign not in CAMPAIGN_TYPES:
            raise bad_request("type_campaign must be predictive or preview")
        payload = self.payload()
        name = text_field(payload, "campaign_name", required=True)
        # here the times are hhmmss ("080000"); edit_campaign takes HH:mm:ss
        times = {key: clock_field(payload, key, compact=True, required=True) for key in ("start_time", "end_time")}
        campaign = new_campaign(next_id([other["campaign_id"] for other in operation["campaigns"]], 20001), type_campaign, name)
        campaign.update(times)
        for key in ("campaign_description", "skill_id") + CAMPAIGN_OPTIONS:
            value = flag_field(payload, key) if key == "enable_edition" else text_field(payload, key)
            if value is not None:
                campaign[key] = value
        operation["campaigns"].append(campaign)  # a new campaign is Stopped
        return done(201, "Campaign has been created", [{"id_campaign": campaign["campaign_id"], "name_campaign": name}])

    def api_edit_campaign(self, operation, token, query):
        campaign = self.find_campaign(operation, query)
        payload = self.payload()
        changes = {key: text_field(payload, key) for key in ("campaign_name", "campaign_description", "skill_id", "turbo_dial")}
        changes.update((key, clock_field(payload, key, compact=False)) for key in ("start_time", "end_time"))
        type_camp = text_field(payload, "type_camp")  # "Predictive" or "Preview" here
        if type_camp is not None:
            if type_camp.lower() not in CAMPAIGN_TYPES:
                raise bad_request("type_camp must be Predictive or Preview")
            changes["type_campaign"] = type_camp.lower()
        campaign.update((key, value) for key, value in changes.items() if value is not None)
        return done("200", "Campaign updated")

    def api_delete_campaign(self, operation, token, query):
        wanted = set(list_field(self.payload(), "campaign_ids"))
        kept = [campaign for campaign in operation["campaigns"] if campaign["campaign_id"] not in wanted]
        deleted = len(operation["campaigns"]) - len(kept)
        operation["campaigns"] = kept
        # an id that does not exist is one of the "operations failed"
        return done("200", "%d campaigns deleted successfully. %d operations failed." % (deleted, len(wanted) - deleted))

    # -- services and connectors (reads) --------------------------------------------------------------------

    def api_services(self, operation, token, query):
        # data is an object here, not a list
        return done("200", records_msg(1, True), services_of(operation))

    def api_connectors(self, operation, token, query):
        return self.listing(operation, "200", [dict(connector) for connector in operation["connectors"]])


class Handler(ResourceEndpoints, BaseHTTPRequestHandler):
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
            "query": masked(query),
            "body": logged_body(body),
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
            with self.state.lock:
                answer = endpoint(operation, record, query)
            raise answer
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
        if operation["platform"] == "crm":  # a CRM token: the contact center does not know it
            raise error_answer(403, "FORBIDDEN", MSG_INVALID_TOKEN, "invalid_token")
        if not (path.startswith("/api/v2/") and path.endswith(".php")):
            raise Answer(404, "<html><body><h1>404 Not Found</h1></body></html>", "not_found", "text/html")
        file_name = path[len("/api/v2/"):-len(".php")]
        apis = CONTACT_CENTER_APIS.get(file_name)
        if apis is None:
            raise Answer(404, "<html><body><h1>404 Not Found</h1></body></html>", "not_found", "text/html")
        api = query.get("api")
        if file_name == "reports_manager" and api and REPORT_API.match(api):
            if method != "GET":
                raise error_answer(405, "METHOD NOT ALLOWED", "METHOD NOT ALLOWED", "method_not_allowed")
            return self.report
        if api not in apis:
            raise error_answer(400, "BAD REQUEST", MSG_UNKNOWN_API, "unknown_api")
        wanted, handler = apis[api]
        if method != wanted:
            raise error_answer(405, "METHOD NOT ALLOWED", "METHOD NOT ALLOWED", "method_not_allowed")
        return getattr(self, "api_" + handler)

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

    def api_real_time_agents(self, operation, token, query):
        data = [{"agent_id": str(agent.get("agent_id", "")), "agent_name": agent.get("agent_name", ""),
                 "agent_status": agent.get("status", "Available"), "skill_id": str(agent.get("skill_id", ""))}
                for agent in operation["agents"]]
        return Answer(200, {"code": 200, "error": None, "msg": records_msg(len(data)), "data": data}, "ok")

    def api_real_time_campaigns(self, operation, token, query):
        # the platform sends this one as a bare JSON array: no code, no msg, no data key
        rows = [{"campaign": "%s - %s" % (campaign["campaign_id"], campaign["campaign_name"]),
                 "type_campaign": campaign["type_campaign"], "status": campaign["status"],
                 "speed": campaign["speed"], "skill_id": campaign["skill_id"], "records": campaign["records"]}
                for campaign in operation["campaigns"]]
        return Answer(200, rows, "ok")

    @staticmethod
    def report_rows(operation, start, end):
        """The report's rows from start to end: one per agent and day, or report_rows_per_day a day spread over
        the day (each at its own time); none on the report_empty_days."""
        rows = []
        per_day = operation["report_rows_per_day"]
        day = start.date()
        while day <= end.date():
            if day in operation["report_empty_days"]:
                day += datetime.timedelta(days=1)
                continue
            if per_day:
                midnight = datetime.datetime.combine(day, datetime.time())
                # row i is at second i * 86400 // per_day of the day: the first at or after start, the last at
                # or before end
                first = max(0, -(-int((start - midnight).total_seconds()) * per_day // 86400))
                last = min(per_day - 1, -(-(int((end - midnight).total_seconds()) + 1) * per_day // 86400) - 1)
                agents = operation["agents"] or [{"agent_id": "", "agent_name": ""}]
                for index in range(first, last + 1):
                    moment = midnight + datetime.timedelta(seconds=index * 86400 // per_day)
                    agent = agents[index % len(agents)]
                    rows.append({"date": moment.strftime("%Y%m%d%H%M%S"), "agent_id": str(agent.get("agent_id", "")),
                                 "agent_name": agent.get("agent_name", ""), "calls": "1"})
                    if len(rows) >= MAX_REPORT_RECORDS:
                        return rows
            else:
                for agent in operation["agents"]:
                    rows.append({"date": day.strftime("%Y%m%d"), "agent_id": str(agent.get("agent_id", "")),
                                 "agent_name": agent.get("agent_name", ""), "calls": str(agent.get("calls_per_day", 0)),
                                 "talk_time": "00:%02d:00" % min(int(agent.get("calls_per_day", 0)) * 3, 59)})
            day += datetime.timedelta(days=1)
        return rows[:MAX_REPORT_RECORDS]

    def report(self, operation, token, query):
        try:
            start = datetime.datetime.strptime(query.get("date_ini", ""), "%Y%m%d%H%M%S")
            end = datetime.datetime.strptime(query.get("date_end", ""), "%Y%m%d%H%M%S")
        except ValueError:
            return Answer(400, {"code": 400, "error": "BAD REQUEST", "msg": MSG_MISSING_PARAMETER}, "missing_parameter")
        if end < start or (end - start) > datetime.timedelta(days=MAX_REPORT_DAYS):
            return Answer(400, {"code": 400, "error": "BAD REQUEST", "msg": "THE DATE RANGE EXCEEDS 31 DAYS"}, "bad_range")
        rows = self.report_rows(operation, start, end)
        if not rows and operation["empty_answer"] == "not_found":
            # the platform's "no data" for a report window, whatever the reason
            return Answer(404, {"code": 404, "error": "NOT FOUND", "msg": MSG_REPORT_EMPTY}, "no_data")
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
            elif method == "GET" and path.startswith("/_sim/operations/"):
                self.get_operation(path[len("/_sim/operations/"):])
            elif method == "GET" and path.startswith("/_sim/agents/"):
                self.get_agents(path[len("/_sim/agents/"):])
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

    def operation_named(self, name):
        """The operation called ``name``; None (and a 404 sent) when there is none.  Call with the lock held."""
        for operation in self.state.operations:
            if operation["name"] == name:
                return operation
        self.send(404, {"error": "no operation named %r" % name})
        return None

    def set_operation(self, name, payload):
        """Set an operation's module_enabled, licenses, routing_points, or any of its resources (RESOURCE_LOADERS),
        each in the fixture's form; nothing changes when one of them is refused."""
        if not isinstance(payload, dict):
            raise ValueError("the body is an object")
        with self.state.lock:
            operation = self.operation_named(name)
            if operation is None:
                return
            changed = dict(operation)
            if "module_enabled" in payload:
                changed["module_enabled"] = bool(payload["module_enabled"])
            if "licenses" in payload:
                if not isinstance(payload["licenses"], int) or payload["licenses"] < 0:
                    raise ValueError("licenses must be a whole number >= 0")
                changed["licenses"] = payload["licenses"]
            if "routing_points" in payload:
                changed["routing_points"] = [dict(rp) for rp in payload["routing_points"]]
            load_report_settings(changed, payload, "operations/" + name)
            load_resources(changed, payload, "operations/" + name, only_given=True)
            operation.update(changed)
        self.send(200, self.state.snapshot())

    def get_operation(self, name):
        with self.state.lock:
            operation = self.operation_named(name)
            if operation is not None:
                self.send(200, describe_operation(operation))

    def get_agents(self, name):
        with self.state.lock:
            operation = self.operation_named(name)
            if operation is not None:
                self.send(200, {"agents": describe_operation(operation)["agents"]})

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
    """The simulator as a process of its own, started and stopped with this file's ``start`` and ``stop`` commands,
    as every other user of the simulator does; for system tests and benchmarks."""

    def __init__(self, workdir, fixture, latency=0.0):
        self.dir = tempfile.mkdtemp(prefix="simulator-", dir=str(workdir))  # one per simulator, several may run
        path = os.path.join(self.dir, "fixture.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(fixture, handle)
        done = subprocess.run([sys.executable, os.path.abspath(__file__), "start", "--dir", self.dir, "--fixture", path,
                               "--latency", str(latency)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError("the wolkvox simulator did not start: %s" % done.stderr.strip())
        self.url = done.stdout.strip()

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
        stop_background(self.dir)


# -- start and stop in the background -----------------------------------------------------------------------------

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def _files(directory):
    return dict((name, os.path.join(directory, "simulator." + name)) for name in ("url", "pid", "port", "log"))


def start_background(directory, fixture, latency=0.0, concurrency_limit=2):
    """Start the simulator in a session of its own, wait until it listens, and return its URL.

    Writes simulator.url, simulator.pid and simulator.log in ``directory``. Raises RuntimeError, with the log, when
    the simulator exits or does not listen within START_TIMEOUT seconds (it is stopped then)."""
    files = _files(directory)
    os.makedirs(directory, exist_ok=True)
    if os.path.exists(files["pid"]):
        raise RuntimeError("%s exists: a simulator started with --dir %s may still run (stop it first)"
                           % (files["pid"], directory))
    for name in ("url", "port"):
        if os.path.exists(files[name]):
            os.remove(files[name])
    with open(files["log"], "w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--port", "0", "--port-file",
                                 files["port"], "--fixture", fixture, "--latency", str(latency),
                                 "--concurrency-limit", str(concurrency_limit)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while not os.path.exists(files["port"]):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            with open(files["log"], encoding="utf-8") as handle:
                raise RuntimeError("it %s:\n%s" % ("exited" if proc.returncode else "did not listen in time",
                                                   handle.read().strip()))
        time.sleep(0.05)
    with open(files["port"], encoding="utf-8") as handle:
        url = "http://127.0.0.1:%d" % int(handle.read().strip())
    for name, value in (("pid", str(proc.pid)), ("url", url)):
        with open(files[name] + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        os.replace(files[name] + ".tmp", files[name])
    return url


def _is_simulator(pid):
    """Whether process ``pid`` runs this simulator (a process id can be reused once the simulator is gone)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return os.path.basename(__file__).encode() in handle.read()
    except OSError:  # no /proc: trust the pid file
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True


def stop_background(directory):
    """Stop the simulator started with ``directory`` (by its process id) and remove its files; False when none ran."""
    files = _files(directory)
    try:
        with open(files["pid"], encoding="utf-8") as handle:
            pid = int(handle.read().strip())
    except (OSError, ValueError):
        return False
    running = _is_simulator(pid)
    if running:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _is_simulator(pid) and time.monotonic() < deadline:
            try:  # reap it when it is this process's child (SimulatorProcess in the process that started it)
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.05)
        if _is_simulator(pid):
            os.kill(pid, signal.SIGKILL)
    for name in ("pid", "url", "port"):
        if os.path.exists(files[name]):
            os.remove(files[name])
    return running


def _background_command(argv):
    parser = argparse.ArgumentParser(prog="wolkvox_simulator.py %s" % argv[0],
                                     description="start: run the simulator in the background and print its URL; "
                                                 "stop: stop the one started with the same --dir")
    parser.add_argument("--dir", required=True, help="where its URL, process id and log go")
    if argv[0] == "start":
        parser.add_argument("--fixture", required=True, help="JSON file with the operations to serve")
        parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API answer")
        parser.add_argument("--concurrency-limit", type=int, default=2, help="requests in flight per token before a 403")
    args = parser.parse_args(argv[1:])
    if argv[0] == "stop":
        stopped = stop_background(args.dir)
        print("wolkvox simulator stopped" if stopped else "no wolkvox simulator ran with --dir %s" % args.dir)
        return 0
    try:
        print(start_background(args.dir, args.fixture, args.latency, args.concurrency_limit))
    except (OSError, RuntimeError) as exc:
        sys.stderr.write("wolkvox simulator: cannot start: %s\n" % exc)
        return 1
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in ("start", "stop"):
        return _background_command(argv)
    parser = argparse.ArgumentParser(description="A wolkvox API simulator on 127.0.0.1 (standard library only). "
                                                 "Also: start --dir DIR --fixture F (in the background), stop --dir DIR.")
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
