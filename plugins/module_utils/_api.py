# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_api: any contact-center endpoint, through the same client as every module.

The files and what is known of their APIs are in _catalogue.py. Answers are read as the platform means them (see
_send and run); a long date range is read in windows with split_range (see _split).
"""

import datetime
import json
import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _catalogue
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import (
    CONTACT_CENTER_FILES,
    MAX_DATE_RANGE_DAYS,
    OUTCOME_UNKNOWN,
    WolkvoxError,
)

DEFAULT_WINDOW = "%dd" % MAX_DATE_RANGE_DAYS

ARGUMENT_SPEC = dict(
    file=dict(type="str", required=True, choices=list(CONTACT_CENTER_FILES)),
    api=dict(type="str", required=True),
    method=dict(type="str", default="GET", choices=["GET", "POST", "PUT", "DELETE"]),
    query=dict(type="dict", default={}),
    body=dict(type="raw"),
    date_ini=dict(type="str"),
    date_end=dict(type="str"),
    empty_on_not_found=dict(type="bool"),
    split_range=dict(type="bool", default=False),
    window=dict(type="str", default=DEFAULT_WINDOW),
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
SHOWN_DATE = "%Y-%m-%d %H:%M:%S"

WINDOW_FORMS = ("a whole number and a unit, d (days), h (hours) or m (minutes), such as 31d, 1d, 6h or 30m, "
                "of at most %s (the platform's limit per call)" % DEFAULT_WINDOW)
WINDOW = re.compile(r"^\s*(\d+)\s*([dhm])\s*$", re.IGNORECASE)
UNITS = {"d": 86400, "h": 3600, "m": 60}
# the windows suggested when an answer reaches the record cap: the longest of these up to a quarter of the window
SUGGESTED_WINDOWS = ("15d", "7d", "3d", "1d", "12h", "6h", "3h", "1h", "30m", "15m", "5m", "1m")
MAX_WINDOWS = 1000  # calls one split_range task may send: the daily quota of a one-license operation

# The platform's answer to a report window with no rows: HTTP 404 "Validate dates entered"
NO_ROWS = re.compile(r"^\s*validate\s+dates\s+entered\W*$", re.IGNORECASE)
# A 404 that says the API itself does not exist (rather than a record): the server has no such API
NO_SUCH_API = re.compile(r"\bapi\b.*\b(does\s+not\s+exist|not\s+exists?|not\s+found)\b|\b(no\s+such|unknown)\s+api\b",
                         re.IGNORECASE)


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


def parse_window(value):
    """The length of a window (a timedelta) from a duration such as 31d, 6h or 30m; refuses anything else."""
    match = WINDOW.match(to_text(value if value is not None else ""))
    if not match:
        _bad("window %r is not a duration: use %s" % (value, WINDOW_FORMS))
    seconds = int(match.group(1)) * UNITS[match.group(2).lower()]
    if seconds <= 0:
        _bad("window %r is empty: use %s" % (value, WINDOW_FORMS))
    if seconds > MAX_DATE_RANGE_DAYS * 86400:
        _bad("window %r is longer than the platform's %d days per call: use %s"
             % (value, MAX_DATE_RANGE_DAYS, WINDOW_FORMS))
    return datetime.timedelta(seconds=seconds)


def windows(start, end, length):
    """[(first, last)]: start to end (both included, to the second) in windows of at most ``length``, in order."""
    parts = []
    cursor = start
    step = length - datetime.timedelta(seconds=1)
    while cursor <= end:
        stop = min(cursor + step, end)
        parts.append((cursor, stop))
        cursor = stop + datetime.timedelta(seconds=1)
    return parts


def _dates(params):
    start = parse_date(params["date_ini"], "date_ini", end_of_day=False)
    end = parse_date(params["date_end"], "date_end", end_of_day=True)
    if end < start:
        _bad("date_end %s is before date_ini %s: swap them" % (end, start))
    return start, end


def _platform_dates(first, last):
    return [("date_ini", first.strftime(PLATFORM_DATE)), ("date_end", last.strftime(PLATFORM_DATE))]


def _suggest(first, last):
    """A window to set when ``first`` to ``last`` reached the record cap: a quarter of it or less, or None."""
    quarter = ((last - first).total_seconds() + 1) / 4
    for text in SUGGESTED_WINDOWS:
        if parse_window(text).total_seconds() <= quarter:
            return text
    return None


def _cap_warning(client, first, last, count, split):
    """Warn that an answer of ``count`` records (the platform's cap or more) is probably cut."""
    records = "{0:,}".format(count)
    if first is None:
        client.warn("the answer holds %s records, the platform's cap of %s per answer: it is probably truncated; "
                    "narrow the query" % (records, "{0:,}".format(_catalogue.MAX_RECORDS)))
        return
    where = ("window %s to %s" if split else "date_ini %s to date_end %s") % (
        first.strftime(SHOWN_DATE), last.strftime(SHOWN_DATE))
    smaller = _suggest(first, last)
    if smaller is None:
        advice = "even a window this short reaches it: narrow the query"
    elif split:
        advice = "set window: %s" % smaller
    else:
        advice = "set split_range: true and window: %s" % smaller
    client.warn("%s returned %s records, the platform's cap: %s (the answer is probably truncated; each window is "
                "one call, one use of the quota)" % (where, records, advice))


def _no_such_api(file, api, shown, status, body):
    return WolkvoxError("this server has no api %s (%s.php?api=%s answered %s): check file and api against the "
                        "endpoint catalogue; an API the vendor publishes may not be deployed on every server"
                        % (api, file, api, shown), "unknown_api", status=status, body=body)


def _send(client, file, api, method, query, body, empty_on_not_found, ranged):
    """One request: (answer, empty), where ``empty`` says the platform had no data (a 404 read as an empty list).

    ``ranged``: the request carries date_ini and date_end, so a 404 "Validate dates entered" is a window with no
    rows (the platform's "no data" for reports), an empty list whatever ``empty_on_not_found`` says.
    """
    try:
        answer = client.contact_center(file, api, method=method, query=dict(query), body=body,
                                       allow_not_found=True, allow_list=True)
    except WolkvoxError as exc:
        if exc.kind == "unknown_api":
            said = exc.body.get("msg") if isinstance(exc.body, dict) else None
            shown = ("HTTP %s %s" % (exc.status, to_text(said or ""))).strip()
            raise _no_such_api(file, api, shown, exc.status, exc.body) from None
        if exc.kind == "bad_answer" and exc.status == 404:
            # an HTML (or other non-JSON) 404 page: the API is not deployed on this server, or the file is not
            raise _no_such_api(file, api, "HTTP 404 with a page that is not JSON", exc.status, exc.body) from None
        raise
    shown = "HTTP %d %s" % (answer.status, answer.msg or answer.error or "")
    if answer.status == 404:
        if ranged and NO_ROWS.match(answer.msg):
            return answer, True
        if NO_SUCH_API.search(answer.msg) or NO_SUCH_API.search(answer.error or ""):
            raise _no_such_api(file, api, shown.strip(), answer.status, answer.envelope)
        if not empty_on_not_found:
            raise WolkvoxError("the platform refused the request for %s (%s)" % (api, shown.strip()), "http",
                               status=answer.status, body=answer.envelope)
        return answer, True
    if ranged and answer.refusal == 404 and NO_ROWS.match(answer.msg):
        return answer, True  # the same "no rows", with the 404 in the body of an HTTP 200
    return answer, False


def _records(data):
    """The records of an answer's data, as a list: a list as is, an object as one record, nothing as none."""
    if isinstance(data, list):
        return data
    if data in (None, "", {}):
        return []
    return [data]


def _split(client, params, file, api, query, start, end, empty_on_not_found):
    window = params.get("window") or DEFAULT_WINDOW
    parts = windows(start, end, parse_window(window))
    if len(parts) > MAX_WINDOWS:
        _bad("date_ini %s to date_end %s in windows of %s is %d calls, more than %d (each one a use of the daily "
             "quota): set a longer window or a shorter range" % (start, end, window, len(parts), MAX_WINDOWS))
    records, shown, last = [], [], None
    for index, (first, stop) in enumerate(parts):
        try:
            answer, empty = _send(client, file, api, "GET", query + _platform_dates(first, stop), None,
                                  empty_on_not_found, True)
            _check_read(file, api, answer, empty)
        except WolkvoxError as exc:
            exc.msg = "window %d of %d, %s to %s: %s" % (index + 1, len(parts), first.strftime(SHOWN_DATE),
                                                         stop.strftime(SHOWN_DATE), exc.msg)
            exc.args = (exc.msg,)
            exc.details = dict(getattr(exc, "details", {}), windows=shown)
            raise
        if not empty:
            _unrecognised(client, file, api, answer)
        rows = [] if empty else _records(answer.data)
        status = "empty" if empty else "ok"
        if len(rows) >= _catalogue.MAX_RECORDS:
            status = "capped"
            _cap_warning(client, first, stop, len(rows), split=True)
        if not empty or last is None:
            last = answer
        records.extend(rows)
        shown.append(dict(date_ini=first.strftime(SHOWN_DATE), date_end=stop.strftime(SHOWN_DATE),
                          records=len(rows), status=status))
    empties = sum(1 for window in shown if window["status"] == "empty")
    return dict(changed=False, code=None if last.bare else last.code, status=last.status, data=records,
                msg="%d records in %d windows (%d empty)" % (len(records), len(shown), empties),
                windows=shown, truncated=any(window["status"] == "capped" for window in shown))


def _check_read(file, api, answer, empty):
    """A read's body code of 400 or more (on a 2xx status) is the platform's refusal: fail with its message."""
    if not empty and answer.refusal is not None:
        raise WolkvoxError("GET %s.php?api=%s was refused (body code %s: %s)"
                           % (file, api, answer.code, answer.msg or answer.error or "no message"), "refused",
                           status=answer.status, body=answer.envelope)


def _unrecognised(client, file, api, answer):
    if not answer.succeeded and answer.refusal is None:
        client.warn("%s.php?api=%s answered HTTP %d with code %r and error %r, not the platform's success: check "
                    "data" % (file, api, answer.status, answer.code, answer.error))


def run(client, params, check_mode=False, diff=False):
    file, api, method = params["file"], params["api"], params["method"]
    if not API_NAME.fullmatch(api or ""):
        _bad("api %r is not an API name: letters, digits and underscores only (such as token_info or agent_1)" % (api,))
    split = bool(params.get("split_range"))
    if params.get("window") is not None:
        parse_window(params["window"])  # a bad window fails whether or not it is used
    dated = params.get("date_ini") is not None
    if split and not dated:
        _bad("split_range needs date_ini and date_end: the range to split into windows of %s"
             % (params.get("window") or DEFAULT_WINDOW))
    if split and method != "GET":
        _bad("split_range is for reads: method must be GET, not %s" % method)
    report = _catalogue.is_report(file, api)
    if report and not dated:
        _bad("%s.php?api=%s is a report: give date_ini and date_end (at most %d days, or set split_range: true)"
             % (file, api, MAX_DATE_RANGE_DAYS))
    query = query_pairs(params.get("query"))
    if split:
        start, end = _dates(params)
    else:
        query += date_range(params)
    body = request_body(params.get("body"))
    reading = method == "GET"
    if reading and body is not None:
        _bad("body is given with method GET, which sends none: use method POST, PUT or DELETE for a write, "
             "or query for a read's parameters")
    empty_on_not_found = params.get("empty_on_not_found")
    if empty_on_not_found is None:
        empty_on_not_found = reading
    entry = _catalogue.lookup(file, api)
    if entry is not None and entry["method"] != method:
        client.warn("%s.php?api=%s is a %s API (see the endpoint catalogue), and this task sends %s"
                    % (file, api, entry["method"], method))
    if check_mode and not reading:
        return dict(changed=True, code=None, msg="check mode: %s %s.php?api=%s was not sent" % (method, file, api),
                    data=None, status=None, truncated=False)
    if split:
        return _split(client, params, file, api, query, start, end, empty_on_not_found)
    try:
        answer, empty = _send(client, file, api, method, query, body, empty_on_not_found, dated)
    except WolkvoxError as exc:
        if exc.kind != OUTCOME_UNKNOWN:
            raise
        changed = _reconcile(client, file, api, body, exc)
        return dict(changed=changed, code=None, msg="the answer was lost; the change was read back", data=None,
                    status=None, truncated=False)
    result = dict(changed=not reading, code=None if answer.bare else answer.code, msg=answer.msg, data=answer.data,
                  status=answer.status, truncated=False)
    if empty:
        result["data"] = answer.data if answer.data not in (None, "", {}) else []
        return result
    if reading:
        _check_read(file, api, answer, empty)
    else:
        unchanged = NO_CHANGE_CODES.get((file, api), frozenset())
        if answer.code in unchanged:
            result["changed"] = False
            return result
        if answer.refusal is not None:
            raise WolkvoxError("%s %s.php?api=%s was refused (body code %s: %s)"
                               % (method, file, api, answer.code, answer.msg or answer.error), "refused",
                               status=answer.status, body=answer.envelope)
    _unrecognised(client, file, api, answer)
    if isinstance(answer.data, list) and len(answer.data) >= _catalogue.MAX_RECORDS:
        result["truncated"] = True
        if dated:
            first, last = [datetime.datetime.strptime(value, PLATFORM_DATE) for key, value in query
                           if key in ("date_ini", "date_end")]
            _cap_warning(client, first, last, len(answer.data), split=False)
        else:
            _cap_warning(client, None, None, len(answer.data), split=False)
    return result
