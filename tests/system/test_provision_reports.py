# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provision role's fleet change report, read the way its consumers read it, and its secrets at -vvvv.

`make system` runs this with the collection on ANSIBLE_COLLECTIONS_PATH: `ansible-playbook wolkvox.wolkvox.provision`
provisions a small fleet against the simulator (one operation from nothing, one with drift, one whose token is revoked,
one whose quota runs out part-way), in check mode then for real, both at -vvvv with --diff; the JUnit XML is read
with junitparser, and no password or token may show anywhere. Then `wolkvox.wolkvox.export` and provisioning its
files with overridden change nothing, and a wrong declaration stops every operation before any API call.
"""

import json
import os

import pytest
import yaml
from junitparser import Failure, JUnitXml, Skipped

from conftest import Simulator, playbook

PASSWORDS = ["System#Pass%d" % number for number in range(1, 5)]
TOKENS = {"fresh": "system-fresh-3c1d2e", "drifted": "system-drifted-8f7a6b", "revoked": "system-revoked-5e4d3c",
          "spent": "system-spent-2b1a0f"}
FIXTURE = {"operations": [
    {"name": "fresh", "licenses": 1, "tokens": [{"name": "fresh", "token": TOKENS["fresh"]}]},
    {"name": "drifted", "licenses": 1, "tokens": [{"name": "drifted", "token": TOKENS["drifted"]}],
     "allowed_ips": [{"ip": "192.0.2.50", "permanent": "no", "description": "by hand"}],
     "agents": [{"agent_id": "1001", "agent_name": "Old  Name", "agent_dni": "501", "enabled": "no"}]},
    {"name": "revoked", "licenses": 1, "tokens": [{"name": "revoked", "token": TOKENS["revoked"], "revoked": True}]},
    # get_ip, add_ip, the agents' read and one create: then the quota is spent
    {"name": "spent", "licenses": 1, "tokens": [{"name": "spent", "token": TOKENS["spent"], "limit": 4}]},
]}
DECLARED = {
    "fresh": {
        "wolkvox_provision_allowed_ips": [{"ip": "203.0.113.7", "permanent": True, "description": "office"}],
        "wolkvox_provision_agents": [{"dni": "101", "name": "Ana Perez", "password": PASSWORDS[0]},
                                     {"dni": "102", "name": "Luis Gomez", "password": PASSWORDS[1]}],
        "wolkvox_provision_dnc": [{"phone": "3001234567", "direction": "outbound"}],
    },
    "drifted": {
        "wolkvox_provision_state": {"allowed_ips": "overridden", "agents": "merged"},
        "wolkvox_provision_allowed_ips": [],
        "wolkvox_provision_agents": [{"dni": "501", "name": "New Name", "enabled": True, "password": PASSWORDS[2]}],
    },
    "revoked": {"wolkvox_provision_agents": [{"dni": "301", "name": "Ivan", "password": PASSWORDS[3]}],
                "wolkvox_provision_dnc": [{"phone": "3000000000", "direction": "inbound"}]},
    "spent": {
        "wolkvox_provision_allowed_ips": [{"ip": "198.51.100.9"}],
        "wolkvox_provision_agents": [{"dni": "401", "name": "One", "password": PASSWORDS[0]},
                                     {"dni": "402", "name": "Two", "password": PASSWORDS[1]}],
        "wolkvox_provision_activity_codes": [{"group": "main", "code": "020", "description": "Sale"}],
    },
}


def inventory(path, url, reports, declared=True):
    hosts = {}
    for name, token in TOKENS.items():
        hosts[name] = dict(wolkvox_token=token, **(DECLARED[name] if declared else {}))
    settings = {"wolkvox_server": url, "wolkvox_provision_report_dir": str(reports), "ansible_connection": "local",
                "wolkvox_retries": 0}
    data = {"wolkvox": {"hosts": hosts, "vars": settings}}
    path.write_text(yaml.safe_dump(data))
    return str(path)


def junit_outcomes(path):
    xml = JUnitXml.fromfile(str(path))
    suite = next(iter(xml))
    cases = {(case.classname, case.name): case for case in suite}
    return suite, cases, {key: [type(result).__name__ for result in case.result] for key, case in cases.items()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Provision in check mode, then for real, both at -vvvv with --diff; yield what each left."""
    work = tmp_path_factory.mktemp("provision")
    sim = Simulator(work, FIXTURE)
    try:
        out = {}
        for name, extra in (("check", ["--check"]), ("real", [])):
            reports = work / ("reports-" + name)
            inv = inventory(work / ("inventory-%s.yml" % name), sim.url, reports)
            sim.admin("/_sim/requests", method="DELETE")
            sim.admin("/_sim/new-day", {})  # the check run's reads do not count against the real run's quota
            code, output = playbook(work, ["wolkvox.wolkvox.provision", "-i", inv, "--diff", "-vvvv"] + extra)
            out[name] = {"code": code, "output": output, "reports": reports, "log": sim.requests()}
        out["held"] = {name: sim.admin("/_sim/operations/" + name) for name in TOKENS}
        yield out
    finally:
        sim.stop()


def test_check_mode_writes_nothing_and_its_junit_fails_on_drift(runs):
    check = runs["check"]
    assert check["code"] == 2, check["output"][-3000:]  # the revoked token fails its operation, after the report
    assert [entry for entry in check["log"] if entry["method"] != "GET"] == []
    suite, cases, outcome = junit_outcomes(check["reports"] / "wolkvox-provision.junit.xml")
    assert outcome[("fresh", "allowed_ips")] == outcome[("fresh", "agents")] == outcome[("fresh", "dnc")] == ["Failure"]
    assert all(cases[("fresh", name)].result[0].type == "drift" for name in ("allowed_ips", "agents", "dnc"))
    assert outcome[("drifted", "allowed_ips")] == outcome[("drifted", "agents")] == ["Failure"]
    assert "remove 192.0.2.50" in cases[("drifted", "allowed_ips")].result[0].text
    assert "update 501: name 'Old  Name' -> New Name" in cases[("drifted", "agents")].result[0].text or \
        "update 501: name Old Name -> New Name" in cases[("drifted", "agents")].result[0].text
    assert outcome[("revoked", "agents")] == ["Failure"] and outcome[("revoked", "dnc")] == ["Skipped"]
    failure = cases[("revoked", "agents")].result[0]
    assert isinstance(failure, Failure) and failure.type == "failed" and "PLEASE VALIDATE TOKEN" in failure.message
    properties = {prop.name: prop.value for prop in suite.properties()}
    assert properties["check_mode"] == "true" and properties["writes"] == "0"
    report = json.loads((check["reports"] / "wolkvox-provision.json").read_text())
    assert properties["run_id"] == report["run_id"]
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (10, 9, 0, 1)
    assert "--- before" in check["output"]  # --diff shows the drift: the tasks are not no_log


def test_a_real_run_fails_only_the_failing_operations_and_says_what_was_applied(runs):
    real = runs["real"]
    assert real["code"] == 2
    for name, failed in (("fresh", 0), ("drifted", 0), ("revoked", 1), ("spent", 1)):
        assert "%s " % name in real["output"] and (" failed=%d " % failed) in next(
            line for line in real["output"].splitlines() if line.startswith(name + " ") and "failed=" in line)
    suite, cases, outcome = junit_outcomes(real["reports"] / "wolkvox-provision.junit.xml")
    assert outcome[("fresh", "agents")] == [] and "create 101" in cases[("fresh", "agents")].system_out
    assert outcome[("spent", "allowed_ips")] == [] and outcome[("spent", "agents")] == ["Failure"]
    assert outcome[("spent", "activity_codes")] == ["Skipped"]
    failure = cases[("spent", "agents")].result[0]
    assert failure.type == "failed" and "1 of 2 changes applied before it stopped" in failure.message
    assert "create 401 (name One) [applied]" in failure.text and "create 402 (name Two) [NOT applied]" in failure.text
    assert "spent: FAILED: 1 of 2 changes applied before it stopped; the operation's daily API quota is spent" in \
        real["output"]
    assert isinstance(cases[("spent", "activity_codes")].result[0], Skipped)
    assert (suite.tests, suite.failures, suite.skipped) == (10, 2, 2)
    report = json.loads((real["reports"] / "wolkvox-provision.json").read_text())
    assert report["summary"]["writes"] == sum(1 for entry in real["log"] if entry["method"] != "GET" and entry["charged"])
    assert [agent["agent_dni"] for agent in runs["held"]["spent"]["agents"]] == ["401"]
    assert runs["held"]["drifted"]["allowed_ips"] == []


def test_no_password_nor_token_shows_at_vvvv_in_the_output_the_reports_or_the_diff(runs):
    for name in ("check", "real"):
        texts = [runs[name]["output"]] + [path.read_text() for path in runs[name]["reports"].iterdir()]
        for secret in PASSWORDS + list(TOKENS.values()):
            assert not any(secret in text for text in texts), (name, secret)
        assert sorted(path.name for path in runs[name]["reports"].iterdir()) == [
            "wolkvox-provision.html", "wolkvox-provision.json", "wolkvox-provision.junit.xml", "wolkvox-provision.md"]


def test_export_then_overridden_changes_nothing_and_writes_nothing(tmp_path):
    fixture = {"operations": [dict(op) for op in FIXTURE["operations"] if op["name"] in ("drifted", "fresh")]}
    sim = Simulator(tmp_path, fixture)
    try:
        hosts = {"wolkvox": {"hosts": {name: {"wolkvox_token": TOKENS[name]} for name in ("drifted", "fresh")},
                             "vars": {"wolkvox_server": sim.url, "ansible_connection": "local",
                                      "wolkvox_provision_report_dir": str(tmp_path / "reports")}}}
        (tmp_path / "inventory.yml").write_text(yaml.safe_dump(hosts))
        code, output = playbook(tmp_path, ["wolkvox.wolkvox.export", "-i", "inventory.yml",
                                           "-e", "wolkvox_export_dir=host_vars"])
        assert code == 0, output[-3000:]
        exported = (tmp_path / "host_vars" / "fresh.yml").read_text()
        assert "wolkvox_provision_agents: []\nwolkvox_provision_agents_allow_disable_all: true" in exported
        sim.admin("/_sim/requests", method="DELETE")
        code, output = playbook(tmp_path, ["wolkvox.wolkvox.provision", "-i", "inventory.yml",
                                           "-e", "wolkvox_provision_state=overridden"])
        assert code == 0, output[-3000:]
        assert [entry["api"] for entry in sim.requests() if entry["method"] != "GET"] == []
        report = json.loads((tmp_path / "reports" / "wolkvox-provision.json").read_text())
        assert report["summary"]["unchanged"] == 2 and report["summary"]["writes"] == 0
        assert os.path.exists(tmp_path / "host_vars" / "drifted.yml")
    finally:
        sim.stop()


@pytest.mark.parametrize("declared, words", [
    # refused by the modules' own validation, in the role's check
    ({"wolkvox_provision_dnc": [{"phone": "300-CALL-NOW", "direction": "outbound"}]}, "wolkvox_provision_dnc[0].phone"),
    ({"wolkvox_provision_state": {"agent": "overridden"}}, "wolkvox_provision_state names agent"),
    # refused by the role's argument specification: any_errors_fatal stops the other operations too
    ({"wolkvox_provision_agents": [{"name": "no dni", "password": PASSWORDS[0]}]}, "dni"),
    ({"wolkvox_provision_publish_stats": "maybe"},
     "the role's argument specification refuses them: argument 'wolkvox_provision_publish_stats' is of type"),
])
def test_a_wrong_declaration_stops_every_operation_before_any_api_call(tmp_path, declared, words):
    fixture = {"operations": [dict(op) for op in FIXTURE["operations"] if op["name"] in ("drifted", "fresh")]}
    sim = Simulator(tmp_path, fixture)
    try:
        hosts = {"fresh": dict(DECLARED["fresh"], wolkvox_token=TOKENS["fresh"]),
                 "drifted": dict(declared, wolkvox_token=TOKENS["drifted"])}
        inv = {"wolkvox": {"hosts": hosts, "vars": {"wolkvox_server": sim.url, "ansible_connection": "local",
                                                    "wolkvox_provision_report_dir": str(tmp_path / "reports")}}}
        (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inv))
        code, output = playbook(tmp_path, ["wolkvox.wolkvox.provision", "-i", "inventory.yml", "-vvvv"])
        assert code != 0 and words in output, output[-3000:]
        assert sim.requests() == []  # not even the healthy operation was read
        assert not any(secret in output for secret in PASSWORDS)
    finally:
        sim.stop()
