# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This plugin_utils is PRIVATE and for internal use only: its names may change without notice.

"""The audit's judgement: one operation's token budget and routing points against thresholds, and the fleet.

Statuses rank ok < warning < critical < failed; ``failed`` means the operation could not be audited.
A check that was not run because an earlier one made it pointless is ``skipped`` and does not count.
"""

import datetime

SCHEMA_VERSION = 1
RANK = {"ok": 0, "warning": 1, "critical": 2, "failed": 3}
CHANNELS = ("ivr_active", "chat_active", "interaction_active", "crm_active")
QUOTA_SPENT = "daily quota spent: the platform answered TOKEN LIMIT EXCEEDED; the counter resets daily"
DEFAULT_THRESHOLDS = {
    "warning_available_percent": 20.0,
    "critical_available_percent": 5.0,
    "stale_days": 30,
    "required_channels": [],
}


class AuditError(ValueError):
    """Thresholds that do not make sense."""


def worst(statuses):
    """The worst of the statuses; a skipped check does not count."""
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


def _failure(result):
    """The error of a registered module result, or None when it succeeded."""
    if not isinstance(result, dict) or not result:
        return {"msg": "no result: the task did not run for this operation", "kind": "not_run"}
    if result.get("failed") or result.get("skipped"):
        msg = result.get("msg") or ("skipped: %s" % result.get("skip_reason", "")).strip()
        return {"msg": msg, "kind": result.get("error_kind") or ("skipped" if result.get("skipped") else "failed")}
    return None


def token_check(result, thresholds):
    error = _failure(result)
    if error:
        status = "critical" if error["kind"] == "quota" else "failed"
        message = QUOTA_SPENT if error["kind"] == "quota" else error["msg"]
        return {"name": "token_budget", "status": status, "message": message}, None
    info = result["token_info"]
    limit, available = info["token_limit"], info["available_consumption_options"]
    available_percent = round(available * 100.0 / limit, 2) if limit else 0.0
    if available_percent <= thresholds["critical_available_percent"]:
        status = "critical"
    elif available_percent <= thresholds["warning_available_percent"]:
        status = "warning"
    else:
        status = "ok"
    message = "%d of %d uses left today (%.1f%%)" % (available, limit, available_percent)
    budget = dict(info, available_percent=available_percent)
    return {"name": "token_budget", "status": status, "message": message}, budget


def _age_days(last_use, now):
    if not last_use:
        return None
    try:
        moment = datetime.datetime.strptime(last_use, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    return (now - moment).total_seconds() / 86400.0


def routing_check(result, thresholds, now):
    if isinstance(result, dict) and result.get("skipped"):
        return {"name": "routing_points", "status": "skipped", "findings": [],
                "message": "not read, to spare the quota: the token check already failed"}, 0
    error = _failure(result)
    if error and error["kind"] == "quota":  # spent by this very audit: its token check took the last use
        return {"name": "routing_points", "status": "critical", "message": QUOTA_SPENT, "findings": []}, 0
    if error:
        return {"name": "routing_points", "status": "failed", "message": error["msg"], "findings": []}, 0
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
    message = ("%d of %d routing points need attention" % (len(findings), len(points)) if findings
               else "%d routing points, all in use" % len(points))
    return {"name": "routing_points", "status": status, "message": message, "findings": findings}, len(points)


def operation(name, token_result, routing_result, thresholds=None, now=None):
    """One operation's audit record from its two registered module results."""
    thresholds = check_thresholds(thresholds)
    now = now or datetime.datetime.now()
    token, budget = token_check(token_result, thresholds)
    routing, total = routing_check(routing_result, thresholds, now)
    api_calls = sum(int(result.get("api_calls") or 0) for result in (token_result, routing_result)
                    if isinstance(result, dict))
    status = worst([token["status"], routing["status"]])
    return {
        "operation": name,
        "status": status,
        "summary": "%s: %s - %s; %s" % (name, status, token["message"], routing["message"]),
        "token": budget,
        "routing_points_total": total,
        "checks": [token, routing],
        "api_calls": api_calls,
    }


def fleet(records, hosts=None, thresholds=None, now=None, fail_on="never"):
    """The fleet report: every operation of ``hosts`` (one with no record shows as failed), and a summary."""
    thresholds = check_thresholds(thresholds)
    now = now or datetime.datetime.now()
    by_name = {}
    for record in records or []:
        if isinstance(record, dict) and record.get("operation"):
            by_name[record["operation"]] = record
    names = list(hosts) if hosts is not None else sorted(by_name)
    operations = []
    for name in names:
        record = by_name.get(name)
        if record is None:
            record = operation(name, None, None, thresholds, now)
            for check in record["checks"]:
                check["message"] = "no audit result: the operation's tasks did not run (the host failed earlier)"
        operations.append(record)
    counts = {status: sum(1 for op in operations if op["status"] == status) for status in RANK}
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%S"),
        "thresholds": thresholds,
        "fail_on": fail_on,
        "summary": dict(counts, operations=len(operations), status=worst(op["status"] for op in operations),
                        api_calls=sum(op["api_calls"] for op in operations)),
        "failing": [op["operation"] for op in operations if fails(op["status"], fail_on)],
        "operations": operations,
    }


def fails(status, fail_on):
    """Whether an operation of ``status`` fails the play when ``wolkvox_audit_fail_on`` is ``fail_on``."""
    if fail_on == "never":
        return False
    return RANK[status] >= RANK[fail_on]
