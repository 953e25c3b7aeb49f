# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's judgement, as the audit role's reports show it."""

import datetime

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.wolkvox.plugins.filter.audit import audit_fleet, audit_operation
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit

NOW = datetime.datetime(2026, 11, 23, 12, 0, 0)


def budget(limit, used, api_calls=1):
    return {"changed": False, "api_calls": api_calls, "token_info": {
        "description": "token", "token_limit": limit, "token_use_today": used, "all_token_today": used,
        "available_consumption_options": limit - used, "hours_to_restart_count": None,
        "usage_percent": round(used * 100.0 / limit, 2)}}


def point(rp_id, last_use="2026-11-23T08:00:00", **channels):
    flags = {"ivr_active": True, "chat_active": True, "interaction_active": True, "crm_active": False}
    flags.update(channels)
    return dict(rp_id=rp_id, rp_name="RP " + rp_id, last_use=last_use, **flags)


def points(*items):
    return {"changed": False, "api_calls": 1, "routing_points": list(items)}


def failure(kind, msg="it failed"):
    return {"failed": True, "msg": msg, "error_kind": kind, "api_calls": 1}


@pytest.mark.parametrize("used, status", [
    (4000, "warning"),   # 20.0% left is the warning line: at or below it is a warning
    (3999, "ok"),
    (4001, "warning"),
    (4750, "critical"),  # 5.0% left
    (4749, "warning"),
    (5000, "critical"),
])
def test_the_token_budget_against_the_thresholds(used, status):
    record = _audit.operation("acme", budget(5000, used), points(point("1")), now=NOW)
    assert record["checks"][0]["status"] == status
    assert record["status"] == status
    assert record["token"]["available_percent"] == round((5000 - used) * 100.0 / 5000, 2)


def test_thresholds_are_the_users():
    record = _audit.operation("acme", budget(1000, 500), points(),
                              {"warning_available_percent": 60, "critical_available_percent": 50}, now=NOW)
    assert record["checks"][0] == {"name": "token_budget", "status": "critical",
                                   "message": "500 of 1000 uses left today (50.0%)"}


def test_routing_points_needing_attention():
    record = _audit.operation("acme", budget(1000, 1), points(
        point("1"),
        point("2", last_use="2026-10-01T00:00:00"),
        point("3", ivr_active=False, chat_active=False, interaction_active=False, crm_active=False),
        point("4", last_use=None),
        point("5", chat_active=False),
        point("6", last_use="ayer"),
    ), {"required_channels": ["chat_active"]}, now=NOW)
    check = record["checks"][1]
    assert check["status"] == "warning" and record["status"] == "warning"
    assert check["message"] == "5 of 6 routing points need attention"
    assert [(f["rp_id"], f["problems"]) for f in check["findings"]] == [
        ("2", ["unused for 53 days"]),
        ("3", ["no channel active"]),
        ("4", ["no recorded use"]),
        ("5", ["chat inactive"]),
        ("6", ["last use 'ayer' not understood"]),
    ]
    assert record["routing_points_total"] == 6 and record["api_calls"] == 2


def test_a_spent_quota_is_critical_and_the_spared_call_does_not_count():
    skipped = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
    record = _audit.operation("acme", failure("quota"), skipped, now=NOW)
    assert record["status"] == "critical"
    assert [c["status"] for c in record["checks"]] == ["critical", "skipped"]
    assert record["checks"][1]["message"] == "not read, to spare the quota: the token check already failed"
    assert record["api_calls"] == 1


def test_a_quota_that_runs_out_between_the_two_calls_is_critical():
    record = _audit.operation("acme", budget(1000, 1000), failure("quota"), now=NOW)
    assert [c["status"] for c in record["checks"]] == ["critical", "critical"]
    assert record["checks"][1]["message"].startswith("daily quota spent")
    assert record["status"] == "critical"


def test_a_refused_token_fails_the_operation_with_the_reason():
    record = _audit.operation("acme", failure("invalid_token", "the platform refused the token"),
                              {"skipped": True}, now=NOW)
    assert record["status"] == "failed"
    assert record["checks"][0]["message"] == "the platform refused the token"
    assert record["summary"] == ("acme: failed - the platform refused the token; "
                                 "not read, to spare the quota: the token check already failed")


def test_the_fleet_lists_every_host_even_one_without_a_record():
    records = [_audit.operation("a", budget(1000, 10), points(point("1")), now=NOW),
               _audit.operation("b", budget(1000, 990), points(point("1")), now=NOW), {}]
    report = _audit.fleet(records, hosts=["a", "b", "c"], now=NOW, fail_on="critical")
    assert [(op["operation"], op["status"]) for op in report["operations"]] == [
        ("a", "ok"), ("b", "critical"), ("c", "failed")]
    assert report["operations"][2]["checks"][0]["message"].startswith("no audit result")
    assert report["summary"] == {"ok": 1, "warning": 0, "critical": 1, "failed": 1, "operations": 3,
                                 "status": "failed", "api_calls": 4}
    assert (report["schema_version"], report["fail_on"], report["generated_at"]) == (1, "critical", "2026-11-23T12:00:00")
    assert report["failing"] == ["b", "c"]
    assert _audit.fleet(records, hosts=["a", "b", "c"], now=NOW)["failing"] == []  # fail_on: never


@pytest.mark.parametrize("status, fail_on, fails", [
    ("warning", "never", False), ("failed", "never", False),
    ("ok", "warning", False), ("warning", "warning", True), ("failed", "warning", True),
    ("warning", "critical", False), ("critical", "critical", True), ("failed", "critical", True),
])
def test_which_statuses_fail_the_play(status, fail_on, fails):
    assert _audit.fails(status, fail_on) is fails


@pytest.mark.parametrize("thresholds, says", [
    ({"warning_available_percent": 5, "critical_available_percent": 10}, "0 <= critical (10.0) <= warning (5.0) <= 100"),
    ({"stale_days": 0}, "stale_days must be 1 or more"),
    ({"required_channels": ["sms_active"]}, "required_channels may name ivr_active"),
])
def test_thresholds_that_make_no_sense_are_refused_by_the_filters(thresholds, says):
    with pytest.raises(AnsibleFilterError) as info:
        audit_operation(budget(10, 1), points(), "acme", thresholds)
    assert says in str(info.value)
    with pytest.raises(AnsibleFilterError):
        audit_fleet([], ["acme"], thresholds)
