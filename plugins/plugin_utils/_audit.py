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
"""

import datetime
import os
import re

SCHEMA_VERSION = 3
MERGEABLE_SCHEMAS = (2, 3)  # the JSON reports audit_merge reads
RANK = {"ok": 0, "warning": 1, "critical": 2, "failed": 3}
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


def _budget_message(budget):
    head = "%d of %d uses left today (%.1f%%)" % (budget["available"], budget["token_limit"],
                                                  budget["available_percent"])
    decided = budget["decided_by"]
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


def routing_check(result, thresholds, now, token_result=None):
    """The routing points check and how many there are (None when they were not read)."""
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


def operation(name, token_result, routing_result, thresholds=None, now=None):
    """One operation's audit record from its two registered module results."""
    thresholds = check_thresholds(thresholds)
    now = now or datetime.datetime.now()
    token, budget = token_check(token_result, thresholds)
    routing, total = routing_check(routing_result, thresholds, now, token_result)
    api_calls = sum(int(result.get("api_calls") or 0) for result in (token_result, routing_result)
                    if isinstance(result, dict))
    token["warnings"] = _warnings(name, token_result)
    routing["warnings"] = _warnings(name, routing_result)
    status = worst([token["status"], routing["status"]])
    return clean({
        "operation": name,
        "status": status,
        "summary": "%s: %s - %s; %s" % (name, status, token["message"], routing["message"]),
        "token": budget,
        "routing_points_total": total,
        "checks": [token, routing],
        "api_calls": api_calls,
        "warnings": token["warnings"] + routing["warnings"],
    })


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
          merged_from=None, known_missing=None):
    """The fleet report: the operations of ``hosts`` audited so far, and a summary.

    ``hosts`` are the play's operations (``ansible_play_hosts_all``). Without ``active``, every one of them is
    listed, and one with no record is ``failed``. With ``active`` (``ansible_play_hosts``, the hosts that have not
    failed) and ``batch`` (``ansible_play_batch``), an operation with no record that is still active and not in
    this batch is waiting for a later batch (``serial``): it is counted as pending, not listed as failed.
    ``group_hosts`` are the hosts of the fleet's inventory group ``group`` (None when the inventory has no such
    group); those outside ``hosts`` were left out of this run, by ``--limit`` (``limit``) for instance. Without
    ``group_hosts``, ``known_missing`` (when not None) names the operations left out.
    ``awx_job_id`` and ``awx_workflow_job_id`` name the AWX job that writes the report and its workflow job (a sliced
    job is one); ``merged_from`` describes the reports a merged report was built from (see merge).
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
    not_read = [op["operation"] for op in operations if not op["checks"][1].get("read")]
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
        "summary": dict(counts, operations=len(operations), status=worst(op["status"] for op in operations),
                        api_calls=sum(op["api_calls"] for op in operations),
                        routing_points_read=len(operations) - len(not_read),
                        routing_points_not_read=len(not_read)),
        "routing_points_not_read": not_read,
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
                 known_missing=known_missing)


def fails(status, fail_on):
    """Whether an operation of ``status`` fails the play when ``wolkvox_audit_fail_on`` is ``fail_on``."""
    if fail_on == "never":
        return False
    return RANK[status] >= RANK[fail_on]
