# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nothing is lost: every fault the platform can throw, seen through a whole audit run.

The fleet has three contact-center operations and a CRM one. Each scenario runs `ansible-playbook
wolkvox.wolkvox.audit` at -vvvv, with secure logging off so that everything the modules return is printed,
against a simulator that injects the fault. For each: every
operation is in the report with the expected status and message, the report's API call count is what the
simulator saw, and no token appears in the output or the reports. Then a table of malformed option
values, on both execution paths, each failing before any request is sent.
"""

import datetime
import json
import os
import sys

import pytest
import yaml

from conftest import ROOT, playbook

sys.path.insert(0, os.path.join(ROOT, "tests", "utils"))
from hostile_server import leaks  # noqa: E402  pylint: disable=wrong-import-position

TOKENS = {"alpha": "rel-alpha-6b0e29d1", "beta": "rel-beta-c4417a0e", "gamma": "rel-gamma-93f2b8aa",
          "delta": "rel-delta-crm-5a81f3c2"}
CRM = {"delta": "DeltaCRM"}  # a CRM operation: one call, its CRM token information


def fleet(gamma_used=0):
    point = {"rp_id": "1", "rp_name": "Main", "ivr_active": "yes", "chat_active": "yes",
             "interaction_active": "yes", "crm_active": "no", "last_use_days_ago": 1}
    operations = []
    for name, token in TOKENS.items():
        operation = {"name": name, "licenses": 1, "routing_points": [] if name in CRM else [point],
                     "tokens": [{"name": name, "token": token, "used_today": gamma_used if name == "gamma" else 0}]}
        if name in CRM:
            operation.update(platform="crm", crm_operation=CRM[name])
        operations.append(operation)
    return {"operations": operations}


OK = {"alpha": "ok", "beta": "ok", "gamma": "ok", "delta": "ok"}
FAILED = {"alpha": "failed", "beta": "failed", "gamma": "failed", "delta": "failed"}
CONTACT_CENTER_FAILED = dict(FAILED, delta="ok")  # a fault of contact-center endpoints: the CRM is read all the same

# (id, simulator faults, inventory settings, gamma's uses today, statuses, requests seen, words in failed messages)
# healthy: two calls for each of the three contact-center operations, one for the CRM operation
HEALTHY = 3 * 2 + 1
SCENARIOS = [
    ("concurrency 403 burst", [{"kind": "concurrency", "times": 3}], {}, 0, OK, HEALTHY + 3, None),
    ("maintenance shorter than the retries", [{"kind": "maintenance", "times": 2}], {}, 0, OK, HEALTHY + 2, None),
    ("maintenance longer than the retries", [{"kind": "maintenance", "times": None}], {}, 0, FAILED, 4 * 3,
     "the platform is in maintenance"),
    ("5xx burst", [{"kind": "status", "status": 503, "times": 2}, {"kind": "status", "status": 500},
                   {"kind": "status", "status": 502}], {}, 0, OK, HEALTHY + 4, None),
    ("dropped connections", [{"kind": "drop", "times": 3}], {}, 0, OK, HEALTHY + 3, None),
    ("a response slower than the timeout", [{"kind": "delay", "seconds": 3}], {"wolkvox_timeout": 1}, 0, OK,
     HEALTHY + 1, None),
    ("HTML error pages from a proxy", [{"kind": "html", "status": 502, "times": None, "api": "routing_points"}], {}, 0,
     CONTACT_CENTER_FAILED, 3 + 3 * 3 + 1, "the platform answered HTTP 502 with a body that is not JSON: '<!DOCTYPE html>"),
    ("truncated JSON", [{"kind": "truncated_json", "times": None, "api": "token_info"}], {}, 0, CONTACT_CENTER_FAILED,
     3 + 3 + 1, "the platform answered HTTP 200 with a body that is not JSON"),
    ("HTML error pages from the CRM", [{"kind": "html", "status": 502, "times": None, "api": "tokenInformation"}], {},
     0, dict(OK, delta="failed"), 3 * 2 + 3, "the platform answered HTTP 502 with a body that is not JSON"),
    ("quota running out mid-fleet", [], {}, 999, dict(OK, gamma="critical"), HEALTHY, "daily quota spent"),
    ("a token echoed back by the platform", [{"kind": "echo_token", "token": "beta"}], {}, 0,
     dict(OK, beta="failed"), HEALTHY - 1, "the platform refused the token"),
    ("a CRM token echoed back by the CRM", [{"kind": "echo_token", "token": "delta"}], {}, 0,
     dict(OK, delta="failed"), HEALTHY, "the platform refused the token"),
]


def inventory(workdir, url, settings):
    hosts = {name: {"wolkvox_token": token} for name, token in TOKENS.items()}
    for name, crm_operation in CRM.items():
        hosts[name].update(wolkvox_platform="crm", wolkvox_operation=crm_operation)
    group_vars = {"wolkvox_server": url, "wolkvox_retries": 2, "wolkvox_audit_secure_logging": False,
                  "wolkvox_audit_report_dir": str(workdir / "reports"),
                  "wolkvox_audit_history": str(workdir / "history" / "audit.jsonl")}
    group_vars.update(settings)
    path = workdir / "inventory.yml"
    path.write_text(yaml.safe_dump({"wolkvox": {"hosts": hosts, "vars": group_vars}}))
    return str(path)


@pytest.mark.parametrize("name, faults, settings, gamma_used, statuses, requests, says", SCENARIOS,
                         ids=[scenario[0] for scenario in SCENARIOS])
def test_fault_matrix(tmp_path, simulator, name, faults, settings, gamma_used, statuses, requests, says):
    sim = simulator(fleet(gamma_used))
    if faults:
        sim.faults(*faults)
    code, output = playbook(tmp_path, ["wolkvox.wolkvox.audit", "-i", inventory(tmp_path, sim.url, settings), "-vvvv"])
    if statuses == FAILED:  # a run where no operation could be audited is not green, whatever fail_on says
        assert code == 2 and "no operation could be audited" in output, output[-4000:]
    else:
        assert code == 0, output[-4000:]  # the audit reports failures; wolkvox_audit_fail_on is never
    report = json.loads((tmp_path / "reports" / "wolkvox-audit.json").read_text())
    seen = sim.requests()
    assert {op["operation"]: op["status"] for op in report["operations"]} == statuses, name
    assert len(seen) == requests
    assert report["summary"]["api_calls"] == len(seen)
    for op in report["operations"]:
        if op["status"] != "ok":
            assert says in op["summary"], op["summary"]
    # secret hygiene: nothing at -vvvv, nothing in the four reports and the history
    texts = [output] + [path.read_text() for path in (tmp_path / "reports").iterdir()]
    texts.append((tmp_path / "history" / "audit.jsonl").read_text())  # one line per operation, failed ones too
    assert len(texts[-1].splitlines()) == len(TOKENS)
    for token in TOKENS.values():
        assert not any(leaks(text, token) for text in texts), "%s shows the token of an operation" % name


# -- bad input: refused before any request, on both execution paths ------------------------------------------------

BAD_INPUT = [
    ("wolkvox_token_info", {"server": "42x"}, "server '42x' is not a wolkvox server"),
    ("wolkvox_token_info", {"server": "wv"}, "server 'wv' is not a wolkvox server"),
    ("wolkvox_token_info", {"server": "https://wv0042.wolkvox.com/api/v2"}, "a base URL has no path"),
    ("wolkvox_token_info", {"server": "wv 0042"}, "is not a wolkvox server"),
    ("wolkvox_token_info", {"server": "sv0001", "platform": "contact_center"}, "is not a wolkvox server"),
    ("wolkvox_token_info", {"token": ""}, "token is empty"),
    ("wolkvox_token_info", {"token": "   "}, "token is empty"),
    ("wolkvox_token_info", {"token": "two words"}, "token contains white space"),
    ("wolkvox_token_info", {"timeout": -1}, "timeout must be a whole number of seconds from 1 to 3600"),
    ("wolkvox_token_info", {"timeout": 0}, "timeout must be a whole number of seconds from 1 to 3600"),
    ("wolkvox_token_info", {"retries": 11}, "retries must be a whole number from 0 to 10"),
    ("wolkvox_token_info", {"max_concurrent_requests": 0}, "max_concurrent_requests must be a whole number"),
    ("wolkvox_token_info", {"platform": "crm"}, "platform crm needs operation"),
    ("wolkvox_token_info", {"platform": "crm", "operation": ""}, "platform crm needs operation"),
    ("wolkvox_token_info", {"platform": "crm", "operation": ["A", "B"]}, "is not one CRM operation name"),
    ("wolkvox_token_info", {"server": "http://[::1"}, "cannot be read as a URL (Invalid IPv6 URL)"),
    ("wolkvox_token_info", {"server": "http://a..b:1"}, "'a..b' is not a host name"),
    ("wolkvox_token_info", {"server": "http://127.0.0.1:0"}, "its port must be from 1 to 65535"),
    ("wolkvox_token_info", {"server": 34}, "YAML reads an unquoted number with leading zeros"),
    ("wolkvox_token_info", {"token": "t\u00f6k\u20acn-1"}, "which an HTTP header cannot carry"),
    ("wolkvox_token_info", {"token": "abc\u200bdef"}, "U+200B"),
    ("wolkvox_token_info", {"token": "abc\x00def"}, "U+0000"),
    ("wolkvox_token_info", {"token": ["tok-a1", "tok-b2"]}, "token is a list"),
    ("wolkvox_routing_points_info", {"rp_id": ["1", "2"]}, "is not one routing point id"),
    ("wolkvox_routing_points_info", {"rp_id": {"id": "1"}}, "is not one routing point id"),
    ("wolkvox_api", {"file": "information", "api": "token_info\n"}, "letters, digits and underscores only"),
    ("wolkvox_api", {"file": "configuration", "api": "add_ip", "method": "POST", "body": {"on": datetime.date(2026, 1, 20)}},
     "body.on holds the date 2026-01-20"),
    ("wolkvox_api", {"file": "configuration", "api": "add_ip", "method": "POST", "body": '{"ratio": NaN}'},
     "NaN is not a JSON value"),
    ("wolkvox_api", {"file": "information", "api": "get_ip", "body": {"ip": "1.2.3.4"}}, "body is given with method GET"),
    ("wolkvox_api", {"file": "reports_manager", "api": "cdr_1", "date_ini": "0001-01-01", "date_end": "0001-01-02"},
     "is in the year 1"),
    ("wolkvox_module", {"state": "on"}, "value of state must be one of: enabled, disabled"),
    ("wolkvox_api", {"file": "informations", "api": "token_info"}, "value of file must be one of"),
    ("wolkvox_api", {"file": "information", "api": "token_info&routing=1"}, "letters, digits and underscores only"),
    ("wolkvox_api", {"file": "reports_manager", "api": "cdr_1", "date_ini": "2026-02-01", "date_end": "2026-01-01"},
     "is before date_ini"),
    ("wolkvox_api", {"file": "reports_manager", "api": "cdr_1", "date_ini": "2026-01-01", "date_end": "2026-03-01"},
     "the platform answers at most 31 days per call"),
    ("wolkvox_api", {"file": "reports_manager", "api": "cdr_1", "date_ini": "01/02/2026", "date_end": "2026-03-01"},
     "date_ini '01/02/2026' is not a date"),
    ("wolkvox_api", {"file": "reports_manager", "api": "cdr_1", "date_ini": "2026-01-01"},
     "parameters are required together: date_ini, date_end"),
    ("wolkvox_api", {"file": "information", "api": "get_ip", "query": {"api": "x"}}, "query may not set 'api'"),
    ("wolkvox_api", {"file": "configuration", "api": "add_ip", "method": "POST", "body": "{not json"},
     "body is not JSON"),
]


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "module path"])
def test_bad_input_fails_before_any_request(tmp_path, simulator, fast_path):
    sim = simulator(fleet())
    tasks = [{"name": "Case %d" % index, "wolkvox.wolkvox." + module: args, "register": "case_%d" % index,
              "ignore_errors": True} for index, (module, args, says) in enumerate(BAD_INPUT)]
    tasks.append({"name": "Keep the results", "ansible.builtin.copy": {
        "dest": str(tmp_path / "results.json"), "mode": "0600",
        "content": "{{ [%s] | to_json }}" % ", ".join("case_%d" % index for index in range(len(BAD_INPUT)))}})
    play = [{"name": "Bad input", "hosts": "localhost", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}", "wolkvox_fast_path": fast_path},
             "module_defaults": {"group/wolkvox.wolkvox.wolkvox": {"server": sim.url, "token": TOKENS["alpha"]}},
             "tasks": tasks}]
    (tmp_path / "bad_input.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    code, output = playbook(tmp_path, ["-i", "localhost,", "-c", "local", "bad_input.yml"])
    assert code == 0, output[-4000:]
    results = json.loads((tmp_path / "results.json").read_text())
    for (module, args, says), result in zip(BAD_INPUT, results):
        assert result["failed"], (module, args)
        assert says in result["msg"], (module, args, result["msg"])
        assert "Traceback" not in json.dumps(result), (module, args)
        if "missing" not in says and "must be one of" not in says and "required together" not in says:
            # the collection's own checks: named like every other failure
            assert (result.get("error_kind"), result.get("api_calls")) == ("bad_option", 0), (module, args, result)
    assert sim.requests() == []


def test_a_ca_path_that_is_not_pem_fails_on_both_paths(tmp_path, simulator):
    sim = simulator(fleet())
    der = tmp_path / "ca.der"
    der.write_bytes(b"0\x82\x01\x0a not a PEM file")
    results = []
    for fast_path in (True, False):
        read = {"wolkvox.wolkvox.wolkvox_token_info": {"server": sim.url, "token": TOKENS["alpha"], "ca_path": str(der)},
                "register": "read", "ignore_errors": True}
        keep = {"ansible.builtin.copy": {"dest": str(tmp_path / "ca.json"), "content": "{{ read | to_json }}", "mode": "0600"}}
        play = [{"name": "A CA bundle that is not PEM", "hosts": "localhost", "gather_facts": False,
                 "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}", "wolkvox_fast_path": fast_path},
                 "tasks": [read, keep]}]
        (tmp_path / "ca.yml").write_text(yaml.safe_dump(play, sort_keys=False))
        code, output = playbook(tmp_path, ["-i", "localhost,", "-c", "local", "ca.yml"])
        assert code == 0, output[-4000:]
        results.append(json.loads((tmp_path / "ca.json").read_text()))
    for result in results:
        assert "holds no PEM certificate" in result["msg"] and result["error_kind"] == "bad_option"
    assert sim.requests() == []


def test_fail_on_fails_only_the_operations_it_names_after_writing_the_reports(tmp_path, simulator):
    sim = simulator(fleet(gamma_used=1000))
    settings = {"wolkvox_audit_fail_on": "critical"}
    code, output = playbook(tmp_path, ["wolkvox.wolkvox.audit", "-i", inventory(tmp_path, sim.url, settings)])
    assert code == 2, output[-4000:]  # ansible-playbook's exit code when hosts failed
    report = json.loads((tmp_path / "reports" / "wolkvox-audit.json").read_text())
    assert report["failing"] == ["gamma"]
    assert "gamma is critical (wolkvox_audit_fail_on: critical): daily quota spent" in output
    recap = {line.split()[0]: line for line in output.split("PLAY RECAP")[-1].splitlines() if "ok=" in line}
    # the hosts that pass leave the role with meta end_role (ansible-core 2.18 and later), which the recap does not
    # count: a host that ran no other task of the play is not listed
    assert "failed=1" in recap["gamma"]
    assert [host for host, line in recap.items() if "failed=0" not in line] == ["gamma"]
