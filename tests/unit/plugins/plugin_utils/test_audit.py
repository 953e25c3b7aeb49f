# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's judgement, as the audit role's reports show it."""

import json
import os
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _token_info
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit
from ansible_collections.wolkvox.wolkvox.tests.utils.audit_records import (
    NOW,
    TEMPLATES,
    budget,
    failure,
    point,
    points,
    render,
    slice_report,
)

SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}


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
    assert record["checks"][0] == {
        "name": "token_budget", "status": "critical", "read": True, "decided_by": "both", "warnings": [],
        "message": "500 of 1000 uses left today (50.0%), the same for the token's own budget and the operation's "
                   "shared budget"}


# -- 1. the central number: the worse of the token's own budget and the operation's shared budget ------------------

def test_the_shared_budget_of_the_operation_decides_when_it_is_the_worse():
    # the token has 399 of its 1000 uses left, but the operation's tokens used 971 of the shared quota
    record = _audit.operation("acme", budget(1000, 601, all_today=971), points(point("1")), now=NOW)
    token = record["checks"][0]
    assert (token["status"], record["status"]) == ("critical", "critical")
    assert token["message"] == ("29 of 1000 uses left today (2.9%): shared budget of the operation decided (its tokens "
                                "used 971 today); the token's own budget has 399 left (39.9%)")
    assert token["decided_by"] == "operation"
    assert {key: record["token"][key] for key in (
        "available", "available_percent", "decided_by", "token_available", "token_available_percent",
        "operation_use_today", "operation_available", "operation_available_percent", "operation_usage_percent")} == {
        "available": 29, "available_percent": 2.9, "decided_by": "operation", "token_available": 399,
        "token_available_percent": 39.9, "operation_use_today": 971, "operation_available": 29,
        "operation_available_percent": 2.9, "operation_usage_percent": 97.1}
    assert "shared budget of the operation decided" in record["summary"]


def test_the_tokens_own_budget_decides_when_it_is_the_worse_and_an_unreported_share_is_said_so():
    result = budget(1000, 100)
    result["token_info"]["available_consumption_options"] = 50  # a token limit below the operation's pool
    token = _audit.operation("acme", result, points(), now=NOW)["checks"][0]
    assert token["message"] == ("50 of 1000 uses left today (5.0%): the token's own budget decided; the operation's "
                                "shared budget has 900 left (90.0%)")
    assert token["status"] == "critical"
    result = budget(1000, 100)
    result["token_info"]["all_token_today"] = None
    record = _audit.operation("acme", result, points(), now=NOW)
    assert record["checks"][0]["message"] == ("900 of 1000 uses left today (90.0%) for the token; the platform did not "
                                              "report the operation's shared use")
    assert record["token"]["operation_available"] is None and record["token"]["decided_by"] == "token"


def test_token_info_reads_the_operations_budget_against_the_tokens_limit():
    record = {"token_limit": "1000", "token_use_today": "601", "all_token_today": "971",
              "available_consumption_options": "399"}
    info = _token_info.normalize(record, "contact_center")
    assert (info["usage_percent"], info["operation_use_today"], info["operation_available"],
            info["operation_usage_percent"]) == (60.1, 971, 29, 97.1)
    over = _token_info.normalize(dict(record, all_token_today="1200"), "contact_center")
    assert over["operation_available"] == 0 and over["operation_usage_percent"] == 120.0
    crm = _token_info.normalize({"token_limit": 4800, "token_use_today": 0, "available_consumition_options": 4800},
                                "crm")
    assert (crm["operation_use_today"], crm["operation_available"], crm["operation_usage_percent"]) == (None, None, None)


def test_every_report_shows_both_budgets_and_which_decided():
    report = _audit.fleet([_audit.operation("acme", budget(1000, 601, all_today=971), points(point("1")), now=NOW)],
                          ["acme"], now=NOW, run_id="r1")
    assert report["operations"][0]["token"]["decided_by"] == "operation"
    # the JSON has the technical reading; the reports people read say it plainly, in what is left
    assert "shared budget of the operation decided" in report["operations"][0]["checks"][0]["message"]
    for template in ("report.md.j2", "report.html.j2"):
        text = render(template, report)
        assert "29 of 1000 left (2.9%)" in text, template
        assert "shared by the operation&#39;s tokens" in text or "shared by the operation's tokens" in text, template
        assert "this token alone has 399 left" in text, template
    assert "shared budget of the operation decided" in render("report.junit.xml.j2", report)  # the failure's detail
    html = render("report.html.j2", report)
    assert 'class="bar token" data-decided="false"' in html and 'class="bar operation" data-decided="true"' in html
    assert "39.9% left token · 2.9% left operation" in html


# -- 2. never claim what was not read ------------------------------------------------------------------------------

def test_a_spent_quota_is_critical_and_the_spared_call_is_not_read():
    record = _audit.operation("acme", failure("quota"), SKIPPED, now=NOW)
    assert record["status"] == "critical"
    assert [c["status"] for c in record["checks"]] == ["critical", "unknown"]
    assert [c["read"] for c in record["checks"]] == [False, False]
    assert record["checks"][1]["message"] == "not read: the daily quota is spent, so the request could only be refused"
    assert record["routing_points_total"] is None
    assert record["api_calls"] == 1


def test_a_quota_that_runs_out_between_the_two_calls_is_critical():
    record = _audit.operation("acme", budget(1000, 1000), failure("quota"), now=NOW)
    assert [c["status"] for c in record["checks"]] == ["critical", "critical"]
    assert record["checks"][1]["message"].startswith("daily quota spent")
    assert record["status"] == "critical"


def test_routing_points_that_were_not_read_are_never_claimed_in_use():
    records = [
        _audit.operation("read", budget(1000, 1), points(point("1")), now=NOW),
        _audit.operation("spent", failure("quota"), SKIPPED, now=NOW),
        _audit.operation("down", failure("network", "no answer"), SKIPPED, now=NOW),
        _audit.operation("broken", budget(1000, 1), failure("bad_answer", "the platform answered garbage"), now=NOW),
    ]
    report = _audit.fleet(records, ["read", "spent", "down", "broken"], now=NOW, run_id="r1")
    assert report["summary"]["routing_points_read"] == 1
    assert report["summary"]["routing_points_not_read"] == 3
    assert report["routing_points_not_read"] == ["spent", "down", "broken"]
    assert [op["checks"][1]["read"] for op in report["operations"]] == [True, False, False, False]
    assert report["operations"][3]["checks"][1] == {
        "name": "routing_points", "status": "failed", "read": False, "findings": [], "error_kind": "bad_answer",
        "message": "not read: the platform answered garbage", "warnings": []}
    for template in ("report.md.j2", "report.html.j2"):
        text = render(template, report)
        assert "every routing point" not in text and "all are active and in use" not in text, template
        assert "None among the 1 operations whose routing points were read" in text, template
        assert "for 3 of 4 operations, so nothing is known of their routing points: spent, down, broken" in text
    junit = ET.fromstring(render("report.junit.xml.j2", report))
    skipped = [case.get("classname") for case in junit.iter("testcase") if case.find("skipped") is not None]
    assert skipped == ["spent", "down"]
    assert junit.find("testsuite").get("skipped") == "2"


def test_when_every_routing_point_was_read_the_reports_say_so():
    report = _audit.fleet([_audit.operation("a", budget(1000, 1), points(point("1")), now=NOW)], ["a"], now=NOW)
    assert "None: the routing points of every contact-center operation were read, and all are active and in use." \
        in render("report.md.j2", report)
    assert _audit.operation("a", budget(1000, 1), points(), now=NOW)["checks"][1]["message"] == "no routing points"


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


# -- 6 and 8. failures as the role registers them; no claim about where a token came from ----------------------------

CLIENT_REFUSAL = ("the platform refused the token (HTTP 403 PLEASE VALIDATE TOKEN): it is invalid, expired, or belongs "
                  "to another operation or server")


def test_a_refused_token_fails_the_operation_with_the_clients_reason_and_nothing_added():
    record = _audit.operation("acme", failure("invalid_token", CLIENT_REFUSAL), SKIPPED, now=NOW)
    assert record["status"] == "failed"
    assert record["checks"][0]["message"] == "not read: " + CLIENT_REFUSAL
    assert record["checks"][1]["message"] == ("not read: the platform refused the token, so it would refuse this "
                                              "request too")
    assert record["summary"] == "acme: failed - not read: %s; %s" % (CLIENT_REFUSAL, record["checks"][1]["message"])
    added = record["summary"].replace(CLIENT_REFUSAL, "")
    for claim in ("WOLKVOX_TOKEN", "vault", "environment", "inventory", "credential", "wolkvox_token"):
        assert claim not in added


def test_a_failure_registered_with_failed_when_false_is_still_a_failure():
    # failed_when: false makes 'failed' false; the module's error_kind and msg, or a missing result, tell
    record = _audit.operation("acme", failure("maintenance", "the platform is in maintenance"), SKIPPED, now=NOW)
    assert record["status"] == "failed"
    assert record["checks"][0]["error_kind"] == "maintenance"
    argspec = {"failed": False, "failed_when_result": False, "msg": "missing required arguments: token"}
    assert _audit.operation("acme", argspec, SKIPPED, now=NOW)["checks"][0]["message"] == (
        "not read: missing required arguments: token")
    assert _audit.operation("acme", {"failed": True, "msg": "boom"}, SKIPPED, now=NOW)["status"] == "failed"


@pytest.mark.parametrize("kind", ["network", "timeout", "server_error", "maintenance", "concurrency"])
def test_a_transient_failure_of_the_first_call_says_why_the_second_was_not_sent(kind):
    record = _audit.operation("acme", failure(kind, "gave up after 3 attempts"), SKIPPED, now=NOW)
    assert record["checks"][1]["status"] == "unknown"
    assert record["checks"][1]["message"] == (
        "not read: the token check already failed (%s) after all its retries; the routing points were not asked "
        "for, to spare the quota and the wait" % kind)
    assert kind in _audit.SPARE_ROUTING_AFTER


def test_warnings_name_their_operation_in_the_record_and_the_reports():
    retry = "wolkvox token_info: the platform failed to answer (HTTP 503); retrying in 0.8 seconds (retry 1 of 1)"
    record = _audit.operation("acme", budget(1000, 1, warnings=[retry]), points(), now=NOW)
    assert record["warnings"] == ["acme: " + retry]
    assert record["checks"][0]["warnings"] == ["acme: " + retry] and record["checks"][1]["warnings"] == []
    report = _audit.fleet([record], ["acme"], now=NOW)
    assert report["warnings"] == ["acme: " + retry]
    assert "- acme: " + retry in render("report.md.j2", report)
    assert "<li>acme: " + retry + "</li>" in render("report.html.j2", report)
    junit = ET.fromstring(render("report.junit.xml.j2", report))
    assert [case.findtext("system-err") for case in junit.iter("testcase")] == ["acme: " + retry, None]


# -- 5. platform text can not break a report ------------------------------------------------------------------------

def test_control_characters_from_the_platform_are_shown_escaped_everywhere():
    name = "Main\x00\x1b[31m\x7f\x85\ud800"
    routing = points(dict(point("1", last_use=None), rp_name=name))
    record = _audit.operation("acme", budget(1000, 1), routing, now=NOW)
    assert record["checks"][1]["findings"][0]["rp_name"] == "Main\\x00\\x1b[31m\\x7f\\x85\\ud800"
    failed = _audit.operation("acme", failure("server_error", "busy\x0bnow\ttab\nline"), SKIPPED, now=NOW)
    assert failed["checks"][0]["message"] == "not read: busy\\x0bnow\ttab\nline"
    failed["operation"] = "other"
    report = _audit.fleet([record, failed], ["acme", "other"], now=NOW)
    for template in ("report.md.j2", "report.junit.xml.j2", "report.html.j2"):
        text = render(template, report)
        assert not _audit._UNSAFE.search(text), template
    ET.fromstring(render("report.junit.xml.j2", report))  # well-formed XML 1.0


# -- 4. the fleet: serial batches and --limit --------------------------------------------------------------------------

def test_the_fleet_lists_every_host_even_one_without_a_record():
    records = [_audit.operation("a", budget(1000, 10), points(point("1")), now=NOW),
               _audit.operation("b", budget(1000, 990), points(point("1")), now=NOW), {}]
    report = _audit.fleet(records, hosts=["a", "b", "c"], now=NOW, fail_on="critical")
    assert [(op["operation"], op["status"]) for op in report["operations"]] == [
        ("a", "ok"), ("b", "critical"), ("c", "failed")]
    assert report["operations"][2]["checks"][0]["message"].startswith("not read: the operation's tasks did not run")
    assert report["summary"] == {"ok": 1, "warning": 0, "critical": 1, "failed": 1, "operations": 3,
                                 "status": "failed", "api_calls": 4, "routing_points_read": 2,
                                 "routing_points_not_read": 1, "routing_points_not_applicable": 0,
                                 "platforms": {"contact_center": 2, "crm": 0}, "projected_exhaustion": 0}
    assert (report["schema_version"], report["fail_on"], report["generated_at"]) == (4, "critical", "2026-11-23T12:00:00")
    assert report["operations"][2]["platform"] is None  # nothing of it was read: its platform is not known
    assert (report["history"], report["projected_exhaustion"]) == (None, [])
    assert report["failing"] == ["b", "c"]
    assert report["partial"] is False and report["missing_operations"] == 0 and report["pending_operations"] == 0
    assert _audit.fleet(records, hosts=["a", "b", "c"], now=NOW)["failing"] == []  # fail_on: never


def test_with_serial_each_batch_reports_the_operations_so_far_and_counts_the_later_ones_as_pending():
    hosts = ["a", "b", "c", "d"]
    first = _audit.collect({}, [_audit.operation("a", budget(1000, 1), points(), now=NOW)], key=hosts)
    report = _audit.fleet(list(first["records"].values()), hosts, now=NOW, active=hosts, batch=["a"])
    assert [op["operation"] for op in report["operations"]] == ["a"]
    assert (report["partial"], report["pending_operations"], report["pending"]) == (True, 3, ["b", "c", "d"])
    assert report["partial_reasons"] == ["3 operations of this run are not audited yet (later serial batches): b, c, d"]
    assert report["summary"]["failed"] == 0
    # batch 2: b failed before the audit (it is no longer active); c is audited
    second = _audit.collect(first, [_audit.operation("c", budget(1000, 1), points(), now=NOW)], key=hosts)
    report = _audit.fleet(list(second["records"].values()), hosts, now=NOW, active=["a", "c", "d"], batch=["c"])
    assert [(op["operation"], op["status"]) for op in report["operations"]] == [("a", "ok"), ("b", "failed"),
                                                                                ("c", "ok")]
    assert report["pending"] == ["d"]
    third = _audit.collect(second, [_audit.operation("d", budget(1000, 1), points(), now=NOW)], key=hosts)
    report = _audit.fleet(list(third["records"].values()), hosts, now=NOW, active=["a", "c", "d"], batch=["d"])
    assert report["partial"] is False and [op["operation"] for op in report["operations"]] == hosts


def test_collected_records_start_afresh_for_another_run_or_a_second_audit_of_the_same_fleet():
    state = _audit.collect({}, [_audit.operation("a", budget(1000, 1), points(), now=NOW)], key=["a", "b"])
    assert sorted(_audit.collect(state, [{"operation": "b"}], key=["a", "b"])["records"]) == ["a", "b"]
    assert sorted(_audit.collect(state, [{"operation": "b"}], key=["b"])["records"]) == ["b"]
    assert sorted(_audit.collect(state, [{"operation": "a"}], key=["a", "b"])["records"]) == ["a"]


def test_a_run_limited_to_part_of_the_fleet_says_it_is_partial_in_every_report():
    records = [_audit.operation("a", budget(1000, 1), points(), now=NOW)]
    report = _audit.fleet(records, ["a"], now=NOW, group="wolkvox", group_hosts=["a", "b", "c"], limit="a",
                          run_id="r1")
    assert (report["partial"], report["limited"], report["missing_operations"], report["missing"]) == (
        True, True, 2, ["b", "c"])
    reason = "2 of the 3 operations of the inventory group wolkvox are not in this run (--limit a): b, c"
    assert report["partial_reasons"] == [reason]
    assert "# wolkvox audit: 1 operation, ok (partial report)" in render("report.md.j2", report)
    assert "**Partial report:** " + reason in render("report.md.j2", report)
    assert '<p id="partial" class="partial"><b>Partial report:</b> ' + reason in render("report.html.j2", report)
    properties = {(p.get("name"), p.get("value")) for p in ET.fromstring(render("report.junit.xml.j2", report)).iter(
        "property")}
    assert {("partial", "true"), ("partial_reason", reason), ("missing_operations", "2"), ("run_id", "r1")} <= properties
    # no group to compare with: the limit alone says the report is partial, and the count is unknown
    unknown = _audit.fleet(records, ["a"], now=NOW, group="wolkvox", group_hosts=None, limit="a")
    assert (unknown["partial"], unknown["limited"], unknown["missing_operations"]) == (True, True, None)
    # a limit that leaves nothing of the group out is no restriction
    whole = _audit.fleet(records, ["a"], now=NOW, group="wolkvox", group_hosts=["a"], limit="wolkvox")
    assert (whole["partial"], whole["limited"], whole["missing_operations"]) == (False, False, 0)


@pytest.mark.parametrize("status, fail_on, fails", [
    ("warning", "never", False), ("failed", "never", False),
    ("ok", "warning", False), ("warning", "warning", True), ("failed", "warning", True),
    ("warning", "critical", False), ("critical", "critical", True), ("failed", "critical", True),
])
def test_which_statuses_fail_the_play(status, fail_on, fails):
    assert _audit.fails(status, fail_on) is fails


# -- 3. settings checked before any API call ------------------------------------------------------------------------

def settings(tmp_path, **changes):
    base = {"thresholds": {"warning_available_percent": 20.0, "critical_available_percent": 5.0, "stale_days": 30,
                           "required_channels": []},
            "report_dir": str(tmp_path / "reports"), "report_name": "wolkvox-audit"}
    base["thresholds"].update({key: changes.pop(key) for key in list(changes) if key in base["thresholds"]})
    base.update(changes)
    return base


def test_usable_settings_have_no_problem(tmp_path):
    assert _audit.settings_problems(settings(tmp_path)) == []
    assert _audit.settings_problems(settings(tmp_path, report_dir=str(tmp_path))) == []
    assert _audit.settings_problems(settings(tmp_path, report_dir=str(tmp_path / "new" / "deeper"))) == []


@pytest.mark.parametrize("changes, says", [
    ({"warning_available_percent": 5.0, "critical_available_percent": 10.0},
     "wolkvox_audit_critical_available_percent (10.0) must not be above wolkvox_audit_warning_available_percent (5.0)"),
    ({"warning_available_percent": 150.0},
     "wolkvox_audit_warning_available_percent must be a share of the daily limit from 0 to 100, not 150.0"),
    ({"critical_available_percent": -1.0},
     "wolkvox_audit_critical_available_percent must be a share of the daily limit from 0 to 100, not -1.0"),
    ({"stale_days": 0}, "wolkvox_audit_stale_days must be a whole number of days, 1 or more, not 0"),
    ({"required_channels": ["sms_active"]}, "wolkvox_audit_required_channels may name ivr_active"),
    ({"report_name": ""}, "wolkvox_audit_report_name must be a plain file name without extension"),
    ({"report_name": "reports/audit"}, "not 'reports/audit'"),
    ({"report_name": ".hidden"}, "not starting with '.'"),
    ({"report_dir": ""}, "wolkvox_audit_report_dir is empty"),
])
def test_settings_that_make_no_sense_are_named_with_what_is_accepted(tmp_path, changes, says):
    problems = _audit.settings_problems(settings(tmp_path, **changes))
    assert len(problems) == 1 and says in problems[0], problems


def test_a_report_dir_that_is_a_file_or_under_one_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("")
    assert _audit.settings_problems(settings(tmp_path, report_dir=str(target))) == [
        "wolkvox_audit_report_dir %r is a file, not a directory: give a directory on the controller (it is created "
        "when missing)" % str(target)]
    assert _audit.settings_problems(settings(tmp_path, report_dir=str(target / "reports"))) == [
        "wolkvox_audit_report_dir %r cannot be created: %r is a file, not a directory"
        % (str(target / "reports"), str(target))]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_report_dir_that_can_not_be_written_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    assert "is not writable by this user" in _audit.settings_problems(settings(tmp_path, report_dir=str(locked)))[0]
    assert "cannot be created" in _audit.settings_problems(settings(tmp_path, report_dir=str(locked / "x")))[0]


# -- merging the slices' reports (audit_merge) -------------------------------------------------------------------------


def test_the_slices_of_one_audit_merge_into_one_fleet_report():
    fleet_hosts = ["a", "b", "c", "d", "e", "f"]
    slices = [slice_report(fleet_hosts[index::3], "run-%d" % index, workflow=9, job=100 + index) for index in range(3)]
    slices[2]["operations"][0] = _audit.operation("c", budget(1000, 990), points(point("1")), now=NOW)
    report = _audit.merge(slices, group="wolkvox", group_hosts=fleet_hosts, run_id="merged", now=NOW, awx_job_id=200)
    assert [op["operation"] for op in report["operations"]] == fleet_hosts  # in the inventory's order
    assert report["summary"]["operations"] == 6 and report["summary"]["api_calls"] == 12
    assert (report["summary"]["ok"], report["summary"]["critical"]) == (5, 1)
    assert (report["partial"], report["missing_operations"], report["run_id"], report["awx_job_id"]) == (
        False, 0, "merged", 200)
    assert [item["run_id"] for item in report["merged_from"]] == ["run-0", "run-1", "run-2"]
    assert report["merged_from"][1] == {"run_id": "run-1", "generated_at": "2026-11-23T12:00:00", "operations": 2,
                                        "awx_job_id": 101, "awx_workflow_job_id": 9}
    assert report["schema_version"] == 4
    for template in ("report.md.j2", "report.html.j2"):
        assert "Merged from 3 reports: run-0, run-1, run-2." in render(template, report)
    junit = ET.fromstring(render("report.junit.xml.j2", report))
    assert [prop.get("value") for prop in junit.iter("property") if prop.get("name") == "merged_from"] == [
        "run-0", "run-1", "run-2"]


def test_a_slice_that_did_not_report_leaves_its_operations_missing():
    fleet_hosts = ["a", "b", "c", "d"]
    slices = [slice_report(["a", "c"], "run-0", workflow=9)]
    report = _audit.merge(slices, group="wolkvox", group_hosts=fleet_hosts, now=NOW)
    assert (report["partial"], report["limited"], report["missing"]) == (True, True, ["b", "d"])
    assert report["partial_reasons"] == [
        "2 operations of the fleet (inventory group wolkvox) are in none of the 1 merged reports: b, d"]
    # without the fleet's inventory, what the slices say they left out
    limited = [slice_report(["a"], "run-0", group="wolkvox", group_hosts=["a", "b", "c"], limit="a"),
               slice_report(["b"], "run-1", group="wolkvox", group_hosts=["a", "b", "c"], limit="b")]
    report = _audit.merge(limited, now=NOW)
    assert report["missing"] == ["c"] and report["partial"] is True


def test_the_merged_report_fails_what_the_slices_fail_on():
    slices = [slice_report(["a"], "run-0", fail_on="critical", used=990), slice_report(["b"], "run-1", fail_on="critical")]
    report = _audit.merge(slices, now=NOW)
    assert (report["fail_on"], report["failing"]) == ("critical", ["a"])


@pytest.mark.parametrize("change, says", [
    (lambda slices: slices[1].update(fail_on="warning"), "the reports have different fail_on settings"),
    (lambda slices: slices[1]["thresholds"].update(stale_days=7), "the reports were judged against different thresholds"),
    (lambda slices: slices[1].update(awx_workflow_job_id=10), "the reports come from different AWX workflow jobs (10, 9)"),
    (lambda slices: slices[1]["operations"].append(slices[0]["operations"][0]),
     "operations in more than one report: a in reports 1 (run run-0), 2 (run run-1)"),
    (lambda slices: slices[1].update(schema_version=1), "report 2 of 2 is not a JSON report of the wolkvox audit"),
    (lambda slices: slices.clear(), "no report to merge"),
])
def test_reports_that_are_not_the_slices_of_one_audit_are_refused(change, says):
    slices = [slice_report(["a"], "run-0", workflow=9), slice_report(["b"], "run-1", workflow=9)]
    change(slices)
    with pytest.raises(_audit.AuditError) as info:
        _audit.merge(slices, now=NOW)
    assert says in str(info.value)


def test_a_concurrency_outside_1_to_256_is_refused_before_any_call(tmp_path):
    for value in (0, 257, "many", 2.5):
        problems = _audit.settings_problems(settings(tmp_path, concurrency=value))
        assert len(problems) == 1 and problems[0].startswith("wolkvox_audit_concurrency must be a whole number"), value
    assert _audit.settings_problems(settings(tmp_path, concurrency=64)) == []


# -- CRM operations --------------------------------------------------------------------------------------------------

def crm_budget(limit=4800, used=1500, hours=9, api_calls=1):
    info = _token_info.normalize({"description": "token", "token_limit": limit, "token_use_today": used,
                                  "available_consumition_options": limit - used, "hours_to_restart_count": hours},
                                 "crm")
    return {"changed": False, "api_calls": api_calls, "token_info": info}


def test_a_crm_operation_has_one_check_that_applies_and_its_reset():
    record = _audit.operation("cali", crm_budget(), None, now=NOW, platform="crm", crm_operation="CaliCRM")
    assert (record["platform"], record["crm_operation"], record["status"], record["api_calls"]) == (
        "crm", "CaliCRM", "ok", 1)
    token, routing = record["checks"]
    assert token["message"] == "3300 of 4800 uses left today (68.8%) for the CRM token; the counter resets in 9 hours"
    assert routing == {"name": "routing_points", "status": "not_applicable", "read": False, "findings": [],
                       "message": "not applicable: a CRM operation has no routing points", "warnings": []}
    assert record["routing_points_total"] is None
    last_hour = _audit.operation("cali", crm_budget(hours=1), None, now=NOW, platform="crm")
    assert last_hour["checks"][0]["message"].endswith("the counter resets in 1 hour")
    # not applicable is no problem, and not "all in use" either
    spent = _audit.operation("cali", crm_budget(used=4700), None, now=NOW, platform="crm")
    assert spent["status"] == "critical"
    with pytest.raises(_audit.AuditError, match="platform must be contact_center or crm, not 'CRM'"):
        _audit.operation("cali", crm_budget(), None, platform="CRM")


def mixed_fleet():
    records = [
        _audit.operation("bogota", budget(1000, 100), points(point("1")), now=NOW),
        _audit.operation("cali", crm_budget(), None, now=NOW, platform="crm", crm_operation="CaliCRM"),
        _audit.operation("lima", budget(1000, 900), points(point("1"), point("2", last_use=None)), now=NOW),
        _audit.operation("quito", budget(1000, 990), points(point("1")), now=NOW),
        _audit.operation("santiago", failure("invalid_token", CLIENT_REFUSAL + ". Check the token and the server "
                                             "(http://127.0.0.1:8080)"), SKIPPED, now=NOW),
        _audit.operation("medellin", failure("quota"), SKIPPED, now=NOW),
    ]
    return _audit.fleet(records, [record["operation"] for record in records], now=NOW, run_id="r1")


def test_every_report_shows_the_platform_of_each_operation_and_no_routing_claim_for_the_crm():
    report = mixed_fleet()
    assert [op["platform"] for op in report["operations"]] == ["contact_center", "crm"] + ["contact_center"] * 4
    assert report["summary"]["platforms"] == {"contact_center": 5, "crm": 1}
    assert (report["summary"]["routing_points_not_applicable"], report["summary"]["routing_points_not_read"],
            report["routing_points_not_read"]) == (1, 2, ["santiago", "medellin"])
    markdown = render("report.md.j2", report)
    assert "| cali | CRM | ok | 3300 of 4800 left (68.8%), resets in 9 hours | not applicable (CRM) |" in markdown
    assert "| bogota | contact center | ok |" in markdown
    assert "Not applicable to the 1 CRM operations, which have none." in markdown
    html = render("report.html.j2", report)
    assert '<tr class="s-ok" data-operation="cali" data-platform="crm">' in html
    assert '<td class="platform">CRM</td>' in html and "CRM operation CaliCRM" in html
    junit = ET.fromstring(render("report.junit.xml.j2", report))
    platforms = {(case.get("classname"), case.get("name")): case.find("properties/property").get("value")
                 for case in junit.iter("testcase")}
    assert platforms[("cali", "token_budget")] == "crm" and platforms[("bogota", "routing_points")] == "contact_center"
    assert ("cali", "routing_points") not in platforms  # a check that does not apply is no test case


def test_the_reports_people_read_put_the_worst_first_in_plain_words():
    report = mixed_fleet()
    view = _audit.view(report)
    assert [op["operation"] for op in view["operations"]] == ["santiago", "medellin", "quito", "lima", "cali", "bogota"]
    assert view["headline"] == "4 of 6 operations need action"
    assert view["counts"] == "1 could not be audited, 2 critical, 1 warning, 2 ok"
    santiago = view["operations"][0]
    assert santiago["actions"] == ["The platform refused the token: replace it (it is invalid, expired, or belongs to "
                                   "another operation)."]
    assert (santiago["status_label"], santiago["needs_action"], santiago["budget"]) == (
        "could not be audited", True, "not read")
    assert view["operations"][1]["actions"] == ["Quota spent: every call is refused until the daily reset."]
    assert view["operations"][3]["actions"] == [
        "Running low, 100 of 1000 left (10.0%): spend less, or ask wolkvox for more licenses.",
        "Review 1 routing point (listed below)."]
    assert view["operations"][4]["actions"] == ["Nothing to do."]
    for template in ("report.md.j2", "report.html.j2"):
        text = render(template, report)
        assert text.index("santiago") < text.index("medellin") < text.index("quito") < text.index("bogota"), template
        assert text.index("id=\"operations\"" if template.endswith("html.j2") else "## Operations") \
            < text.index("id=\"routing-points\"" if template.endswith("html.j2") else "## Routing points"), template
        for technical in ("Check the token", "http://127.0.0.1", "to spare the quota", "HTTP 403", "not read: "):
            assert technical not in text, (template, technical)
    # the technical reasons stay in the JSON
    santiago = next(op for op in report["operations"] if op["operation"] == "santiago")
    assert "Check the token and the server (http://127.0.0.1:8080)" in santiago["checks"][0]["message"]


def test_failed_looks_as_alarming_as_critical():
    html = render("report.html.j2", mixed_fleet())
    assert '<span class="badge s-failed" style="background: #7b1fa2">could not be audited</span>' in html
    assert '<span class="badge s-critical" style="background: #c62828">critical</span>' in html
    assert 'id="count-failed" style="background: #7b1fa2"' in html


def test_the_junit_counts_are_computed_in_python_and_match_the_cases():
    report = mixed_fleet()
    junit = _audit.view(report)["junit"]
    assert {key: junit[key] for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": 11, "failures": 4, "errors": 1, "skipped": 2}
    xml = ET.fromstring(render("report.junit.xml.j2", report))
    suite = xml.find("testsuite")
    cases = list(suite.iter("testcase"))
    assert int(suite.get("tests")) == len(cases) == 11
    assert int(suite.get("failures")) == sum(1 for case in cases if case.find("failure") is not None)
    assert int(suite.get("errors")) == sum(1 for case in cases if case.find("error") is not None)
    assert int(suite.get("skipped")) == sum(1 for case in cases if case.find("skipped") is not None)
    with open(os.path.join(TEMPLATES, "report.junit.xml.j2"), encoding="utf-8") as handle:
        assert ".update(" not in handle.read()  # no dict changed in Jinja
    error = next(case for case in cases if case.find("error") is not None)
    assert error.find("error").get("message").startswith("The platform refused the token")  # plain words
    assert "PLEASE VALIDATE TOKEN" in error.find("error").text  # the technical reason, below


def test_a_report_of_thirty_operations_renders_with_every_part(tmp_path):
    records = []
    for index in range(30):
        used = [100, 850, 960, 999][index % 4]
        routing = points(*[point(str(n), last_use=None if n % 7 == 0 else "2026-11-23T08:00:00")
                           for n in range(1, 6)])
        records.append(_audit.operation("op%02d" % index, budget(1000, used), routing, now=NOW))
    report = _audit.fleet(records, [record["operation"] for record in records], now=NOW, run_id="r30")
    html = render("report.html.j2", report)
    assert html.count("<tr class=") == 30 + 0 and html.count('class="bar token"') == 30
    assert html.index('id="operations"') < html.index('id="token-chart"') < html.index('id="routing-points"')


@pytest.mark.parametrize("changes, says", [
    ({"history": str(os.sep)}, "is a directory: give the path of a file on the controller"),
    ({"history_days": 0}, "wolkvox_audit_history_days must be a whole number of days from 1 to 366, not 0"),
    ({"history_days": "week"}, "wolkvox_audit_history_days must be a whole number of days"),
    ({"warn_on_projection": "sometimes"}, "wolkvox_audit_warn_on_projection must be true or false"),
    ({"history": " spaced.jsonl"}, "wolkvox_audit_history must be a path without surrounding spaces"),
])
def test_history_settings_that_cannot_work_are_refused_before_any_call(tmp_path, changes, says):
    problems = _audit.settings_problems(settings(tmp_path, **changes))
    assert len(problems) == 1 and says in problems[0], problems


def test_history_settings_that_work(tmp_path):
    assert _audit.settings_problems(settings(tmp_path, history="", history_days=7, warn_on_projection=True)) == []
    assert _audit.settings_problems(settings(tmp_path, history=str(tmp_path / "new" / "h.jsonl"))) == []
    assert _audit.history_settings({"history": ""}) is None
    assert _audit.history_settings({"history": str(tmp_path / "h.jsonl"), "history_days": 3,
                                    "warn_on_projection": False}) == {
        "path": str(tmp_path / "h.jsonl"), "days": 3, "warn_on_projection": False}


def test_the_merge_carries_the_platforms_the_trends_and_the_history():
    first = json.loads(json.dumps(mixed_fleet()))
    first["history"] = {"path": "/a.jsonl", "days": 7, "warn_on_projection": True}
    second = slice_report(["z"], "run-z")
    second["history"] = {"path": "/b.jsonl", "days": 7, "warn_on_projection": True}
    second["operations"][0]["trend"] = {"before_reset": True}
    merged = _audit.merge([first, second], now=NOW)
    assert merged["history"] == {"path": None, "days": 7, "warn_on_projection": True}
    assert merged["summary"]["platforms"] == {"contact_center": 6, "crm": 1}
    assert merged["projected_exhaustion"] == ["z"]
    second["history"]["warn_on_projection"] = False
    with pytest.raises(_audit.AuditError, match="kept their history with different settings"):
        _audit.merge([first, second], now=NOW)
    # a report of schema version 3 (contact-center operations only) merges with the newer ones
    old = slice_report(["y"], "run-y")
    old["schema_version"] = 3
    for key in ("history", "projected_exhaustion"):
        old.pop(key)
    for op in old["operations"]:
        for key in ("platform", "crm_operation", "trend"):
            op.pop(key)
    merged = _audit.merge([first, old], now=NOW)
    assert next(op for op in merged["operations"] if op["operation"] == "y")["platform"] == "contact_center"
