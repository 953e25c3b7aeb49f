# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's reader (the audit_read action): every operation of the batch read at once, in threads of one process,
against the simulator - two requests each (one for a CRM operation), the token's limits shared between threads, each
operation's variables and failures its own, no secret in a record, and the history it keeps."""

import datetime
import inspect
import json
import threading

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit, _audit_read
from ansible_collections.wolkvox.wolkvox.tests.utils.audit_records import NOW, render

READER_TOKENS = {"alpha": "reader-alpha-41c9e2", "beta": "reader-beta-7d0a13", "gamma": "reader-gamma-e58b60"}
SHARED = "reader-shared-0f92c4"
CRM_TOKEN = "reader-crm-b61d07"


def reader_fleet():
    fresh = {"rp_id": "1", "rp_name": "Main", "ivr_active": "yes", "chat_active": "yes", "interaction_active": "yes",
             "crm_active": "no", "last_use_days_ago": 1}
    operations = [{"name": name, "licenses": 1, "routing_points": [fresh], "tokens": [{"name": name, "token": token}]}
                  for name, token in READER_TOKENS.items()]
    operations.append({"name": "shared", "licenses": 100, "routing_points": [fresh],
                       "tokens": [{"name": "shared", "token": SHARED}]})
    operations.append({"name": "crmop", "platform": "crm", "crm_operation": "AcmeCRM", "licenses": 5,
                       "tokens": [{"name": "crmop", "token": CRM_TOKEN, "limit": 4800, "used_today": 100}]})
    return {"operations": operations}


class Identity:
    """A templar that leaves values as they are, and fails on the text it is told to."""

    def __init__(self, undefined=None):
        self.undefined = undefined

    def template(self, value):
        if self.undefined is not None and value == self.undefined:
            raise AnsibleFilterError("'vault_missing' is undefined")
        return value


class Variables:
    """Each host's variables, as _audit_read.HostVariables gives them."""

    def __init__(self, hosts, undefined=None, **common):
        self.hosts = hosts
        self.common = common
        self.undefined = undefined

    def of(self, name):
        return dict(self.common, **self.hosts.get(name, {})), Identity(self.undefined)


@pytest.fixture(scope="module")
def reader_sim():
    from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator  # pylint: disable=import-outside-toplevel
    with Simulator(reader_fleet()) as server:
        yield server


def read_fleet(variables, names, concurrency=8, environ=None, monkeypatch=None):
    for key, value in (environ or {}).items():
        monkeypatch.setenv(key, value)
    operations = [(name, _audit_read.connection(name, variables)) for name in names]
    return _audit_read.read_all(operations, _audit.check_thresholds(None), False, concurrency, now=NOW)


def test_the_reader_reads_each_operation_with_two_calls_and_judges_it(reader_sim):
    reader_sim.admin("/_sim/reset", {})
    hosts = {name: {"wolkvox_token": token} for name, token in READER_TOKENS.items()}
    records, api_calls = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url, wolkvox_retries=0),
                                    ["gamma", "alpha", "beta"])
    assert [record["operation"] for record in records] == ["gamma", "alpha", "beta"]  # the order asked for
    assert [record["status"] for record in records] == ["ok", "ok", "ok"]
    assert api_calls == 6 == len(reader_sim.requests())
    assert [record["api_calls"] for record in records] == [2, 2, 2]
    assert records[0]["routing_points_total"] == 1 and records[0]["token"]["token_limit"] == 1000


def test_a_refused_token_spares_the_second_call_and_fails_only_its_operation(reader_sim):
    reader_sim.admin("/_sim/reset", {})
    hosts = {name: {"wolkvox_token": token} for name, token in READER_TOKENS.items()}
    hosts["beta"] = {"wolkvox_token": "reader-beta-unknown-1"}
    records, api_calls = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url, wolkvox_retries=0),
                                    ["alpha", "beta", "gamma"])
    assert [record["status"] for record in records] == ["ok", "failed", "ok"]
    assert api_calls == 5
    beta = records[1]
    assert beta["checks"][1]["status"] == "unknown"
    assert beta["checks"][0]["message"].startswith("not read: the platform refused the token")


def test_operations_that_share_a_token_never_have_more_than_two_requests_in_flight(reader_sim):
    reader_sim.admin("/_sim/reset", {})
    reader_sim.admin("/_sim/config", {"latency": 0.05})
    try:
        hosts = {"shared%02d" % index: {} for index in range(12)}
        records, api_calls = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url, wolkvox_token=SHARED,
                                                  wolkvox_retries=0), sorted(hosts), concurrency=12)
    finally:
        reader_sim.admin("/_sim/config", {"latency": 0.0})
    log = reader_sim.requests()
    assert [entry["outcome"] for entry in log].count("concurrency") == 0  # the platform would refuse a third
    assert {record["status"] for record in records} == {"ok"} and api_calls == 24 == len(log)


def test_the_limiters_slots_exclude_each_other_between_threads_of_one_process(tmp_path):
    # a slot is a flock on a file descriptor of its own: a second one on the same file, even in this process, waits
    from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import TokenLimiter, WolkvoxError  # pylint: disable=import-outside-toplevel
    first = TokenLimiter("reader-limiter-token", 1, 0, str(tmp_path))
    second = TokenLimiter("reader-limiter-token", 1, 0, str(tmp_path))
    outcome = []
    with first:
        def take():
            try:
                with second:
                    outcome.append("held")
            except WolkvoxError as exc:
                outcome.append(exc.kind)
        worker = threading.Thread(target=take)
        worker.start()
        worker.join()
    assert outcome == ["limiter"]
    with second:  # free again once the first is let go
        pass


@pytest.mark.parametrize("tokens", [
    {"alpha": READER_TOKENS["alpha"], "beta": READER_TOKENS["beta"]},
    "alpha: %s\nbeta: %s\n" % (READER_TOKENS["alpha"], READER_TOKENS["beta"]),
    '{"alpha": "%s", "beta": "%s"}' % (READER_TOKENS["alpha"], READER_TOKENS["beta"]),
], ids=["mapping", "YAML text", "JSON text"])
def test_the_token_comes_from_wolkvox_tokens_when_wolkvox_token_is_not_set(reader_sim, tokens, monkeypatch):
    reader_sim.admin("/_sim/reset", {})
    monkeypatch.delenv("WOLKVOX_TOKEN", raising=False)
    hosts = {"alpha": {}, "beta": {"wolkvox_token": READER_TOKENS["gamma"]}, "delta": {}}
    records, dummy = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url, wolkvox_retries=0,
                                          wolkvox_tokens=tokens), ["alpha", "beta", "delta"])
    assert [record["status"] for record in records] == ["ok", "ok", "failed"]
    # wolkvox_token wins over wolkvox_tokens: beta was read with gamma's token
    assert [entry["token"] for entry in reader_sim.requests()].count("gamma") == 2
    assert records[2]["checks"][0]["message"] == (
        "not read: no token for this operation: wolkvox_token is not set, wolkvox_tokens has no entry delta, and "
        "WOLKVOX_TOKEN is not set")
    assert records[2]["api_calls"] == 0


def test_the_environment_is_the_last_resort_for_the_token(reader_sim, monkeypatch):
    reader_sim.admin("/_sim/reset", {})
    records, dummy = read_fleet(Variables({"delta": {}}, wolkvox_retries=0, wolkvox_tokens={"alpha": "x"}), ["delta"],
                                environ={"WOLKVOX_TOKEN": READER_TOKENS["alpha"], "WOLKVOX_SERVER": reader_sim.url},
                                monkeypatch=monkeypatch)
    assert records[0]["status"] == "ok"


def test_wolkvox_tokens_that_are_not_a_mapping_fail_every_operation_that_needs_them(reader_sim):
    records, dummy = read_fleet(Variables({"alpha": {}}, wolkvox_server=reader_sim.url, wolkvox_tokens="[a, b]"),
                                ["alpha"])
    assert records[0]["status"] == "failed" and records[0]["api_calls"] == 0
    assert "wolkvox_tokens must map each operation (inventory host name) to its token" in records[0]["summary"]


def test_a_variable_that_cannot_be_templated_fails_its_operation_only_and_shows_no_secret(reader_sim):
    reader_sim.admin("/_sim/reset", {})
    hosts = {"alpha": {"wolkvox_token": READER_TOKENS["alpha"]}, "beta": {"wolkvox_token": "{{ vault_missing }}"}}
    records, dummy = read_fleet(Variables(hosts, undefined="{{ vault_missing }}", wolkvox_server=reader_sim.url),
                                ["alpha", "beta"])
    assert [record["status"] for record in records] == ["ok", "failed"]
    assert records[1]["checks"][0]["message"] == (
        "not read: the connection variables of beta could not be read: 'vault_missing' is undefined")
    assert records[1]["checks"][0]["error_kind"] == "bad_option"


def test_options_the_modules_refuse_fail_their_operation_before_any_request(reader_sim):
    reader_sim.admin("/_sim/reset", {})
    hosts = {"alpha": {"wolkvox_token": READER_TOKENS["alpha"], "wolkvox_timeout": "soon"},
             "beta": {"wolkvox_token": READER_TOKENS["beta"], "wolkvox_retries": 11}}
    records, api_calls = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url), ["alpha", "beta"])
    assert [record["status"] for record in records] == ["failed", "failed"] and api_calls == 0
    assert "timeout" in records[0]["checks"][0]["message"]
    assert "retries must be a whole number from 0 to 10" in records[1]["checks"][0]["message"]
    assert reader_sim.requests() == []


def test_a_token_the_platform_echoes_never_reaches_a_record(reader_sim):
    from ansible_collections.wolkvox.wolkvox.tests.utils.hostile_server import leaks  # pylint: disable=import-outside-toplevel
    reader_sim.admin("/_sim/reset", {})
    reader_sim.admin("/_sim/faults", {"faults": [{"kind": "echo_token", "token": "alpha"}]})
    hosts = {name: {"wolkvox_token": token} for name, token in READER_TOKENS.items()}
    records, dummy = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url, wolkvox_retries=0),
                                ["alpha", "beta"])
    assert records[0]["status"] == "failed" and records[1]["status"] == "ok"
    text = json.dumps(records)
    assert not any(leaks(text, token) for token in READER_TOKENS.values())


def test_warnings_are_kept_with_their_operation(reader_sim):
    reader_sim.admin("/_sim/reset", {})
    reader_sim.admin("/_sim/faults", {"faults": [{"kind": "status", "status": 503, "times": 1, "token": "beta",
                                                  "api": "token_info"}]})
    hosts = {name: {"wolkvox_token": token} for name, token in READER_TOKENS.items()}
    records, api_calls = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url, wolkvox_retries=1),
                                    ["alpha", "beta"])
    assert [record["status"] for record in records] == ["ok", "ok"] and api_calls == 5
    assert records[0]["warnings"] == []
    assert len(records[1]["warnings"]) == 1 and records[1]["warnings"][0].startswith(
        "beta: wolkvox token_info: the platform failed to answer (HTTP 503")


def test_the_reader_spares_the_routing_points_read_after_the_kinds_of_the_judgement():
    # the reader sends the second call unless the first failed this way; the judgement explains why it was not sent
    assert _audit_read._audit.SPARE_ROUTING_AFTER is _audit.SPARE_ROUTING_AFTER
    assert "SPARE_ROUTING_AFTER" in inspect.getsource(_audit_read.read)


def test_the_reader_reads_a_crm_operation_with_one_call(reader_sim):
    reader_sim.admin("/_sim/reset", {})
    hosts = {"crmop": {"wolkvox_token": CRM_TOKEN, "wolkvox_platform": "crm", "wolkvox_operation": "AcmeCRM"},
             "alpha": {"wolkvox_token": READER_TOKENS["alpha"]}}
    records, api_calls = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url, wolkvox_retries=0),
                                    ["crmop", "alpha"])
    crm = records[0]
    assert (crm["status"], crm["platform"], crm["crm_operation"], crm["api_calls"]) == ("ok", "crm", "AcmeCRM", 1)
    assert crm["token"]["token_use_today"] == 101 and 1 <= crm["token"]["hours_to_restart_count"] <= 24
    assert crm["checks"][1]["status"] == "not_applicable"
    assert api_calls == 3
    assert [entry["api"] for entry in reader_sim.requests() if entry["token"] == "crmop"] == ["tokenInformation"]


@pytest.mark.parametrize("variables, says", [
    ({"wolkvox_platform": "CRM", "wolkvox_operation": "AcmeCRM"},
     "wolkvox_platform must be contact_center or crm, not 'CRM'"),
    ({"wolkvox_platform": "crm"}, "wolkvox_platform is crm, so wolkvox_operation must name the CRM operation"),
    ({"wolkvox_platform": "crm", "wolkvox_operation": "  "}, "wolkvox_operation must name the CRM operation"),
    ({"wolkvox_platform": "crm", "wolkvox_operation": ["A", "B"]},
     "wolkvox_operation: operation \"['A', 'B']\" is not one CRM operation name"),
], ids=["platform", "no operation", "empty operation", "a list"])
def test_a_platform_or_crm_operation_that_cannot_work_fails_its_operation_before_any_call(reader_sim, variables, says):
    reader_sim.admin("/_sim/reset", {})
    hosts = {"crmop": dict(variables, wolkvox_token=CRM_TOKEN)}
    records, api_calls = read_fleet(Variables(hosts, wolkvox_server=reader_sim.url), ["crmop"])
    assert (records[0]["status"], api_calls, reader_sim.requests()) == ("failed", 0, [])
    assert says in records[0]["checks"][0]["message"], records[0]["checks"][0]["message"]
    assert records[0]["checks"][0]["error_kind"] == "bad_option"


def test_a_legacy_crm_host_name_keeps_its_deprecation_named_after_the_operation(reader_sim, monkeypatch):
    from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _client  # pylint: disable=import-outside-toplevel
    original = _client._legacy_crm

    def to_the_simulator(number, text):  # the deprecation as it is, the request to the simulator
        dummy, warnings, deprecation = original(number, text)
        return reader_sim.url, warnings, deprecation

    monkeypatch.setattr(_client, "_legacy_crm", to_the_simulator)
    reader_sim.admin("/_sim/reset", {})
    hosts = {"crmop": {"wolkvox_token": CRM_TOKEN, "wolkvox_platform": "crm", "wolkvox_operation": "AcmeCRM",
                       "wolkvox_server": "sv0001"}}
    records, dummy = read_fleet(Variables(hosts, wolkvox_retries=0), ["crmop"])
    assert records[0]["status"] == "ok"
    assert records[0]["warnings"] == [
        "crmop: [DEPRECATION] server 'sv0001' is a legacy CRM host name: wolkvox moved the CRM from svNNNN.crmvox.com "
        "to crmNNNN.wolkvox.com in 2024 and switched the old names off; the request goes to "
        "https://crm0001.wolkvox.com. Write server: 'crm0001'."]
    report = _audit.fleet(records, ["crmop"], now=NOW)
    assert report["warnings"] == records[0]["warnings"]
    assert "crmop: [DEPRECATION] server &#39;sv0001&#39;" in render("report.html.j2", report)


def test_the_reader_keeps_a_history_and_projects_from_it(reader_sim, tmp_path):
    reader_sim.admin("/_sim/reset", {})
    path = tmp_path / "history" / "audit.jsonl"
    settings = {"path": str(path), "days": 7, "warn_on_projection": True}
    hosts = {"alpha": {"wolkvox_token": READER_TOKENS["alpha"]},
             "crmop": {"wolkvox_token": CRM_TOKEN, "wolkvox_platform": "crm", "wolkvox_operation": "AcmeCRM"}}
    variables = Variables(hosts, wolkvox_server=reader_sim.url, wolkvox_retries=0)
    start = datetime.datetime(2026, 11, 23, 10, 0, 0)  # a fixed morning: the run's own clock never matters
    for step in range(3):
        reader_sim.admin("/_sim/tokens/alpha", {"used_today": 100 + 200 * step})
        operations = [(name, _audit_read.connection(name, variables)) for name in ("alpha", "crmop")]
        records, dummy = _audit_read.read_all(operations, _audit.check_thresholds(None), False, 4,
                                              now=start + datetime.timedelta(minutes=20 * step), history=settings)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["operation"], line["uses"]) for line in lines] == [
        ("alpha", 101), ("crmop", 101), ("alpha", 301), ("crmop", 102), ("alpha", 501), ("crmop", 103)]
    alpha, crm = records
    assert (alpha["trend"]["readings_today"], alpha["trend"]["last_hour_uses"]) == (3, 400)
    assert alpha["trend"]["rate_per_hour"] == pytest.approx(600.0, abs=1)  # 400 uses in 40 minutes
    # 499 left at 600 an hour, at 10:40: spent in 50 minutes, long before the reset (taken as 00:00 UTC)
    before = alpha["trend"]["before_reset"]
    assert before is True
    assert alpha["checks"][-1]["name"] == "budget_projection"
    assert alpha["checks"][-1]["status"] == ("warning" if before else "ok") == alpha["status"]
    assert ("the quota is spent at" if before else "the budget lasts past the reset") in alpha["checks"][-1]["message"]
    assert crm["trend"]["reset_source"] == "platform"
    report = _audit.fleet(records, ["alpha", "crmop"], now=NOW, history=settings)
    assert report["projected_exhaustion"] == (["alpha"] if before else [])
    html = render("report.html.j2", report)
    assert html.count('<svg class="trend"') == 2 and html.count('<polyline class="line"') == 2
    assert ("| Spent at " if before else "| Lasts past the reset") in render("report.md.j2", report)


def test_a_history_that_cannot_be_written_is_a_warning_of_each_operation(reader_sim, tmp_path):
    reader_sim.admin("/_sim/reset", {})
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = {"path": str(blocker / "audit.jsonl"), "days": 7, "warn_on_projection": True}
    variables = Variables({"alpha": {"wolkvox_token": READER_TOKENS["alpha"]}}, wolkvox_server=reader_sim.url)
    records, dummy = _audit_read.read_all([("alpha", _audit_read.connection("alpha", variables))],
                                          _audit.check_thresholds(None), False, 4, history=settings)
    assert records[0]["status"] == "ok"
    assert records[0]["warnings"][-1].startswith("alpha: the history file %s cannot be written" % settings["path"])
    assert records[0]["warnings"][-1].endswith("this run's reading is not in it")
