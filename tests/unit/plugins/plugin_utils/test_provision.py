# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provision role's checks, records, fleet change report and its four formats, and the export."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
import yaml

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _provision

NOW = datetime.datetime(2026, 11, 23, 12, 0, 0)
SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
SECRET = "Sup3r#Secret-9"


def ok(changes=(), api_calls=1, warnings=None, **extra):
    result = {"changed": bool(changes), "before": [], "after": [], "changes": list(changes), "api_calls": api_calls}
    if warnings:
        result["warnings"] = warnings
    result.update(extra)
    return result


def failure(kind, msg="it failed", changes=None, api_calls=1):
    """A module failure as the role registers it: failed_when: false leaves failed false."""
    result = {"failed": False, "failed_when_result": False, "changed": False, "msg": msg, "error_kind": kind,
              "api_calls": api_calls}
    if changes is not None:
        result["changes"] = changes
    return result


CREATE = {"action": "create", "key": "111", "after": {"dni": "111", "name": "Ana", "sso": ""}, "password": "given"}
UPDATE = {"action": "update", "key": "222", "id": "1002", "before": {"name": "Luis"}, "after": {"name": "Luis Gomez"}}
ADD_IP = {"action": "add", "key": "203.0.113.9", "after": {"ip": "203.0.113.9", "permanent": True, "description": ""}}


# -- states and declarations ------------------------------------------------------------------------------------------

def test_one_state_for_every_declared_resource_or_a_mapping_with_merged_for_the_rest():
    assert _provision.states("overridden", ["agents", "dnc"]) == {"agents": "overridden", "dnc": "overridden"}
    assert _provision.states({"agents": "overridden"}, ["agents", "dnc"]) == {"agents": "overridden", "dnc": "merged"}
    assert _provision.states(None, ["skills"]) == {"skills": "merged"}
    plan = _provision.plan({"state": "merged", "module_state": "enabled", "agents_allow_disable_all": True},
                           {"agents": [], "dnc": "", "skills": None})
    assert plan == {"allowed_ips": "", "agents": "merged", "skills": "", "activity_codes": "", "dnc": "",
                    "campaigns": "", "module_state": "enabled", "problems": [], "declared": {"agents": []}}


@pytest.mark.parametrize("state, words", [
    ("deleted", "wolkvox_provision_state is 'deleted': give merged, replaced, overridden"),
    ({"agent": "merged"}, "wolkvox_provision_state names agent: its keys are allowed_ips, agents"),
    ({"agents": "gathered"}, "wolkvox_provision_state has agents: 'gathered'"),
    (["merged"], "wolkvox_provision_state is a list"),
])
def test_a_state_that_makes_no_sense_is_refused_saying_what_is_accepted(state, words):
    with pytest.raises(_provision.ProvisionError, match=words.replace("(", r"\(").replace(")", r"\)")):
        _provision.states(state)
    plan = _provision.plan({"state": state}, {"agents": [{"dni": "1"}]})
    assert plan["agents"] == "merged" and plan["problems"][0].startswith(words.split(":")[0])


def test_declarations_are_checked_with_the_modules_own_validation_in_the_role_variables_words():
    host = {
        "wolkvox_provision_state": {"agents": "overridden", "dnc": "overridden"},
        "wolkvox_provision_agents": [],
        "wolkvox_provision_dnc": [{"phone": "300-abc", "direction": "inbound"}],
        "wolkvox_provision_allowed_ips": [{"ip": "203.0.113.7", "comment": "x"}],
        "wolkvox_provision_campaigns": [{"name": "A", "start_time": "25:00:00"}],
        "wolkvox_provision_skills": "Sales",
        "wolkvox_provision_module_state": "on",
    }
    problems = _provision.host_problems(host)
    text = "\n".join(problems)
    assert "wolkvox_provision_module_state is 'on'" in text
    assert "wolkvox_provision_agents: [] would disable every agent" in text
    assert "set wolkvox_provision_agents_allow_disable_all: true to confirm" in text
    assert "wolkvox_provision_dnc[0].phone" in text
    assert "wolkvox_provision_allowed_ips[0] has an unknown attribute comment" in text
    assert "wolkvox_provision_campaigns[0].start_time" in text
    assert "wolkvox_provision_skills is a str: give a list" in text
    confirmed = dict(host, wolkvox_provision_agents_allow_disable_all=True)
    assert not any("disable every agent" in problem for problem in _provision.host_problems(confirmed))


def test_an_unset_declaration_is_left_alone_and_a_valid_one_passes():
    assert _provision.host_problems({}) == []
    assert _provision.host_problems({"wolkvox_provision_agents": None, "wolkvox_provision_dnc": ""}) == []
    assert _provision.host_problems({"wolkvox_provision_agents": [{"dni": "1", "name": "A", "password": SECRET}],
                                     "wolkvox_provision_dnc": [{"phone": "+57 300 123", "direction": "outbound"}]}) == []


def test_a_password_never_shows_in_a_problem():
    problems = _provision.host_problems({"wolkvox_provision_agents": [
        {"dni": "1", "name": "A", "password": {"value": SECRET}}, {"dni": "1", "password": SECRET}]})
    assert problems and not any(SECRET in problem for problem in problems)


def test_the_plan_says_what_is_wrong_with_the_settings_and_the_declarations_and_holds_no_declaration(tmp_path):
    settings = {"state": "overridden", "module_state": "", "report_dir": str(tmp_path), "report_name": "r",
                "report_formats": ["json"], "generated_passwords_file": "", "agents_allow_disable_all": False}
    plan = _provision.plan(settings, {"agents": [{"dni": "1", "password": SECRET}], "dnc": []})
    assert plan["agents"] == plan["dnc"] == "overridden" and plan["module_state"] == ""
    assert plan["problems"] == ["state overridden with wolkvox_provision_dnc: [] would remove every do-not-call number of the operation "
                                "(both directions): set wolkvox_provision_dnc_allow_remove_all: true to confirm, or "
                                "list the do-not-call numbers to keep"]
    assert plan["declared"] == {}  # nothing to send
    assert SECRET not in json.dumps(dict(plan, declared=None))
    wrong = _provision.plan(dict(settings, report_name="a/b", module_state="on"), {})
    assert len(wrong["problems"]) == 2 and wrong["module_state"] == ""


def test_settings_problems_name_the_operation_and_the_report_settings(tmp_path):
    afile = tmp_path / "file"
    afile.write_text("x")
    settings = {"report_dir": str(afile), "report_name": ".hidden", "report_formats": ["json", "pdf"]}
    problems = _provision.settings_problems(settings, ["op1", "op2"], [{}, {"wolkvox_provision_state": "x"}])
    assert len(problems) == 4
    assert problems[-1].startswith("op2: wolkvox_provision_state is 'x'")
    assert _provision.settings_problems({"report_dir": str(tmp_path / "new" / "dir"), "report_name": "r"}) == []


# -- one operation ------------------------------------------------------------------------------------------------------

def test_an_operation_as_declared_is_unchanged_and_counts_its_reads():
    record = _provision.operation({"agents": ok(), "dnc": ok(api_calls=1), "skills": SKIPPED},
                                  "op", {"agents": "merged", "dnc": "overridden"})
    assert record["status"] == "unchanged" and record["api_calls"] == 2 and record["writes"] == 0
    assert [r["resource"] for r in record["resources"]] == ["agents", "dnc"]
    assert record["left_alone"] == ["allowed_ips", "skills", "activity_codes", "campaigns", "module_state"]
    assert record["summary"] == "op: unchanged - 2 resources as declared"


def test_the_records_of_a_batch_come_from_each_hosts_registered_results_in_one_call():
    from ansible_collections.wolkvox.wolkvox.plugins.filter.provision import (  # pylint: disable=import-outside-toplevel
        provision_operations,
    )
    plan = {"allowed_ips": "merged", "agents": "overridden", "problems": [], "declared": {"agents": []}}
    hostvars = {
        "a": {"__provision_plan": plan, "__provision_allowed_ips": ok([ADD_IP], api_calls=2),
              "__provision_agents": ok(), "__provision_skills": SKIPPED, "wolkvox_token": "not read"},
        "b": {"__provision_plan": plan, "__provision_allowed_ips": ok(), "__provision_agents": ok()},
        "c": {"wolkvox_token": "its tasks did not run"},
    }
    records = provision_operations(["b", "a", "c"], hostvars, True)
    assert records == [_provision.operation({"allowed_ips": ok(), "agents": ok()}, "b", plan, True),
                       _provision.operation({"allowed_ips": ok([ADD_IP], api_calls=2), "agents": ok(),
                                             "skills": SKIPPED}, "a", plan, True)]
    assert [(record["operation"], record["status"], record["api_calls"]) for record in records] == [
        ("b", "unchanged", 2), ("a", "drift", 3)]
    # the host whose tasks did not run is failed by the fleet report, as before
    fleet = _provision.fleet(records, hosts=["a", "b", "c"], check_mode=True, run_id="r")
    assert [(op["operation"], op["status"]) for op in fleet["operations"]] == [
        ("a", "drift"), ("b", "unchanged"), ("c", "failed")]


def test_the_plan_checks_the_variables_against_the_role_argument_specification_first():
    settings = {"state": "merged", "report_formats": ["json"]}
    refused = _provision.plan(settings, {"dnc": [{"phone": "573001112233", "direction": "inbound"}]}, {
        "wolkvox_provision_publish_stats": "maybe",
        "wolkvox_provision_report_formats": ["json", "pdf"],
        "wolkvox_provision_dnc": [{"phone": "573001112233", "direction": "sideways"}],
        "wolkvox_provision_hosts": "not an argument of the role",
    })
    assert refused["declared"] == {} and refused["dnc"] == "" and len(refused["problems"]) == 1
    problem = refused["problems"][0]
    assert problem.startswith("the role's argument specification refuses them: ")
    assert "wolkvox_provision_publish_stats" in problem and "bool" in problem
    assert "wolkvox_provision_report_formats" in problem and "pdf" in problem
    assert "direction" in problem and "sideways" in problem
    assert "wolkvox_provision_hosts" not in problem
    # what the specification accepts goes on to the modules' own checks
    accepted = _provision.plan(settings, {"dnc": [{"phone": "573001112233", "direction": "inbound"}]}, {
        "wolkvox_provision_publish_stats": "yes", "wolkvox_provision_dnc": [{"phone": "573001112233",
                                                                            "direction": "inbound"}]})
    assert accepted["problems"] == [] and accepted["dnc"] == "merged"


def test_the_role_argument_specification_is_found_beside_the_plugins():
    options = _provision.role_spec()
    assert options["wolkvox_provision_dnc"]["options"]["direction"]["choices"] == ["inbound", "outbound"]


def test_changes_made_and_drift_predicted():
    results = {"allowed_ips": ok([ADD_IP], api_calls=2), "agents": ok([CREATE, UPDATE], api_calls=3)}
    plan = {"allowed_ips": "merged", "agents": "overridden"}
    record = _provision.operation(results, "op", plan)
    assert record["status"] == "changed" and record["writes"] == 3 and record["changes"] == 3
    drift = _provision.operation({"allowed_ips": ok([ADD_IP]), "agents": ok([CREATE, UPDATE])}, "op", plan,
                                 check_mode=True)
    assert drift["status"] == "drift" and drift["writes"] == 0 and drift["changes"] == 3
    assert [r["status"] for r in drift["resources"]] == ["drift", "drift"]
    assert drift["resources"][1]["message"] == "2 changes would be made"


def test_a_failure_part_way_says_what_was_applied_and_the_next_resources_are_not_run():
    changes = [dict(CREATE, applied=True), dict(UPDATE, applied=False, error="TOKEN LIMIT EXCEEDED")]
    results = {"allowed_ips": ok(), "agents": failure("quota", "quota spent", changes, api_calls=3),
               "skills": SKIPPED, "campaigns": SKIPPED}
    record = _provision.operation(results, "op", {"allowed_ips": "merged", "agents": "merged", "skills": "merged",
                                                  "campaigns": "merged"})
    agents = record["resources"][1]
    assert record["status"] == "failed" and record["writes"] == 1
    assert (agents["status"], agents["applied"], agents["not_applied"], agents["error_kind"]) == ("failed", 1, 1, "quota")
    assert agents["message"] == "FAILED: 1 of 2 changes applied before it stopped; quota spent"
    assert [r["status"] for r in record["resources"][2:]] == ["not_run", "not_run"]
    assert "agents of this operation failed first" in record["resources"][2]["message"]
    assert record["failure"] == "FAILED: 1 of 2 changes applied before it stopped; quota spent (wolkvox_provision_agents)"
    assert _provision.halted({"allowed_ips": ok(), "agents": results["agents"]})


def test_a_refused_token_before_any_read_is_a_failure_with_nothing_applied():
    record = _provision.operation({"allowed_ips": failure("invalid_token", "PLEASE VALIDATE TOKEN")}, "op",
                                  {"allowed_ips": "merged"})
    assert record["status"] == "failed" and record["resources"][0]["message"] == "FAILED: PLEASE VALIDATE TOKEN"
    # a module that refused its arguments (fast path) returns no error_kind: no result is a failure too
    assert _provision.operation({"dnc": {"failed": False, "msg": "Unsupported parameters"}}, "op",
                                {"dnc": "merged"})["status"] == "failed"


def test_in_check_mode_what_names_items_a_prerequisite_would_create_is_blocked_not_failed():
    results = {"agents": ok([CREATE]),
               "skills": failure("bad_option", "config[0].agents[0]: no agent has dni 111 on the platform"),
               "campaigns": failure("bad_option", "config[0].skill: no skill is named Ventas")}
    plan = {"agents": "merged", "skills": "merged", "campaigns": "merged"}
    assert not _provision.halted(results, check_mode=True)
    assert _provision.halted(results, check_mode=False)
    record = _provision.operation(results, "op", plan, check_mode=True)
    skills = record["resources"][1]
    assert record["status"] == "drift" and skills["status"] == "blocked"
    assert "wolkvox_provision_skills[0].agents[0]: no agent has dni 111" in skills["message"]
    assert record["resources"][2]["status"] == "blocked"
    # without a create before it, the same failure is a failure
    assert _provision.operation(dict(results, agents=ok()), "op", plan, check_mode=True)["status"] == "failed"


def test_the_module_state_cannot_be_read_so_check_mode_says_unknown():
    plan = {"module_state": "disabled"}
    check = _provision.operation({"module_state": {"changed": True, "state": "disabled", "api_calls": 0,
                                                   "msg": "check mode"}}, "op", plan, check_mode=True)
    assert check["status"] == "unchanged" and check["resources"][0]["status"] == "unknown"
    real = _provision.operation({"module_state": {"changed": True, "state": "disabled", "api_calls": 1,
                                                  "msg": "The x module has been disabled"}}, "op", plan)
    assert real["status"] == "changed" and real["writes"] == 1
    assert real["resources"][0]["changes"][0]["action"] == "disable"
    already = _provision.operation({"module_state": {"changed": False, "state": "disabled", "api_calls": 1,
                                                     "msg": "already disabled"}}, "op", plan)
    assert already["status"] == "unchanged"


def test_warnings_name_their_operation_and_control_characters_are_escaped():
    record = _provision.operation({"agents": ok(warnings=["retried \x1b[31m"])}, "op", {"agents": "merged"})
    assert record["warnings"] == ["op: retried \\x1b[31m"]


# -- the fleet and its reports ---------------------------------------------------------------------------------------------

def fleet_of(check_mode=False, **kwargs):
    records = [
        _provision.operation({"agents": ok(), "dnc": ok()}, "a-same", {"agents": "merged", "dnc": "merged"}, check_mode),
        _provision.operation({"agents": ok([CREATE, UPDATE])}, "b-change", {"agents": "merged"}, check_mode),
        _provision.operation({"allowed_ips": failure("invalid_token", "PLEASE VALIDATE TOKEN"), "agents": SKIPPED},
                             "c-fail", {"allowed_ips": "merged", "agents": "merged"}, check_mode),
        _provision.operation({}, "d-nothing", {}, check_mode),
    ]
    hosts = ["a-same", "b-change", "c-fail", "d-nothing", "e-never"]
    return _provision.fleet(records, hosts, check_mode=check_mode, run_id="run-1", now=NOW, **kwargs)


def test_the_fleet_counts_every_operation_and_fails_the_failed_ones():
    report = fleet_of()
    summary = report["summary"]
    assert (summary["operations"], summary["unchanged"], summary["changed"], summary["failed"]) == (5, 2, 1, 2)
    assert summary["status"] == "failed" and summary["writes"] == 2 and summary["api_calls"] == 4
    assert report["failing"] == ["c-fail", "e-never"]
    assert report["operations"][-1]["summary"].startswith("e-never: failed - not provisioned")
    drift = fleet_of(check_mode=True, fail_on_drift=True)
    assert drift["summary"]["drift"] == 1 and drift["failing"] == ["b-change", "c-fail", "e-never"]
    assert fleet_of(check_mode=True)["failing"] == ["c-fail", "e-never"]


def test_a_limited_run_and_later_batches_make_a_partial_report():
    record = _provision.operation({"agents": ok()}, "a", {"agents": "merged"})
    report = _provision.fleet([record], ["a", "b"], active=["a", "b"], batch=["a"], group="wolkvox",
                              group_hosts=["a", "b", "c"], limit="a,b", now=NOW)
    assert report["partial"] and report["limited"] and report["missing"] == ["c"] and report["pending"] == ["b"]
    assert [op["operation"] for op in report["operations"]] == ["a"]


def test_collect_keeps_the_batches_of_one_run_together():
    one = _provision.collect({}, [{"operation": "a"}], "run")
    two = _provision.collect(one, [{"operation": "b"}], "run")
    assert sorted(two["records"]) == ["a", "b"]
    assert sorted(_provision.collect(two, [{"operation": "a"}], "run")["records"]) == ["a"]
    assert sorted(_provision.collect(two, [{"operation": "c"}], "other")["records"]) == ["c"]


def test_junit_has_a_case_per_operation_and_declared_resource_with_counts_computed_in_python():
    report = fleet_of(check_mode=True)
    xml = _provision.render(report, "junit")
    root = ET.fromstring(xml)
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    outcome = {(case.get("classname"), case.get("name")): [child.tag for child in case] for case in cases}
    assert outcome == {
        ("a-same", "agents"): ["system-out"], ("a-same", "dnc"): ["system-out"],
        ("b-change", "agents"): ["failure"],
        ("c-fail", "allowed_ips"): ["failure"], ("c-fail", "agents"): ["skipped"],
        ("d-nothing", "provision"): ["skipped"], ("e-never", "provision"): ["failure"],
    }
    counts = _provision.junit_counts(report)
    assert counts == {"tests": 7, "failures": 3, "errors": 0, "skipped": 2}
    for element in (root, suite):
        assert {key: int(element.get(key)) for key in counts} == counts
    failure = next(case for case in cases if case.get("classname") == "b-change").find("failure")
    assert failure.get("type") == "drift" and "create 111" in failure.text and "update 222: name Luis -> Luis Gomez" in failure.text
    properties = {prop.get("name"): prop.get("value") for prop in suite.find("properties")}
    assert properties["run_id"] == "run-1" and properties["check_mode"] == "true"
    real = ET.fromstring(_provision.render(fleet_of(), "junit"))
    assert [case.find("failure").get("type") for case in real.iter("testcase") if case.find("failure") is not None] == [
        "failed", "failed"]


def test_the_four_formats_carry_the_run_id_and_escape_what_the_platform_sent():
    hostile = _provision.operation({"agents": ok([dict(UPDATE, after={"name": "<script>x</script>"})])}, "o|p&<b>",
                                   {"agents": "merged"})
    report = _provision.fleet([hostile], ["o|p&<b>"], run_id="run-9", now=NOW)
    assert json.loads(_provision.render(report, "json"))["run_id"] == "run-9"
    markdown = _provision.render(report, "markdown")
    assert markdown.startswith("# wolkvox provision: changed\n") and "Run id: `run-9`" in markdown
    assert "| o\\|p&<b> | changed |" in markdown
    page = _provision.render(report, "html")
    assert '<meta name="wolkvox-provision-run-id" content="run-9">' in page
    assert "<script" not in page and "&lt;script&gt;" in page
    for external in ("<link", "<img", "url(", "@import", "src="):
        assert external not in page
    ET.fromstring(_provision.render(report, "junit"))
    assert _provision.summary_lines(report)[0] == (
        "1 operation: 0 unchanged, 1 changed, 0 failed; 1 API call, 1 write, 1 change")
    with pytest.raises(_provision.ProvisionError, match="pdf"):
        _provision.render(report, "pdf")


def test_describe_change_never_shows_a_password_and_summarises_big_requests():
    assert _provision.describe_change(dict(CREATE, password="given")) == "create 111 (name Ana)"
    dnc = {"action": "add", "direction": "outbound", "count": 10000, "numbers": [str(n) for n in range(100)],
           "truncated": True, "applied": False}
    assert _provision.describe_change(dnc) == "add 10000 outbound numbers: 0, 1, 2, 3, 4, ... [NOT applied]"
    codes = {"action": "remove", "group": "main", "codes": ["030", "031"], "covers": ["main/030", "main/031"]}
    assert _provision.describe_change(codes) == "remove main codes 030, 031"


# -- the export ----------------------------------------------------------------------------------------------------------

INFO = {
    "changed": False, "api_calls": 9,
    "gather_subset": ["agents", "allowed_ips", "skills", "activity_codes", "dnc", "campaigns"],
    "allowed_ips": [{"ip": "203.0.113.7", "permanent": True, "description": "office"},
                    {"ip": "198.51.100.20", "permanent": False, "description": "vpn"}],
    "agents": [{"dni": "0010204", "id": "12990", "name": "Dana Ruiz", "sso": "", "enabled": False},
               {"dni": "0010203", "id": "12989", "name": "Phoenix Jones", "sso": "", "enabled": True},
               {"dni": "77", "id": "3", "name": "Twin A", "sso": "", "enabled": True},
               {"dni": "77", "id": "4", "name": "Twin B", "sso": "", "enabled": True}],
    "skills": [{"name": "Retencion", "id": "2", "description": "retention", "agents": []},
               {"name": "Cobranzas", "id": "1", "description": "collections",
                "agents": [{"id": "12989", "expertise": 5}, {"id": "3", "expertise": 2}, {"id": "999", "expertise": 1}]},
               {"name": "2024", "id": "5", "description": "", "agents": []}],
    "activity_codes": [{"group": "alternate", "code": "021", "description": "Wrong number", "hit": False, "rpc": False,
                        "chat": False, "studio": False, "voice": True, "interactions": False},
                       {"group": "main", "code": "020", "description": "Promise", "hit": True, "rpc": True,
                        "chat": True, "studio": False, "voice": True, "interactions": False}],
    "dnc": [{"phone": "3109876543", "direction": "outbound"}, {"phone": "3001234567", "direction": "inbound"},
            {"phone": "999", "direction": "outbound"}],
    "campaigns": [{"name": "Mora 30", "id": "23910", "type": "predictive", "description": "late", "skill": "1",
                   "start_time": "08:00:00", "end_time": "18:00:00", "status": "started", "speed": 80},
                  {"name": "Year", "id": "23912", "type": "preview", "description": "", "skill": "5",
                   "start_time": "08:00:00", "end_time": "18:00:00", "status": None, "speed": None},
                  {"name": "Survey", "id": "23911", "type": "preview", "description": "", "skill": "",
                   "start_time": "08:00:00", "end_time": "18:00:00", "status": "stopped", "speed": 100}],
}


def test_the_export_holds_exactly_the_role_variables_sorted_without_ids_tokens_or_passwords():
    text = _provision.export(INFO, "cali", "2026-11-23T12:00:00Z")
    header, body = text.split("---\n", 1)
    assert "# exported 2026-11-23T12:00:00Z by wolkvox.wolkvox.export with 9 API calls" in header
    assert all(line.startswith("#") for line in header.splitlines())
    data = yaml.safe_load(body)
    assert sorted(data) == list(data) == ["wolkvox_provision_activity_codes", "wolkvox_provision_agents",
                                          "wolkvox_provision_allowed_ips", "wolkvox_provision_campaigns",
                                          "wolkvox_provision_dnc", "wolkvox_provision_skills"]
    assert [item["ip"] for item in data["wolkvox_provision_allowed_ips"]] == ["198.51.100.20", "203.0.113.7"]
    assert data["wolkvox_provision_agents"][0] == {"dni": "0010203", "name": "Phoenix Jones", "sso": "", "enabled": True}
    # an id only where it tells apart two agents with one dni
    assert [agent.get("id") for agent in data["wolkvox_provision_agents"]] == [None, None, "3", "4"]
    assert [(code["group"], code["code"]) for code in data["wolkvox_provision_activity_codes"]] == [
        ("main", "020"), ("alternate", "021")]
    assert [(item["direction"], item["phone"]) for item in data["wolkvox_provision_dnc"]] == [
        ("inbound", "3001234567"), ("outbound", "999"), ("outbound", "3109876543")]
    skills = {skill["name"]: skill for skill in data["wolkvox_provision_skills"]}
    assert "id" not in skills["Cobranzas"]
    # by dni where the dni names one agent; by id for a dni two agents have, or an agent no longer listed
    assert skills["Cobranzas"]["agents"] == [{"dni": "0010203", "expertise": 5}, {"id": "3", "expertise": 2},
                                             {"id": "999", "expertise": 1}]
    campaigns = {item["name"]: item for item in data["wolkvox_provision_campaigns"]}
    assert campaigns["Mora 30"] == {"name": "Mora 30", "type": "predictive", "description": "late", "skill": "Cobranzas",
                                    "start_time": "08:00:00", "end_time": "18:00:00", "status": "started", "speed": 80}
    assert campaigns["Year"]["skill"] == "5" and "status" not in campaigns["Year"]  # a digit name would read as an id
    assert campaigns["Survey"]["skill"] == ""
    assert "token" not in body and "password" not in body
    # codes, numbers, dnis and times stay text when edited: quoted
    assert "code: '020'" in body and "phone: '999'" in body and "start_time: '08:00:00'" in body


def test_the_export_is_stable_and_an_unchanged_operation_keeps_its_file():
    first = _provision.export(INFO, "cali", "2026-11-23T12:00:00Z")
    shuffled = dict(INFO, agents=list(reversed(INFO["agents"])), dnc=list(reversed(INFO["dnc"])))
    assert _provision.export(shuffled, "cali", "2026-11-23T12:00:00Z") == first
    assert _provision.export(shuffled, "cali", "2026-12-01T00:00:00Z", previous=first) == first
    changed = dict(INFO, dnc=INFO["dnc"][:1])
    assert _provision.export(changed, "cali", "2026-12-01T00:00:00Z", previous=first) != first


def test_an_empty_resource_is_exported_with_what_confirms_it():
    info = {"gather_subset": ["agents", "dnc", "allowed_ips"], "agents": [], "dnc": [], "allowed_ips": [],
            "api_calls": 3}
    data = yaml.safe_load(_provision.export_body(info))
    assert data == {"wolkvox_provision_agents": [], "wolkvox_provision_agents_allow_disable_all": True,
                    "wolkvox_provision_allowed_ips": [], "wolkvox_provision_dnc": [],
                    "wolkvox_provision_dnc_allow_remove_all": True}
    host = dict(data, wolkvox_provision_state="overridden")
    assert _provision.host_problems(host) == []


def test_what_the_export_writes_passes_the_modules_validation_with_overridden():
    data = yaml.safe_load(_provision.export_body(dict(INFO, agents=INFO["agents"][:2])))
    assert _provision.host_problems(dict(data, wolkvox_provision_state="overridden")) == []


def test_only_the_subsets_read_are_written_and_without_agents_skills_name_theirs_by_id():
    info = {"gather_subset": ["skills", "campaigns"], "skills": INFO["skills"], "campaigns": INFO["campaigns"][:1]}
    data = yaml.safe_load(_provision.export_body(info))
    assert sorted(data) == ["wolkvox_provision_campaigns", "wolkvox_provision_skills"]
    cobranzas = next(skill for skill in data["wolkvox_provision_skills"] if skill["name"] == "Cobranzas")
    assert cobranzas["agents"][0] == {"id": "12989", "expertise": 5}
    assert data["wolkvox_provision_campaigns"][0]["skill"] == "Cobranzas"


def test_the_export_settings_are_checked_before_any_api_call(tmp_path):
    problems = _provision.export_problems({"dir": "", "subsets": ["agents", "token"], "operations": ["ok", "../x"]})
    assert len(problems) == 3 and problems[0].startswith("wolkvox_export_dir is not set")
    assert _provision.export_problems({"dir": str(tmp_path), "subsets": ["dnc"], "operations": ["a"]}) == []
