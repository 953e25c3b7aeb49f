# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_api: any contact-center endpoint, through the same client as every module."""

import datetime
import json
import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import (
    CONTACT_CENTER_FILES,
    MAX_DATE_RANGE_DAYS,
    OUTCOME_UNKNOWN,
    WolkvoxError,
)

ARGUMENT_SPEC = dict(
    file=dict(type="str", required=True, choices=list(CONTACT_CENTER_FILES)),
    api=dict(type="str", required=True),
    method=dict(type="str", default="GET", choices=["GET", "POST", "PUT", "DELETE"]),
    query=dict(type="dict", default={}),
    body=dict(type="raw"),
    date_ini=dict(type="str"),
    date_end=dict(type="str"),
    empty_on_not_found=dict(type="bool"),
)
REQUIRED_TOGETHER = [("date_ini", "date_end")]

API_NAME = re.compile(r"^[A-Za-z0-9_]+$")
PLATFORM_DATE = "%Y%m%d%H%M%S"

# Answers to a write that mean "nothing to do", by (file, api): the platform's body codes, as observed
# (add_ip: the address is already registered; remove_ip: it is not registered).
NO_CHANGE_CODES = {
    ("configuration", "add_ip"): frozenset(["404"]),
    ("configuration", "remove_ip"): frozenset(["404"]),
}

# Writes whose outcome can be read back when their answer is lost: (file, api) -> what the read must show
# for the write to have been applied (the allowed IPs: get_ip lists the address, or no longer does).
RECONCILE = {
    ("configuration", "add_ip"): True,
    ("configuration", "remove_ip"): False,
}
YEARS = (2000, 2099)  # the platform's records start long after 2000; a year outside is a typing mistake

DATE_FORMS = "YYYYmmddHHMMSS (20260120134247), YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or YYYY-MM-DDTHH:MM:SS"


def _bad(msg):
    raise WolkvoxError(msg, "bad_option")


def platform(params):
    return "contact_center"


def parse_date(value, name, end_of_day):
    """A datetime from one of DATE_FORMS; a bare date is the start of the day, or its end for date_end."""
    text = to_text(value).strip()
    if re.match(r"^\d{14}$", text):
        forms = [PLATFORM_DATE]
    elif re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        forms = ["%Y-%m-%d"]
    else:
        forms = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
    for form in forms:
        try:
            moment = datetime.datetime.strptime(text, form)
        except ValueError:
            continue
        if form == "%Y-%m-%d" and end_of_day:
            moment = moment.replace(hour=23, minute=59, second=59)
        if not YEARS[0] <= moment.year <= YEARS[1]:
            _bad("%s %r is in the year %d: give a date from %d to %d" % (name, text, moment.year, YEARS[0], YEARS[1]))
        return moment
    if re.search(r"(Z|[+-]\d{2}:?\d{2})$", text):
        _bad("%s %r carries a time zone: give the operation's local time without one (%s)" % (name, text, DATE_FORMS))
    _bad("%s %r is not a date: use %s" % (name, text, DATE_FORMS))


def date_range(params):
    """The query pairs for date_ini/date_end, or [] when there are none; checks the platform's limits."""
    if params.get("date_ini") is None:
        return []
    start = parse_date(params["date_ini"], "date_ini", end_of_day=False)
    end = parse_date(params["date_end"], "date_end", end_of_day=True)
    if end < start:
        _bad("date_end %s is before date_ini %s: swap them" % (end, start))
    if end - start > datetime.timedelta(days=MAX_DATE_RANGE_DAYS):
        _bad("date_ini %s to date_end %s spans %.1f days; the platform answers at most %d days per call. Split the "
             "range into calls of up to %d days: %s" % (start, end, (end - start).total_seconds() / 86400,
                                                        MAX_DATE_RANGE_DAYS, MAX_DATE_RANGE_DAYS, _chunks(start, end)))
    return [("date_ini", start.strftime(PLATFORM_DATE)), ("date_end", end.strftime(PLATFORM_DATE))]


def _chunks(start, end):
    parts = []
    cursor = start
    while cursor <= end:
        stop = min(cursor + datetime.timedelta(days=MAX_DATE_RANGE_DAYS) - datetime.timedelta(seconds=1), end)
        parts.append("%s to %s" % (cursor.strftime("%Y-%m-%d %H:%M:%S"), stop.strftime("%Y-%m-%d %H:%M:%S")))
        cursor = stop + datetime.timedelta(seconds=1)
    shown = parts if len(parts) <= 4 else parts[:3] + ["... (%d calls in all)" % len(parts)]
    return "; ".join(shown)


def query_pairs(query):
    pairs = []
    for key, value in sorted((query or {}).items()):
        if key in ("api", "date_ini", "date_end"):
            _bad("query may not set %r: use the option of that name" % key)
        if isinstance(value, bool):
            value = "yes" if value else "no"  # the platform's own words for flags
        elif isinstance(value, (dict, list)) or value is None:
            _bad("query value of %r must be text or a number, not %r" % (key, value))
        pairs.append((to_text(key), to_text(value)))
    return pairs


def _no_constant(name):
    raise ValueError("%s is not a JSON value" % name)


def request_body(body):
    if body is None:
        return None
    if isinstance(body, (dict, list)):
        try:
            return json.dumps(body, allow_nan=False)
        except (TypeError, ValueError) as exc:
            # a date or time that YAML read unquoted, a NaN or an infinity: none of them is JSON
            _bad("body cannot be sent as JSON (%s): quote dates and times in YAML, and give numbers, text, "
                 "true/false, lists and mappings only" % exc)
    text = to_text(body)
    try:
        json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        _bad("body is not JSON (%s): give a dict or list, or a JSON string" % exc)
    return text


def _reconcile(client, file, api, body, exc):
    """After a lost answer to add_ip or remove_ip, read get_ip: (changed, warning) or raise ``exc``."""
    wanted = RECONCILE.get((file, api))
    try:
        address = json.loads(body).get("ip") if body else None
    except (ValueError, AttributeError):
        address = None
    if wanted is None or not address:
        raise exc
    answer = client.contact_center("information", "get_ip", allow_not_found=True)
    listed = any(isinstance(item, dict) and item.get("ip") == address for item in answer.data or [])
    if listed != wanted:
        exc.msg += (". get_ip, read afterwards, shows %s %s registered: the request was not applied"
                    % (address, "not" if wanted else "still"))
        exc.args = (exc.msg,)
        raise exc
    client.warn("%s %s: the answer was lost (%s); get_ip, read afterwards, shows the change made, so this task "
                "reports it as its own" % (api, address, exc.msg.split(": ", 1)[-1].split(". ")[0]))
    return True


def run(client, params, check_mode=False, diff=False):
    file, api, method = params["file"], params["api"], params["method"]
    if not API_NAME.fullmatch(api or ""):
        _bad("api %r is not an API name: letters, digits and underscores only (such as token_info or agent_1)" % (api,))
    query = query_pairs(params.get("query")) + date_range(params)
    body = request_body(params.get("body"))
    reading = method == "GET"
    if reading and body is not None:
        _bad("body is given with method GET, which sends none: use method POST, PUT or DELETE for a write, "
             "or query for a read's parameters")
    empty_on_not_found = params.get("empty_on_not_found")
    if empty_on_not_found is None:
        empty_on_not_found = reading
    if check_mode and not reading:
        return dict(changed=True, code=None, msg="check mode: %s %s.php?api=%s was not sent" % (method, file, api),
                    data=None, status=None)
    try:
        answer = client.contact_center(file, api, method=method, query=dict(query), body=body,
                                       allow_not_found=empty_on_not_found)
    except WolkvoxError as exc:
        if exc.kind != OUTCOME_UNKNOWN:
            raise
        changed = _reconcile(client, file, api, body, exc)
        return dict(changed=changed, code=None, msg="the answer was lost; the change was read back", data=None,
                    status=None)
    result = dict(changed=not reading, code=answer.code, msg=answer.msg, data=answer.data, status=answer.status)
    if answer.status == 404:
        result["data"] = answer.data if answer.data not in (None, "", {}) else []
        return result
    if not reading:
        unchanged = NO_CHANGE_CODES.get((file, api), frozenset())
        if answer.code in unchanged:
            result["changed"] = False
        elif answer.code.isdigit() and int(answer.code) >= 400:
            raise WolkvoxError("%s %s.php?api=%s was refused (body code %s: %s)"
                               % (method, file, api, answer.code, answer.msg or answer.error), "refused",
                               status=answer.status, body=answer.envelope)
    return result
