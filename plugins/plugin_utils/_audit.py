# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This plugin_utils is PRIVATE and for internal use only: its names may change without notice.

"""The audit's judgement: one operation's token budget and routing points against thresholds, and the fleet.

Statuses rank ok < warning < critical < failed; ``failed`` means the operation could not be audited.
A check whose data was never read because an earlier check made reading it pointless is ``unknown``
("not read") and does not count toward the operation's status; nothing is ever claimed about it.

The token budget is judged on the worse of two readings: the token's own budget (its
``available_consumption_options`` of its ``token_limit``) and the operation's shared budget
(``token_limit - all_token_today`` of ``token_limit``: an operation's tokens share one daily quota, and
the platform reports no separate figure for it, so the token's limit is taken as the conservative reading
of the operation's pool).

A CRM operation (platform ``crm``) has one check that applies, its token budget (the CRM reports no shared use and
has no routing points: that check is ``not_applicable``). With a history (see _audit_history), a third check,
``budget_projection``, says when the daily quota runs out at the current rate.
"""

import datetime
import os
import re

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit_history

SCHEMA_VERSION = 4
MERGEABLE_SCHEMAS = (2, 3, 4)  # the JSON reports audit_merge reads
RANK = {"ok": 0, "warning": 1, "critical": 2, "failed": 3}
PLATFORMS = ("contact_center", "crm")
NOT_APPLICABLE = "not_applicable"
CHANNELS = ("ivr_active", "chat_active", "interaction_active", "crm_active")
QUOTA_SPENT = "daily quota spent: the platform answered TOKEN LIMIT EXCEEDED; the counter resets daily"
# kinds of failure that the client already retried as often as it was allowed to
TRANSIENT = ("network", "timeout", "server_error", "maintenance", "concurrency")
# a token check that failed this way makes the routing points read pointless: it is not sent
SPARE_ROUTING_AFTER = ("invalid_token", "quota") + TRANSIENT
MAX_CONCURRENCY = 256  # operations read at once by the audit's one reading task
DEFAULT_THRESHOLDS = {
    "warning_available_percent": 20.0,
    "critical_available_percent": 5.0,
    "stale_days": 30,
    "required_channels": [],
}
# What XML 1.0 forbids even escaped (C0 controls but tab, line feed and carriage return; surrogates;
# U+FFFE and U+FFFF), and what a terminal would obey (DEL and the C1 controls): shown as escapes.
_UNSAFE = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class AuditError(ValueError):
    """Thresholds that do not make sense."""


def _escape(match):
    code = ord(match.group(0))
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


def clean(value):
    """``value`` with every string's unsafe characters replaced by a visible escape (``\\x1b``)."""
    if isinstance(value, str):
        return _UNSAFE.sub(_escape, value)
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(item) for item in value]
    return value


def worst(statuses):
    """The worst of the statuses; a check that was not read (unknown, skipped) does not count."""
    statuses = [status for status in statuses if status in RANK]
    return max(statuses, key=RANK.__getitem__) if statuses else "ok"


def check_thresholds(thresholds):
    merged = dict(DEFAULT_THRESHOLDS)
    merged.update({key: value for key, value in (thresholds or {}).items() if value is not None})
    warning, critical = float(merged["warning_available_percent"]), float(merged["critical_available_percent"])
    if not 0 <= critical <= warning <= 100:
        raise AuditError("the available-share thresholds must satisfy 0 <= critical (%s) <= warning (%s) <= 100"
                         % (critical, warning))
    if int(merged["stale_days"]) < 1:
        raise AuditError("stale_days must be 1 or more, not %s" % merged["stale_days"])
    unknown = [name for name in merged["required_channels"] if name not in CHANNELS]
    if unknown:
        raise AuditError("required_channels may name %s; not %s" % (", ".join(CHANNELS), ", ".join(unknown)))
    merged.update(warning_available_percent=warning, critical_available_percent=critical,
                  stale_days=int(merged["stale_days"]), required_channels=list(merged["required_channels"]))
    return merged


# -- the role's settings, checked before any API call ---------------------------------------------------------------

def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _report_dir_problem(path):
    """Why the reports cannot be written to ``path`` on this machine, or None."""
    if not path or not str(path).strip():
        return "wolkvox_audit_report_dir is empty: give a directory on the controller (it is created when missing)"
    full = os.path.realpath(str(path))
    if os.path.exists(full):
        if not os.path.isdir(full):
            return ("wolkvox_audit_report_dir %r is a file, not a directory: give a directory on the controller "
                    "(it is created when missing)" % str(path))
        if not os.access(full, os.W_OK | os.X_OK):
            return "wolkvox_audit_report_dir %r is not writable by this user on the controller" % str(path)
        return None
    parent = os.path.dirname(full)
    while parent and not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        return ("wolkvox_audit_report_dir %r cannot be created: %r is a file, not a directory"
                % (str(path), parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        return ("wolkvox_audit_report_dir %r cannot be created: %r is not writable by this user on the controller"
                % (str(path), parent))
    return None


def _history_problem(path):
    """Why the history cannot be kept at ``path`` (a file on the controller), or None."""
    full = os.path.realpath(os.path.expanduser(str(path)))
    if os.path.isdir(full):
        return ("wolkvox_audit_history %r is a directory: give the path of a file on the controller (a JSON Lines "
                "file, created when missing), such as %r" % (str(path), os.path.join(str(path), "history.jsonl")))
    if os.path.exists(full) and not os.path.isfile(full):
        return "wolkvox_audit_history %r is not a regular file" % str(path)
    if os.path.exists(full) and not os.access(full, os.R_OK | os.W_OK):
        return "wolkvox_audit_history %r cannot be read and written by this user on the controller" % str(path)
    parent = os.path.dirname(full)
    while parent and not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        return "wolkvox_audit_history %r cannot be created: %r is a file, not a directory" % (str(path), parent)
    if not os.access(parent, os.W_OK | os.X_OK):
        return ("wolkvox_audit_history %r cannot be written: its directory %r is not writable by this user on the "
                "controller (the history is appended to, and a lock file is kept beside it)" % (str(path), parent))
    return None


def history_settings(settings):
    """The history settings of the role's settings: {path, days, warn_on_projection}, or None when it is off."""
    settings = settings or {}
    path = settings.get("history")
    if not path or not str(path).strip():
        return None
    return {"path": os.path.realpath(os.path.expanduser(str(path))),
            "days": int(_number(settings.get("history_days")) or _audit_history.DEFAULT_DAYS),
            "warn_on_projection": settings.get("warn_on_projection", True) not in (False, "false", "False", "no", 0)}


def settings_problems(settings):
    """What is wrong with the audit role's settings (``__audit_settings``), in the words of its variables.

    An empty list means the settings are usable. Nothing here talks to the platform.
    """
    settings = settings or {}
    thresholds = dict(DEFAULT_THRESHOLDS)
    thresholds.update({key: value for key, value in (settings.get("thresholds") or {}).items() if value is not None})
    problems = []
    shares = {}
    for key, name in (("warning_available_percent", "wolkvox_audit_warning_available_percent"),
                      ("critical_available_percent", "wolkvox_audit_critical_available_percent")):
        value = _number(thresholds[key])
        if value is None or not 0 <= value <= 100:
            problems.append("%s must be a share of the daily limit from 0 to 100, not %r" % (name, thresholds[key]))
        else:
            shares[key] = value
    if len(shares) == 2 and shares["critical_available_percent"] > shares["warning_available_percent"]:
        problems.append("wolkvox_audit_critical_available_percent (%s) must not be above "
                        "wolkvox_audit_warning_available_percent (%s): the budget is a warning at or below the "
                        "warning share and critical at or below the critical share, so 0 <= critical <= warning <= 100"
                        % (shares["critical_available_percent"], shares["warning_available_percent"]))
    stale = _number(thresholds["stale_days"])
    if stale is None or stale < 1 or stale != int(stale):
        problems.append("wolkvox_audit_stale_days must be a whole number of days, 1 or more, not %r"
                        % thresholds["stale_days"])
    channels = thresholds["required_channels"]
    if not isinstance(channels, list):
        channels = [channels]
    unknown = [str(name) for name in channels if name not in CHANNELS]
    if unknown:
        problems.append("wolkvox_audit_required_channels may name %s; not %s" % (", ".join(CHANNELS), ", ".join(unknown)))
    if "concurrency" in settings:
        concurrency = _number(settings.get("concurrency"))
        if concurrency is None or concurrency != int(concurrency) or not 1 <= concurrency <= MAX_CONCURRENCY:
            problems.append("wolkvox_audit_concurrency must be a whole number of operations read at once, from 1 to "
                            "%d, not %r" % (MAX_CONCURRENCY, settings.get("concurrency")))
    name = settings.get("report_name")
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith(".") \
            or _UNSAFE.search(name) or name != name.strip():
        problems.append("wolkvox_audit_report_name must be a plain file name without extension: not empty, "
                        "no '/', not starting with '.', no surrounding spaces or control characters; not %r" % (name,))
    problem = _report_dir_problem(settings.get("report_dir"))
    if problem:
        problems.append(problem)
    problems.extend(history_problems(settings))
    return problems


def history_problems(settings):
    """What is wrong with the history settings (history, history_days, warn_on_projection); nothing when none."""
    problems = []
    history = settings.get("history")
    if history is not None and not isinstance(history, str):
        problems.append("wolkvox_audit_history must be the path of a file on the controller, or empty (no history); "
                        "not %r" % (history,))
    elif history and history.strip():
        if _UNSAFE.search(history) or history != history.strip():
            problems.append("wolkvox_audit_history must be a path without surrounding spaces or control characters, "
                            "not %r" % (history,))
        else:
            problem = _history_problem(history)
            if problem:
                problems.append(problem)
    if "history_days" in settings:
        days = _number(settings.get("history_days"))
        if days is None or days != int(days) or not 1 <= days <= _audit_history.MAX_DAYS:
            problems.append("wolkvox_audit_history_days must be a whole number of days from 1 to %d, not %r"
                            % (_audit_history.MAX_DAYS, settings.get("history_days")))
    if "warn_on_projection" in settings and not isinstance(settings.get("warn_on_projection"), bool):
        problems.append("wolkvox_audit_warn_on_projection must be true or false, not %r"
                        % (settings.get("warn_on_projection"),))
    return problems


# -- one operation ---------------------------------------------------------------------------------------------------

def _failure(result, key):
    """The error of a registered module result that should hold ``key``, or None when it succeeded.

    The role registers its module tasks with ``failed_when: false``, so ``failed`` is false in them even when
    the module failed: a failure is known from the module's ``error_kind``, or from its missing ``key``.
    """
    if not isinstance(result, dict) or not result:
        return {"msg": "no result: the task did not run for this operation", "kind": "not_run"}
    if result.get("skipped"):
        msg = ("skipped: %s" % result.get("skip_reason", "")).strip()
        return {"msg": msg, "kind": "skipped"}
    if result.get("failed") or result.get("error_kind") or key not in result:
        msg = result.get("msg") or "the task returned no %s" % key
        return {"msg": msg, "kind": result.get("error_kind") or "failed"}
    return None


def _percent(part, whole):
    return round(part * 100.0 / whole, 2) if whole else 0.0


def _budget(info):
    """The token's budget with both readings, the one that decided, and the check's status inputs."""
    limit, own_left = info["token_limit"], info["available_consumption_options"]
    shared_use = info.get("operation_use_today", info.get("all_token_today"))
    if shared_use is None:
        shared_left = None
    else:
        shared_left = info.get("operation_available")
        if shared_left is None:
            shared_left = max(limit - shared_use, 0)
    if shared_left is None or shared_left > own_left:
        decided, left = "token", own_left
    elif shared_left < own_left:
        decided, left = "operation", shared_left
    else:
        decided, left = "both", own_left
    budget = dict(info)
    budget.update(
        available=left,
        available_percent=_percent(left, limit),
        decided_by=decided,
        token_available=own_left,
        token_available_percent=_percent(own_left, limit),
        operation_use_today=shared_use,
        operation_available=shared_left,
        operation_available_percent=None if shared_left is None else _percent(shared_left, limit),
    )
    if "operation_usage_percent" not in budget:
        budget["operation_usage_percent"] = None if shared_use is None else _percent(shared_use, limit)
    return budget


def hours(count):
    """3 hours, 1 hour."""
    return "%d hour%s" % (count, "" if count == 1 else "s")


def _budget_message(budget):
    head = "%d of %d uses left today (%.1f%%)" % (budget["available"], budget["token_limit"],
                                                  budget["available_percent"])
    decided = budget["decided_by"]
    if budget.get("hours_to_restart_count") is not None:  # the CRM: no shared use, and when its counter resets
        return head + " for the CRM token; the counter resets in %s" % hours(budget["hours_to_restart_count"])
    if budget["operation_available"] is None:
        return head + " for the token; the platform did not report the operation's shared use"
    if decided == "both":
        return head + ", the same for the token's own budget and the operation's shared budget"
    if decided == "operation":
        return head + (": shared budget of the operation decided (its tokens used %d today); the token's own "
                       "budget has %d left (%.1f%%)"
                       % (budget["operation_use_today"], budget["token_available"], budget["token_available_percent"]))
    return head + (": the token's own budget decided; the operation's shared budget has %d left (%.1f%%)"
                   % (budget["operation_available"], budget["operation_available_percent"]))


def token_check(result, thresholds):
    error = _failure(result, "token_info")
    if error:
        if error["kind"] == "quota":
            return {"name": "token_budget", "status": "critical", "read": False, "message": QUOTA_SPENT,
                    "error_kind": "quota"}, None
        return {"name": "token_budget", "status": "failed", "read": False, "message": "not read: " + error["msg"],
                "error_kind": error["kind"]}, None
    budget = _budget(result["token_info"])
    available_percent = budget["available_percent"]
    if available_percent <= thresholds["critical_available_percent"]:
        status = "critical"
    elif available_percent <= thresholds["warning_available_percent"]:
        status = "warning"
    else:
        status = "ok"
    return {"name": "token_budget", "status": status, "read": True, "message": _budget_message(budget),
            "decided_by": budget["decided_by"]}, budget


def _age_days(last_use, now):
    if not last_use:
        return None
    try:
        moment = datetime.datetime.strptime(last_use, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    return (now - moment).total_seconds() / 86400.0


def _why_not_read(token_result):
    """Why the routing points were not read, from the token check's failure."""
    error = _failure(token_result, "token_info") or {"kind": "", "msg": ""}
    if error["kind"] == "quota":
        return "not read: the daily quota is spent, so the request could only be refused"
    if error["kind"] == "invalid_token":
        return "not read: the platform refused the token, so it would refuse this request too"
    if error["kind"] in TRANSIENT:
        return ("not read: the token check already failed (%s) after all its retries; the routing points were not "
                "asked for, to spare the quota and the wait" % error["kind"])
    return "not read: the token check failed, so the routing points were not asked for"


NOT_APPLICABLE_CRM = "not applicable: a CRM operation has no routing points"


def routing_check(result, thresholds, now, token_result=None, platform="contact_center"):
    """The routing points check and how many there are (None when they were not read)."""
    if platform == "crm":
        return {"name": "routing_points", "status": NOT_APPLICABLE, "read": False, "findings": [],
                "message": NOT_APPLICABLE_CRM}, None
    if isinstance(result, dict) and result.get("skipped"):
        return {"name": "routing_points", "status": "unknown", "read": False, "findings": [],
                "message": _why_not_read(token_result)}, None
    error = _failure(result, "routing_points")
    if error and error["kind"] == "quota":  # spent by this very audit: its token check took the last use
        return {"name": "routing_points", "status": "critical", "read": False, "message": QUOTA_SPENT,
                "findings": [], "error_kind": "quota"}, None
    if error:
        return {"name": "routing_points", "status": "failed", "read": False, "message": "not read: " + error["msg"],
                "findings": [], "error_kind": error["kind"]}, None
    points = result["routing_points"]
    findings = []
    for point in points:
        problems = []
        if not any(point.get(channel) for channel in CHANNELS):
            problems.append("no channel active")
        else:
            problems.extend("%s inactive" % channel.replace("_active", "")
                            for channel in thresholds["required_channels"] if not point.get(channel))
        age = _age_days(point.get("last_use"), now)
        if point.get("last_use") is None:
            problems.append("no recorded use")
        elif age is None:
            problems.append("last use %r not understood" % point["last_use"])
        elif age > thresholds["stale_days"]:
            problems.append("unused for %d days" % int(age))
        if problems:
            findings.append({"rp_id": point.get("rp_id"), "rp_name": point.get("rp_name"),
                             "last_use": point.get("last_use"), "problems": problems})
    status = "warning" if findings else "ok"
    if findings:
        message = "%d of %d routing points need attention" % (len(findings), len(points))
    elif points:
        message = "%d routing points, all active and in use" % len(points)
    else:
        message = "no routing points"
    return {"name": "routing_points", "status": status, "read": True, "message": message,
            "findings": findings}, len(points)


def _warnings(name, result):
    """The module's warnings, each prefixed with the operation's name (the modules' own words do not name it)."""
    if not isinstance(result, dict):
        return []
    return ["%s: %s" % (name, warning) for warning in result.get("warnings") or [] if warning]


def operation(name, token_result, routing_result, thresholds=None, now=None, platform="contact_center",
              crm_operation=None):
    """One operation's audit record from its two registered module results (the second is not used for a CRM
    operation, which has no routing points)."""
    thresholds = check_thresholds(thresholds)
    if platform is not None and platform not in PLATFORMS:
        raise AuditError("platform must be %s, not %r" % (" or ".join(PLATFORMS), platform))
    now = now or datetime.datetime.now()
    token, budget = token_check(token_result, thresholds)
    routing, total = routing_check(routing_result, thresholds, now, token_result, platform)
    api_calls = sum(int(result.get("api_calls") or 0) for result in (token_result, routing_result)
                    if isinstance(result, dict))
    token["warnings"] = _warnings(name, token_result)
    routing["warnings"] = _warnings(name, routing_result)
    status = worst([token["status"], routing["status"]])
    return clean({
        "operation": name,
        "platform": platform,
        "crm_operation": crm_operation if platform == "crm" else None,
        "status": status,
        "summary": "%s: %s - %s; %s" % (name, status, token["message"], routing["message"]),
        "token": budget,
        "trend": None,
        "routing_points_total": total,
        "checks": [token, routing],
        "api_calls": api_calls,
        "warnings": token["warnings"] + routing["warnings"],
    })


# -- the projection (with a history) ----------------------------------------------------------------------------------

def _moment(text, tz=None):
    moment = _audit_history.parse_time(text)
    return None if moment is None else moment.astimezone(tz)


def clock(text, now, tz=None):
    """A time of the history (UTC text) as the controller's clock shows it: 16:40, 03:10 tomorrow, or a date."""
    moment = _moment(text, tz)
    if moment is None:
        return "?"
    days = (moment.date() - now.astimezone(tz).date()).days
    if days == 0:
        return moment.strftime("%H:%M")
    if days == 1:
        return moment.strftime("%H:%M tomorrow")
    return moment.strftime("%Y-%m-%d %H:%M")


def span(hours):
    """A duration for people: 7 h, 40 min."""
    hours = abs(hours)
    if hours >= 1:
        return "%d h" % int(round(hours))
    return "%d min" % max(1, int(round(hours * 60)))


def window(minutes):
    if minutes is None:
        return None
    if minutes >= 59.5:
        return "the last hour"
    if minutes >= 1:
        return "the last %d min" % int(round(minutes))
    return "the last %d s" % max(1, int(round(minutes * 60)))


RESET_SOURCES = {"platform": "as the CRM counts", "history": "as seen in the history",
                 "assumed": "taken as 00:00 UTC, no reset seen in the history yet"}


def projection_message(trend, now, tz=None):
    """The projection check's status word (before the setting) and message."""
    reset = "the reset (%s, %s)" % (clock(trend["reset_at"], now, tz), RESET_SOURCES[trend["reset_source"]])
    if trend["left"] <= 0:
        return "unknown", "not projected: no use is left today"
    if trend["rate_per_hour"] is None:
        return "unknown", ("not projected yet: this is the first reading of today's budget in the history; the next "
                           "run gives the rate")
    uses = "%d uses in %s" % (trend["last_hour_uses"], window(trend["last_hour_minutes"]))
    if not trend["rate_per_hour"]:
        return "ok", "no use in %s: at this rate the budget lasts past %s" % (
            window(trend["last_hour_minutes"]), reset)
    spent = clock(trend["exhausted_at"], now, tz)
    if trend["before_reset"]:
        return "warning", "%s: at this rate the quota is spent at %s, %s before %s" % (
            uses, spent, span(trend["hours_before_reset"]), reset)
    return "ok", "%s: at this rate the budget lasts past %s; it would run out at %s" % (uses, reset, spent)


def project(record, readings, now, warn_on_projection=True, tz=None, why_not=None):
    """The record with its history: ``trend`` and the ``budget_projection`` check, its status and summary anew.

    ``readings`` are the operation's readings of the history, oldest first, this run's last (see _audit_history);
    ``now`` is aware. A projected exhaustion before the daily reset is a warning when ``warn_on_projection``.
    ``why_not`` says why the history could not be read: nothing is projected then.
    """
    trend = _audit_history.trend(readings, now) if readings and not why_not else None
    if why_not:
        check = {"name": "budget_projection", "status": "unknown", "read": False,
                 "message": "not projected: %s" % why_not}
    elif trend is None:
        check = {"name": "budget_projection", "status": "unknown", "read": False,
                 "message": "not projected: the budget was not read"}
    else:
        status, message = projection_message(trend, now, tz)
        read = status != "unknown"
        if status == "warning" and not warn_on_projection:
            status = "ok"
        check = {"name": "budget_projection", "status": status, "read": read, "message": message}
    check["warnings"] = []
    record = dict(record, trend=clean(trend), checks=[item for item in record["checks"]
                                                      if item["name"] != "budget_projection"] + [clean(check)])
    record["status"] = worst(item["status"] for item in record["checks"])
    record["summary"] = clean("%s: %s - %s" % (record["operation"], record["status"],
                                               "; ".join(item["message"] for item in record["checks"])))
    return record


def check_of(record, name):
    """The check ``name`` of a record, or None."""
    for item in record.get("checks") or []:
        if item.get("name") == name:
            return item
    return None


# -- the fleet ---------------------------------------------------------------------------------------------------------

def collect(state, records, key=None):
    """The records audited so far in this run, for a play whose batches (``serial``) each add their own.

    ``state`` is what the previous batch returned (or nothing); ``key`` names the run (the play's hosts and the
    report's path): a state of another key is dropped. When an operation of ``records`` is already in the state,
    the same fleet is being audited again (a later play): the state starts afresh.
    """
    if not isinstance(state, dict) or state.get("key") != key:
        state = {}
    done = dict(state.get("records") or {})
    fresh = {}
    for record in records or []:
        if isinstance(record, dict) and record.get("operation"):
            fresh[record["operation"]] = record
    if any(name in done for name in fresh):
        done = {}
    done.update(fresh)
    return {"key": key, "records": done}


def _names(value):
    return [str(name) for name in value] if value is not None else None


def fleet(records, hosts=None, thresholds=None, now=None, fail_on="never", active=None, batch=None,
          group=None, group_hosts=None, limit=None, run_id=None, awx_job_id=None, awx_workflow_job_id=None,
          merged_from=None, known_missing=None, history=None):
    """The fleet report: the operations of ``hosts`` audited so far, and a summary.

    ``hosts`` are the play's operations (``ansible_play_hosts_all``). Without ``active``, every one of them is
    listed, and one with no record is ``failed``. With ``active`` (``ansible_play_hosts``, the hosts that have not
    failed) and ``batch`` (``ansible_play_batch``), an operation with no record that is still active and not in
    this batch is waiting for a later batch (``serial``): it is counted as pending, not listed as failed.
    ``group_hosts`` are the hosts of the fleet's inventory group ``group`` (None when the inventory has no such
    group); those outside ``hosts`` were left out of this run, by ``--limit`` (``limit``) for instance. Without
    ``group_hosts``, ``known_missing`` (when not None) names the operations left out.
    ``awx_job_id`` and ``awx_workflow_job_id`` name the AWX job that writes the report and its workflow job (a sliced
    job is one); ``merged_from`` describes the reports a merged report was built from (see merge). ``history`` is
    the history's settings ({path, days, warn_on_projection}), or None when the run kept none.
    """
    thresholds = check_thresholds(thresholds)
    now = now or datetime.datetime.now()
    by_name = {}
    for record in records or []:
        if isinstance(record, dict) and record.get("operation"):
            by_name[record["operation"]] = record
    names = _names(hosts) if hosts is not None else sorted(by_name)
    active = set(_names(active)) if active is not None else None
    batch = set(_names(batch) or [])
    operations, pending = [], []
    for name in names:
        record = by_name.get(name)
        if record is None and active is not None and name in active and name not in batch:
            pending.append(name)
            continue
        if record is None:
            record = operation(name, None, None, thresholds, now)
            for check in record["checks"]:
                check["message"] = ("not read: the operation's tasks did not run (the host failed earlier in the "
                                    "play)")
            record["summary"] = "%s: failed - %s" % (name, record["checks"][0]["message"])
            record["platform"] = None  # unknown: nothing of the operation was read
        operations.append(record)

    limit = limit or None
    merged = merged_from is not None
    if group_hosts is not None:
        missing = [name for name in _names(group_hosts) if name not in names]
    elif known_missing is not None:
        missing = [name for name in _names(known_missing) if name not in names]
    else:  # no group to compare with: only a --limit says that something was left out
        missing = None if limit is not None else []
    limited = bool(missing) or (missing is None and limit is not None)
    reasons = []
    if missing and merged:
        reasons.append("%d operations of the fleet%s are in none of the %d merged reports%s: %s"
                       % (len(missing), " (inventory group %s)" % group if group_hosts is not None else "",
                          len(merged_from), " (--limit %s)" % limit if limit else "", ", ".join(missing)))
    elif missing:
        reasons.append("%d of the %d operations of the inventory group %s are not in this run%s: %s"
                       % (len(missing), len(group_hosts) if group_hosts is not None else len(missing) + len(names),
                          group, " (--limit %s)" % limit if limit else "", ", ".join(missing)))
    elif missing is None and limit is not None:
        reasons.append("the run was restricted with --limit %s, and the inventory has no group %s to tell which "
                       "operations were left out" % (limit, group))
    if pending:
        reasons.append("%d operations of this run are not audited yet (later serial batches): %s"
                       % (len(pending), ", ".join(pending)))

    counts = {status: sum(1 for op in operations if op["status"] == status) for status in RANK}
    routing = [(op["operation"], check_of(op, "routing_points") or {}) for op in operations]
    not_applicable = [name for name, check in routing if check.get("status") == NOT_APPLICABLE]
    not_read = [name for name, check in routing if not check.get("read") and check.get("status") != NOT_APPLICABLE]
    projected = [op["operation"] for op in operations if (op.get("trend") or {}).get("before_reset")]
    platforms = {platform: sum(1 for op in operations if op.get("platform") == platform) for platform in PLATFORMS}
    return clean({
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "awx_job_id": awx_job_id,
        "awx_workflow_job_id": awx_workflow_job_id,
        "merged_from": merged_from,
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%S"),
        "thresholds": thresholds,
        "fail_on": fail_on,
        "partial": bool(reasons),
        "partial_reasons": reasons,
        "limited": limited,
        "limit": limit,
        "fleet_group": group,
        "missing_operations": None if missing is None else len(missing),
        "missing": missing,
        "pending_operations": len(pending),
        "pending": pending,
        "history": history,
        "summary": dict(counts, operations=len(operations), status=worst(op["status"] for op in operations),
                        api_calls=sum(op["api_calls"] for op in operations),
                        routing_points_read=len(operations) - len(not_read) - len(not_applicable),
                        routing_points_not_read=len(not_read),
                        routing_points_not_applicable=len(not_applicable),
                        platforms=platforms, projected_exhaustion=len(projected)),
        "routing_points_not_read": not_read,
        "projected_exhaustion": projected,
        "failing": [op["operation"] for op in operations if fails(op["status"], fail_on)],
        "warnings": [warning for op in operations for warning in op.get("warnings") or []],
        "operations": operations,
    })


def merge(reports, group=None, group_hosts=None, run_id=None, now=None, awx_job_id=None, awx_workflow_job_id=None):
    """One fleet report from the JSON reports of the slices of one audit (AWX job slicing, or runs on parts).

    Each operation must be in one report only, and the reports must agree on the thresholds and on ``fail_on``;
    reports written by AWX jobs must all belong to one workflow job (the slices of one sliced job). ``group_hosts``
    (the hosts of the fleet's inventory group ``group``, None when unknown) tells which operations no report holds;
    without it, the operations the reports themselves say they left out (``missing``) do. Every count, ``failing``
    and ``run_id`` are the merged report's own; ``merged_from`` lists the reports it was built from.
    """
    if not isinstance(reports, list) or not reports:
        raise AuditError("no report to merge: give the slices' JSON reports (wolkvox_audit_merge_reports) or their "
                         "job artifacts (wolkvox_audit_slice_*)")
    for index, report in enumerate(reports):
        if not isinstance(report, dict) or report.get("schema_version") not in MERGEABLE_SCHEMAS \
                or not isinstance(report.get("operations"), list):
            raise AuditError("report %d of %d is not a JSON report of the wolkvox audit (schema version %s)"
                             % (index + 1, len(reports), " or ".join(str(version) for version in MERGEABLE_SCHEMAS)))
    names = ["%s (run %s)" % (index + 1, report.get("run_id")) for index, report in enumerate(reports)]
    thresholds = [check_thresholds(report.get("thresholds")) for report in reports]
    if any(item != thresholds[0] for item in thresholds):
        raise AuditError("the reports were judged against different thresholds (%s): merge the reports of one audit"
                         % "; ".join("%s: %s" % (name, item) for name, item in zip(names, thresholds)))
    fail_on = [report.get("fail_on") or "never" for report in reports]
    if len(set(fail_on)) > 1:
        raise AuditError("the reports have different fail_on settings (%s): merge the reports of one audit"
                         % ", ".join("%s: %s" % (name, item) for name, item in zip(names, fail_on)))
    histories = [report.get("history") for report in reports]
    kept = [item for item in histories if isinstance(item, dict)]
    judged = sorted({(item.get("days"), bool(item.get("warn_on_projection"))) for item in kept})
    if len(judged) > 1:
        raise AuditError("the reports kept their history with different settings (%s): merge the reports of one audit"
                         % "; ".join("%s: %s" % (name, "none" if item is None else "days %s, warn_on_projection %s"
                                                 % (item.get("days"), item.get("warn_on_projection")))
                                     for name, item in zip(names, histories)))
    history = None
    if kept:
        paths = sorted({str(item.get("path")) for item in kept})
        history = {"path": paths[0] if len(paths) == 1 else None, "days": judged[0][0],
                   "warn_on_projection": judged[0][1]}
    workflows = sorted({str(report["awx_workflow_job_id"]) for report in reports
                        if report.get("awx_workflow_job_id") is not None})
    if len(workflows) > 1:
        raise AuditError("the reports come from different AWX workflow jobs (%s): merge the slices of one sliced job "
                         "only" % ", ".join(workflows))
    owner = {}
    duplicates = {}
    records = []
    for name, report in zip(names, reports):
        for record in report["operations"]:
            if not isinstance(record, dict) or not record.get("operation"):
                continue
            operation = record["operation"]
            if operation in owner:
                duplicates.setdefault(operation, [owner[operation]]).append(name)
                continue
            owner[operation] = name
            if "platform" not in record:  # schema 2 and 3: contact-center operations only
                record = dict(record, platform="contact_center", crm_operation=None, trend=None)
            records.append(record)
    if duplicates:
        raise AuditError("operations in more than one report: %s; each slice audits its own operations, so these "
                         "reports are not the slices of one audit"
                         % "; ".join("%s in reports %s" % (operation, ", ".join(where))
                                     for operation, where in sorted(duplicates.items())))
    covered = set(owner)
    pending = []
    for report in reports:
        pending.extend(name for name in report.get("pending") or [] if name not in covered and name not in pending)
    audited = ([name for name in _names(group_hosts) if name in covered] if group_hosts is not None else []) \
        + sorted(covered - set(_names(group_hosts) or []))
    hosts = audited + pending
    known_missing = None
    if group_hosts is None and all(report.get("missing") is not None for report in reports):
        known_missing = sorted({name for report in reports for name in report["missing"]} - covered - set(pending))
    limits = sorted({report["limit"] for report in reports if report.get("limit")})
    merged_from = [{"run_id": report.get("run_id"), "generated_at": report.get("generated_at"),
                    "operations": len(report["operations"]), "awx_job_id": report.get("awx_job_id"),
                    "awx_workflow_job_id": report.get("awx_workflow_job_id")} for report in reports]
    return fleet(records, hosts, thresholds[0], now=now, fail_on=fail_on[0], active=hosts, batch=audited,
                 group=group, group_hosts=group_hosts, limit=", ".join(limits) or None, run_id=run_id,
                 awx_job_id=awx_job_id, awx_workflow_job_id=awx_workflow_job_id, merged_from=merged_from,
                 known_missing=known_missing, history=history)


def fails(status, fail_on):
    """Whether an operation of ``status`` fails the play when ``wolkvox_audit_fail_on`` is ``fail_on``."""
    if fail_on == "never":
        return False
    return RANK[status] >= RANK[fail_on]


# -- the reports people read: order, plain language, the JUnit cases and counts, the charts' geometry ----------------

STATUS_ORDER = ("failed", "critical", "warning", "ok")
STATUS_LABELS = {"failed": "could not be audited", "critical": "critical", "warning": "warning", "ok": "ok"}
NEEDS_ACTION = ("failed", "critical", "warning")
PLATFORM_LABELS = {"contact_center": "contact center", "crm": "CRM"}
# what an operation whose budget could not be read needs, by the kind of the failure (the technical reason stays in
# the JSON report)
PLAIN_FAILURES = {
    "invalid_token": "The platform refused the token: replace it (it is invalid, expired, or belongs to another "
                     "operation).",
    "missing_token": "The platform received no token: a proxy between the controller and the platform removes it.",
    "network": "The platform could not be reached: check the server setting (wolkvox_server) and the network.",
    "bad_host": "The server's name does not exist: check the server setting (wolkvox_server).",
    "timeout": "The platform did not answer in time: check the network, or raise wolkvox_timeout.",
    "tls": "The platform's certificate could not be verified: check wolkvox_ca_path and wolkvox_validate_certs.",
    "redirect": "The server redirected the audit elsewhere: check the server setting (wolkvox_server).",
    "maintenance": "The platform was in maintenance: the next run checks again.",
    "server_error": "The platform failed to answer: the next run checks again.",
    "concurrency": "Other jobs were using the same token at the same time: the next run checks again.",
    "limiter": "Other jobs on this controller were using the same token: the next run checks again.",
    "not_run": "Not audited: the host failed earlier in the play.",
    "internal": "The audit could not read this operation: an error of the collection (the JSON report has the "
                "details; please report it).",
}
PLAIN_CRM_REFUSAL = ("The CRM refused the token or the operation name: check both (wolkvox_token, and wolkvox_operation, "
                     "which is case-sensitive).")
PLAIN_UNUSABLE = "The platform's answer could not be used (the JSON report has the details)."
SPARK = {"width": 160, "height": 40, "pad": 3}
CHART = {"label": 200, "bar": 460, "row": 30}


def _plain_failure(op, check):
    kind = check.get("error_kind")
    if kind == "invalid_token" and op.get("platform") == "crm":
        return PLAIN_CRM_REFUSAL
    if kind == "bad_option":
        detail = check.get("message", "")
        detail = detail[len("not read: "):] if detail.startswith("not read: ") else detail
        return "The operation's settings cannot work: %s." % detail.rstrip(".")
    return PLAIN_FAILURES.get(kind, PLAIN_UNUSABLE)


def _budget_text(op):
    """(the budget left, a detail line) in the words of the reports: what is left."""
    token = op.get("token")
    check = check_of(op, "token_budget") or {}
    if not token:
        if check.get("error_kind") == "quota":
            return "none left (quota spent)", ""
        return "not read", ""
    head = "%d of %d left (%.1f%%)" % (token["available"], token["token_limit"], token["available_percent"])
    if op.get("platform") == "crm":
        reset = token.get("hours_to_restart_count")
        return head, ("resets in %s" % hours(reset)) if reset is not None else ""
    if token.get("operation_available") is None:
        return head, "the operation's shared use was not reported"
    if token["decided_by"] == "operation":
        return head, "shared by the operation's tokens; this token alone has %d left" % token["token_available"]
    if token["decided_by"] == "token":
        return head, "this token's own limit; the operation has %d left" % token["operation_available"]
    return head, ""


def _routing_text(op):
    check = check_of(op, "routing_points") or {}
    if check.get("status") == NOT_APPLICABLE:
        return "not applicable (CRM)"
    if not check.get("read"):
        return "could not be read" if check.get("status") == "failed" else "not read"
    total = op.get("routing_points_total") or 0
    findings = len(check.get("findings") or [])
    if findings:
        return "%d of %d need attention" % (findings, total)
    if total == 1:
        return "1, active and in use"
    return "all %d active and in use" % total if total else "none"


def _plain_check(op, check):
    """One sentence a person can act on, for one check."""
    name, status = check.get("name"), check.get("status")
    if name == "token_budget":
        if status == "failed":
            return _plain_failure(op, check)
        if check.get("error_kind") == "quota":
            return "Quota spent: every call is refused until the daily reset."
        left, detail = _budget_text(op)
        if status == "critical":
            return "Nearly spent, %s: calls are refused once it runs out, until the daily reset." % left
        if status == "warning":
            return "Running low, %s: spend less, or ask wolkvox for more licenses." % left
        return "Budget %s." % left
    if name == "routing_points":
        if status == NOT_APPLICABLE:
            return "Routing points: not applicable to a CRM operation."
        if status == "warning":
            count = len(check.get("findings") or [])
            return "Review %d routing point%s (listed below)." % (count, "" if count == 1 else "s")
        if status == "failed":
            return "The routing points could not be read (the JSON report has the details)."
        if check.get("error_kind") == "quota":
            return "Daily quota spent: the routing points could not be read."
        if status == "unknown":
            return "Routing points not checked: the budget check failed first, so they were not asked for."
        return "Routing points: %s." % _routing_text(op)
    if name == "budget_projection":
        return _projection_text(op, _report_time({})) or "Not projected: the budget was not read."
    message = check.get("message") or ""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


RESET_SHORT = {"platform": "", "history": " (as seen in the history)", "assumed": " (assumed)"}


def _projection_text(op, report_time, tz=None):
    """The projection in a few words, or None when there is none to show (no history, or no budget read)."""
    check = check_of(op, "budget_projection")
    trend = op.get("trend")
    if check is None:
        return None
    if not trend:
        return check["message"][:1].upper() + check["message"][1:] + "." if check.get("message", "").startswith(
            "not projected: the history") else None
    reset = "the reset at %s%s" % (clock(trend["reset_at"], report_time, tz), RESET_SHORT.get(trend["reset_source"], ""))
    if trend["left"] <= 0:
        return None
    if trend["rate_per_hour"] is None:
        return "Not projected yet: the first reading of the day."
    if not trend["rate_per_hour"]:
        return "No use in %s: lasts past %s." % (window(trend["last_hour_minutes"]), reset)
    spent = clock(trend["exhausted_at"], report_time, tz)
    if trend["before_reset"]:
        return "Spent at %s, %s before %s." % (spent, span(trend["hours_before_reset"]), reset)
    return "Lasts past %s (spent at %s)." % (reset, spent)


def _actions(op):
    """What to do about an operation, in plain words, most urgent first."""
    actions = []
    token = check_of(op, "token_budget") or {}
    if token.get("status") in NEEDS_ACTION:
        actions.append(_plain_check(op, token))
    routing = check_of(op, "routing_points") or {}
    if routing.get("status") in ("warning", "failed") and routing.get("error_kind") != "quota":
        actions.append(_plain_check(op, routing))
    trend = op.get("trend") or {}
    if trend.get("before_reset") and token.get("status") not in NEEDS_ACTION:  # else said already
        actions.append("Spend less, or ask wolkvox for more licenses: at this rate the quota runs out %s before the "
                       "daily reset." % span(trend["hours_before_reset"]))
    return actions or ["Nothing to do."]


def _left_key(op):
    token = op.get("token") or {}
    value = token.get("available_percent")
    return -1.0 if value is None else value


def _bars(op, status):
    token = op.get("token")
    if not token:
        return []
    decided = token.get("decided_by")
    bars = [{"kind": "token", "label": "this token", "left": token["token_available"],
             "left_percent": token["token_available_percent"], "decided": decided in ("token", "both")}]
    if token.get("operation_available_percent") is not None:
        bars.append({"kind": "operation", "label": "the operation (shared)", "left": token["operation_available"],
                     "left_percent": token["operation_available_percent"],
                     "decided": decided in ("operation", "both")})
    for item in bars:
        share = min(max(item["left_percent"], 0.0), 100.0)
        item["width"] = round(CHART["bar"] * share / 100.0, 1)
        item["status"] = status if item["decided"] else "other"
    return bars


def _spark(op, report_time, thresholds, tz=None):
    """The geometry of one operation's curve of the day (budget left, in %), or None without a history."""
    trend = op.get("trend")
    if not trend or not trend.get("points"):
        return None
    width, height, pad = SPARK["width"], SPARK["height"], SPARK["pad"]
    start = _audit_history.parse_time(trend["day_start"])
    end = _audit_history.parse_time(trend["reset_at"])
    if start is None or end is None or end <= start:
        return None
    seconds = (end - start).total_seconds()

    def x(moment):
        return round(min(max((moment - start).total_seconds() / seconds, 0.0), 1.0) * (width - 2 * pad) + pad, 1)

    def y(percent):
        return round(pad + (100.0 - min(max(percent, 0.0), 100.0)) / 100.0 * (height - 2 * pad), 1)

    points = [(x(_audit_history.parse_time(moment)), y(percent)) for moment, percent in trend["points"]]
    last_time = _audit_history.parse_time(trend["points"][-1][0])
    last_percent = trend["points"][-1][1]
    projection = None
    if trend.get("exhausted_at"):
        spent = _audit_history.parse_time(trend["exhausted_at"])
        if spent > last_time:
            if spent <= end:
                target = (x(spent), y(0.0))
            else:  # runs out after the reset: the line to the reset, where it still has some left
                share = (end - last_time).total_seconds() / (spent - last_time).total_seconds()
                target = (x(end), y(last_percent * (1 - share)))
            projection = "%s,%s %s,%s" % (points[-1][0], points[-1][1], target[0], target[1])
    first = trend["points"][0]
    title = "budget left today: %.0f%% at %s, %.0f%% at %s" % (
        first[1], clock(first[0], report_time, tz), last_percent, clock(trend["points"][-1][0], report_time, tz))
    if trend.get("exhausted_at"):
        title += "; at this rate spent at %s" % clock(trend["exhausted_at"], report_time, tz)
    return {"width": width, "height": height, "points": " ".join("%s,%s" % point for point in points),
            "last": points[-1], "projection": projection, "single": len(points) == 1,
            "warning_y": y(thresholds["warning_available_percent"]), "zero_y": y(0.0), "title": title}


def _junit(report, report_time=None, tz=None):
    cases = []
    for op in report["operations"]:
        for check in op["checks"]:
            status = check.get("status")
            if status == NOT_APPLICABLE:
                continue
            if status in ("warning", "critical"):
                outcome = "failure"
            elif status == "failed":
                outcome = "error"
            elif status == "ok":
                outcome = "passed"
            else:
                outcome = "skipped"
            details = [check.get("message") or ""]
            details += ["%s %s: %s" % (finding.get("rp_id"), finding.get("rp_name"), ", ".join(finding["problems"]))
                        for finding in check.get("findings") or []]
            cases.append({"classname": op["operation"], "name": check.get("name"), "outcome": outcome,
                          "type": status, "platform": op.get("platform") or "unknown",
                          "message": (_projection_text(op, report_time, tz) or "Not projected: the budget was not "
                                      "read.") if check.get("name") == "budget_projection" else _plain_check(op, check),
                          "text": "\n".join(details),
                          "warnings": check.get("warnings") or []})
    counts = {"tests": len(cases)}
    for key, outcome in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        counts[key] = sum(1 for case in cases if case["outcome"] == outcome)
    return dict(counts, cases=cases)


def _report_time(report, tz=None):
    try:
        return datetime.datetime.strptime(report.get("generated_at") or "", "%Y-%m-%dT%H:%M:%S").astimezone(tz)
    except ValueError:
        return datetime.datetime.now(tz).astimezone(tz)


def view(report, tz=None):
    """What the Markdown, JUnit XML and HTML reports show, computed from the JSON report (so that a merged report
    shows the same): the operations worst first (then the least left, then the inventory's order), plain sentences
    (the technical reasons stay in the JSON), the JUnit XML's cases and counts, the charts' geometry."""
    report_time = _report_time(report, tz)
    thresholds = check_thresholds(report.get("thresholds"))
    indexed = list(enumerate(report["operations"]))
    ordered = sorted(indexed, key=lambda item: (-RANK.get(item[1]["status"], 0), _left_key(item[1]), item[0]))
    operations = []
    for index, op in ordered:
        budget, detail = _budget_text(op)
        trend = op.get("trend") or {}
        projection = check_of(op, "budget_projection")
        last_hour = None
        if trend.get("last_hour_uses") is not None:
            last_hour = "%d uses in %s" % (trend["last_hour_uses"], window(trend["last_hour_minutes"]))
        operations.append({
            "operation": op["operation"], "index": index, "status": op["status"],
            "status_label": STATUS_LABELS.get(op["status"], op["status"]),
            "needs_action": op["status"] in NEEDS_ACTION,
            "platform": op.get("platform") or "unknown",
            "platform_label": PLATFORM_LABELS.get(op.get("platform"), "unknown"),
            "crm_operation": op.get("crm_operation"),
            "budget": budget, "budget_detail": detail, "routing": _routing_text(op),
            "last_hour": last_hour,
            "projection": _projection_text(op, report_time, tz),
            "projection_status": None if projection is None else projection["status"],
            "actions": _actions(op),
            "bars": _bars(op, (check_of(op, "token_budget") or {}).get("status", op["status"])),
            "spark": _spark(op, report_time, thresholds, tz),
            "api_calls": op.get("api_calls", 0),
        })
    findings = []
    for item in operations:
        op = report["operations"][item["index"]]
        for finding in (check_of(op, "routing_points") or {}).get("findings") or []:
            findings.append(dict(finding, operation=op["operation"], status=op["status"],
                                 last_use=finding.get("last_use") if finding.get("last_use") is not None else "never"))
    summary = report["summary"]
    needing = sum(summary.get(status, 0) for status in NEEDS_ACTION)
    counts = ", ".join("%d %s" % (summary.get(status, 0), STATUS_LABELS[status]) for status in STATUS_ORDER
                       if summary.get(status, 0))
    total = summary.get("operations") or 0
    if not total:
        headline = "no operation audited"
    elif needing:
        headline = "%d of %d operation%s need%s action" % (
            needing, total, "" if total == 1 else "s", "s" if needing == 1 else "")
    else:
        headline = "all %d operations are ok" % total if total > 1 else "1 operation, ok"
    return clean({
        "headline": headline,
        "needs_action": needing,
        "counts": counts,
        "operations": operations,
        "findings": findings,
        "history": report.get("history") is not None,
        "junit": _junit(report, report_time, tz),
        "status_order": list(STATUS_ORDER),
        "status_labels": STATUS_LABELS,
        "chart": dict(CHART, height=CHART["row"] * len(operations) + 50,
                      warning_x=round(CHART["label"] + CHART["bar"] * thresholds["warning_available_percent"] / 100.0, 1),
                      critical_x=round(CHART["label"] + CHART["bar"] * thresholds["critical_available_percent"] / 100.0,
                                       1)),
    })
