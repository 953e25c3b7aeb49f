# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the audit says can be trusted: whole ansible-playbook runs of the collection against the simulator.

The operation's shared budget decides when it is the worse; nothing is claimed about routing points that were not
read; settings are checked before any request; serial batches and --limit give honest reports; the four reports are
one set that platform text can not break; a failed operation shows once, with its operation's name; a run that
audited nothing fails; the playbooks target the group `wolkvox`.
"""

import json
import re

import yaml
from junitparser import JUnitXml

from conftest import playbook

TOKENS = {"alpha": "trust-alpha-5d1c0b7e", "beta": "trust-beta-93ae4f10", "gamma": "trust-gamma-2b7c9e41",
          "delta": "trust-delta-c08d7a3f"}
FRESH = {"rp_id": "1", "rp_name": "Main", "ivr_active": "yes", "chat_active": "yes", "interaction_active": "yes",
         "crm_active": "no", "last_use_days_ago": 1}


def fleet(names=("alpha", "beta", "gamma"), **changes):
    """One operation per name, one license, one token each; ``changes[name]`` updates that operation."""
    operations = []
    for name in names:
        operation = {"name": name, "licenses": 1, "routing_points": [FRESH],
                     "tokens": [{"name": name, "token": TOKENS[name], "used_today": 0}]}
        operation.update(changes.get(name, {}))
        operations.append(operation)
    return {"operations": operations}


def inventory(workdir, url, names=("alpha", "beta", "gamma"), group="wolkvox", others=None, **settings):
    group_vars = {"wolkvox_server": url, "wolkvox_retries": 0, "wolkvox_audit_report_dir": str(workdir / "reports")}
    group_vars.update(settings)
    data = {group: {"hosts": {name: {"wolkvox_token": TOKENS[name]} for name in names}, "vars": group_vars}}
    data.update(others or {})
    path = workdir / "inventory.yml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def audit(workdir, inventory_path, *args):
    return playbook(workdir, ["wolkvox.wolkvox.audit", "-i", inventory_path] + list(args))


def report(workdir, name="wolkvox-audit"):
    return json.loads((workdir / "reports" / (name + ".json")).read_text())


def statuses(data):
    return {op["operation"]: op["status"] for op in data["operations"]}


def assert_quiet(output):
    """No fatal line, no [ERROR] and no '...ignoring' for operations the audit merely reports."""
    for noise in ("fatal:", "[ERROR]", "...ignoring", "FAILED!"):
        assert noise not in output, noise


# -- 1. the shared budget of the operation ---------------------------------------------------------------------------

def test_the_operations_shared_budget_decides_when_its_other_tokens_spent_it(tmp_path, simulator):
    # alpha's token used 600 of its 1000 uses, but another token of the operation used 370 more of the shared 1000
    sim = simulator(fleet(alpha={"tokens": [{"name": "alpha", "token": TOKENS["alpha"], "used_today": 600},
                                            {"name": "alpha-reports", "token": "trust-alpha-reports-77", "used_today": 370}]}))
    code, output = audit(tmp_path, inventory(tmp_path, sim.url))
    assert code == 0, output[-4000:]
    alpha = next(op for op in report(tmp_path)["operations"] if op["operation"] == "alpha")
    # 601 of the token's own uses with this read, 971 of the operation's
    assert alpha["status"] == "critical"
    message = ("29 of 1000 uses left today (2.9%): shared budget of the operation decided (its tokens used 971 today); "
               "the token's own budget has 399 left (39.9%)")
    assert alpha["checks"][0]["message"] == message
    keys = ("token_use_today", "all_token_today", "operation_use_today", "operation_available",
            "operation_usage_percent", "usage_percent", "available", "decided_by")
    assert {key: alpha["token"][key] for key in keys} == {
        "token_use_today": 601, "all_token_today": 971, "operation_use_today": 971, "operation_available": 29,
        "operation_usage_percent": 97.1, "usage_percent": 60.1, "available": 29, "decided_by": "operation"}
    assert "alpha: critical - " + message in output
    reports = tmp_path / "reports"
    # the reports people read say it in what is left, plainly; the JUnit XML keeps the technical reading below
    plain = "29 of 1000 left (2.9%), shared by the operation's tokens; this token alone has 399 left"
    assert plain in (reports / "wolkvox-audit.md").read_text()
    case = next(case for suite in JUnitXml.fromfile(str(reports / "wolkvox-audit.junit.xml")) for case in suite
                if (case.classname, case.name) == ("alpha", "token_budget"))
    assert case.result[0].type == "critical" and case.result[0].message == (
        "Nearly spent, 29 of 1000 left (2.9%): calls are refused once it runs out, until the daily reset.")
    assert message in case.result[0].text
    html = (reports / "wolkvox-audit.html").read_text()
    assert "29 of 1000 left (2.9%)" in html and "this token alone has 399 left" in html
    assert "39.9% left token · 2.9% left operation" in html


# -- 2 and 6. not read is not read; a failure shows once, quietly, with its operation's name ----------------------

def test_routing_points_that_were_not_read_are_reported_not_read_and_failures_show_once(tmp_path, simulator):
    sim = simulator(fleet(("alpha", "beta", "gamma", "delta"),
                          beta={"tokens": [{"name": "beta", "token": TOKENS["beta"], "used_today": 1000}]},
                          gamma={"tokens": [{"name": "gamma", "token": TOKENS["gamma"], "revoked": True}]}))
    sim.faults({"kind": "maintenance", "times": None, "token": "delta", "api": "token_info"},
               {"kind": "status", "status": 503, "times": 1, "token": "alpha", "api": "token_info"})
    code, output = audit(tmp_path, inventory(tmp_path, sim.url, ("alpha", "beta", "gamma", "delta"),
                                             wolkvox_retries=1))
    assert code == 0, output[-4000:]
    assert_quiet(output)
    data = report(tmp_path)
    assert statuses(data) == {"alpha": "ok", "beta": "critical", "gamma": "failed", "delta": "failed"}
    assert data["summary"]["routing_points_not_read"] == 3
    # the transient failure of delta's first call used its retries: the second call was not sent
    asked = [(entry["token"], entry["api"]) for entry in sim.requests()]
    assert ("delta", "routing_points") not in asked and asked.count(("delta", "token_info")) == 2
    delta = next(op for op in data["operations"] if op["operation"] == "delta")
    assert delta["checks"][1]["status"] == "unknown"
    assert delta["checks"][1]["message"].startswith("not read: the token check already failed (maintenance) after all")
    for name in ("report.md", "report.html"):
        text = (tmp_path / "reports" / name.replace("report", "wolkvox-audit")).read_text()
        assert "every routing point" not in text and "all are active and in use" not in text, name
        assert "for 3 of 4 operations, so nothing is known of their routing points: beta, delta, gamma" in text, name
    assert "routing points not read for 3 of 4 operations: beta, delta, gamma" in output
    # a failed operation shows once, in the summary, with its reason
    assert output.count("PLEASE VALIDATE TOKEN") == 1
    assert "gamma: failed - not read: the platform refused the token (HTTP 403 PLEASE VALIDATE TOKEN)" in output
    # the modules' warnings carry no operation name: the summary and the reports give it
    assert re.search(r"warning for alpha: wolkvox token_info: the platform failed to answer \(HTTP 503", output)
    assert "warning for delta: wolkvox token_info: the platform is in maintenance" in output
    assert any(warning.startswith("alpha: wolkvox token_info: the platform failed to answer (HTTP 503")
               for warning in data["warnings"])
    assert "- alpha: wolkvox token_info: the platform failed to answer (HTTP 503" in (
        tmp_path / "reports" / "wolkvox-audit.md").read_text()


# -- 3. settings checked before any API call ---------------------------------------------------------------------------

def test_inverted_thresholds_are_refused_before_any_request(tmp_path, simulator):
    sim = simulator(fleet())
    path = inventory(tmp_path, sim.url, wolkvox_audit_warning_available_percent=5,
                     wolkvox_audit_critical_available_percent=20)
    code, output = audit(tmp_path, path)
    assert code == 2, output[-4000:]
    assert sim.requests() == []
    assert ("wolkvox.wolkvox.audit: settings refused before any API call: wolkvox_audit_critical_available_percent "
            "(20.0) must not be above wolkvox_audit_warning_available_percent (5.0)") in output
    assert "0 <= critical <= warning <= 100" in output
    assert not (tmp_path / "reports").exists()


def test_a_report_dir_that_is_a_file_and_a_report_name_with_a_slash_are_refused_before_any_request(tmp_path, simulator):
    sim = simulator(fleet())
    (tmp_path / "taken").write_text("")
    path = inventory(tmp_path, sim.url, wolkvox_audit_report_dir=str(tmp_path / "taken"),
                     wolkvox_audit_report_name="reports/audit")
    code, output = audit(tmp_path, path)
    assert code == 2, output[-4000:]
    assert sim.requests() == []
    assert "wolkvox_audit_report_name must be a plain file name without extension" in output
    assert "is a file, not a directory: give a directory on the controller" in output


# -- 4. serial and --limit ---------------------------------------------------------------------------------------------

def test_serial_batches_never_publish_later_operations_as_failed(tmp_path, simulator):
    sim = simulator(fleet(gamma={"tokens": [{"name": "gamma", "token": TOKENS["gamma"], "used_today": 990}]}))
    history = tmp_path / "history.jsonl"
    path = inventory(tmp_path, sim.url, wolkvox_audit_history=str(history))
    play = [{"name": "Audit one operation at a time", "hosts": "wolkvox", "gather_facts": False, "serial": 1,
             "roles": [{"role": "wolkvox.wolkvox.audit"}]}]
    (tmp_path / "serial.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    code, output = playbook(tmp_path, ["-i", path, "serial.yml"])
    assert code == 0, output[-4000:]
    assert_quiet(output)
    # the first batch's report: alpha, and the two others pending, not failed
    assert "PARTIAL REPORT: 2 operations of this run are not audited yet (later serial batches): beta, gamma" in output
    assert "PARTIAL REPORT: 1 operations of this run are not audited yet (later serial batches): gamma" in output
    assert "no audit result" not in output and "did not run" not in output
    assert re.search(r'"1 operations: 1 ok, 0 warning, 0 critical, 0 failed', output)
    data = report(tmp_path)  # the last batch's report: every operation
    assert statuses(data) == {"alpha": "ok", "beta": "ok", "gamma": "critical"}
    assert (data["partial"], data["pending_operations"], data["summary"]["api_calls"]) == (False, 0, len(sim.requests()))
    # each batch wrote its own operations to the history: each operation once in the run
    lines = [json.loads(line) for line in history.read_text().splitlines()]
    assert [line["operation"] for line in lines] == ["alpha", "beta", "gamma"]
    assert [op["trend"]["readings_today"] for op in data["operations"]] == [1, 1, 1]


def test_a_limited_run_writes_a_partial_report_and_leaves_the_fleet_report_alone(tmp_path, simulator):
    sim = simulator(fleet())
    path = inventory(tmp_path, sim.url)
    code, output = audit(tmp_path, path)
    assert code == 0, output[-4000:]
    fleet_report = (tmp_path / "reports" / "wolkvox-audit.json").read_text()
    code, output = audit(tmp_path, path, "--limit", "beta")
    assert code == 0, output[-4000:]
    assert (tmp_path / "reports" / "wolkvox-audit.json").read_text() == fleet_report
    partial = report(tmp_path, "wolkvox-audit-partial")
    assert statuses(partial) == {"beta": "ok"}
    reason = "2 of the 3 operations of the inventory group wolkvox are not in this run (--limit beta): alpha, gamma"
    assert (partial["partial"], partial["limited"], partial["missing_operations"], partial["partial_reasons"]) == (
        True, True, 2, [reason])
    assert "PARTIAL REPORT: " + reason in output
    assert "report: %s" % (tmp_path / "reports" / "wolkvox-audit-partial.md") in output
    reports = tmp_path / "reports"
    assert "**Partial report:** " + reason in (reports / "wolkvox-audit-partial.md").read_text()
    assert reason in (reports / "wolkvox-audit-partial.html").read_text()
    suite = next(iter(JUnitXml.fromfile(str(reports / "wolkvox-audit-partial.junit.xml"))))
    properties = {prop.name: prop.value for prop in suite.properties()}
    assert (properties["partial"], properties["missing_operations"]) == ("true", "2")


# -- 5. the four reports are one set that platform text can not break ------------------------------------------------

def test_control_characters_from_the_platform_leave_the_junit_xml_valid(tmp_path, simulator):
    stale = dict(FRESH, rp_name="Main\x00\x1b[31m", last_use_days_ago=90)
    sim = simulator(fleet(alpha={"routing_points": [stale]}))
    sim.faults({"kind": "status", "status": 500, "msg": "busy\x0bnow", "times": None, "token": "beta",
                "api": "routing_points"})
    code, output = audit(tmp_path, inventory(tmp_path, sim.url))
    assert code == 0, output[-4000:]
    assert "\x1b" not in output and "\x00" not in output
    reports = tmp_path / "reports"
    cases = {(case.classname, case.name): case
             for suite in JUnitXml.fromfile(str(reports / "wolkvox-audit.junit.xml")) for case in suite}
    failure = cases[("alpha", "routing_points")].result[0]
    assert "Main\\x00\\x1b[31m: unused for 90 days" in failure.text
    error = cases[("beta", "routing_points")].result[0]
    assert "busy\\x0bnow" in error.text  # the technical reason, under the plain message
    for path in reports.iterdir():
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", path.read_text()), path.name
    run_ids = {json.loads((reports / "wolkvox-audit.json").read_text())["run_id"]}
    run_ids.add(re.search(r"Run id: `([^`]+)`", (reports / "wolkvox-audit.md").read_text()).group(1))
    run_ids.add(re.search(r'name="wolkvox-audit-run-id" content="([^"]+)"',
                          (reports / "wolkvox-audit.html").read_text()).group(1))
    run_ids.add(re.search(r'name="run_id" value="([^"]+)"', (reports / "wolkvox-audit.junit.xml").read_text()).group(1))
    assert len(run_ids) == 1


# -- 7. a run that audited nothing is not green --------------------------------------------------------------------

def test_a_run_where_no_operation_could_be_audited_fails_whatever_fail_on_says(tmp_path, simulator):
    sim = simulator(fleet())
    sim.faults({"kind": "drop", "times": None})
    code, output = audit(tmp_path, inventory(tmp_path, sim.url, wolkvox_audit_fail_on="never"))
    assert code == 2, output[-4000:]
    assert "no operation could be audited (3 of 3 failed): check wolkvox_server and the network between the " \
           "controller and the platform; first error, alpha: not read: " in output
    assert output.count("fatal:") == 1
    assert statuses(report(tmp_path)) == {"alpha": "failed", "beta": "failed", "gamma": "failed"}
    assert len(sim.requests()) == 3  # one each: the routing points read was spared after the network failure


# -- 9. the playbooks target the group wolkvox ---------------------------------------------------------------------

def test_the_playbooks_audit_and_provision_the_group_wolkvox_only(tmp_path, simulator):
    sim = simulator(fleet(("alpha", "beta", "gamma", "delta")))
    others = {"elsewhere": {"hosts": {"delta": {"wolkvox_token": TOKENS["delta"], "wolkvox_server": sim.url,
                                                "wolkvox_provision_module_state": "disabled"}}}}
    path = inventory(tmp_path, sim.url, ("alpha", "beta", "gamma"), others=others)
    code, output = audit(tmp_path, path)
    assert code == 0, output[-4000:]
    assert sorted(statuses(report(tmp_path))) == ["alpha", "beta", "gamma"]
    assert "delta" not in {entry["token"] for entry in sim.requests()}
    # another pattern, when asked
    code, output = audit(tmp_path, path, "-e", "wolkvox_hosts=elsewhere", "-e", "wolkvox_audit_fleet_group=elsewhere")
    assert code == 0, output[-4000:]
    # (in the default report directory: the group elsewhere sets none)
    assert statuses(json.loads((tmp_path / "wolkvox-audit" / "wolkvox-audit.json").read_text())) == {"delta": "ok"}
    # provision: a failed switch is reported once and fails its host, with no '...ignoring' noise before
    sim.admin("/_sim/tokens/beta", {"revoked": True})
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["wolkvox"]["vars"]["wolkvox_provision_module_state"] = "enabled"
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(data))
    sim.admin("/_sim/requests", method="DELETE")
    code, output = playbook(tmp_path, ["wolkvox.wolkvox.provision", "-i", path])
    assert code == 2, output[-4000:]
    assert "...ignoring" not in output and output.count("fatal:") == 1
    assert "beta: FAILED: the platform refused the token" in output
    assert sorted({entry["token"] for entry in sim.requests()}) == ["alpha", "beta", "gamma"]
