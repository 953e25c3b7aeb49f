# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared client against the simulator over real loopback HTTP: what it sends, what it says."""

import ast
import json
import multiprocessing
import os
import re
import tempfile
import time

import pytest
import yaml

from ansible_collections.wolkvox.wolkvox.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import (
    CONNECTION_ARGSPEC,
    ERROR_KINDS,
    REDACTED,
    WolkvoxClient,
    WolkvoxError,
    limiter_directory,
    SharedTLSContexts,
    resolve_server,
)
from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _api
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import execute
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator, html_page

TOKEN = "tok-acme-5f0c2b9e71d44a8f"
OTHER = "tok-globex-0b1d"
BURST = "tok-acme-burst-6e1d"  # only the limiter tests use it: no other test's refusals congest it
FAST = {"concurrency": (0.01, 0.05), "default": (0.01, 0.05)}  # backoff in tests: the same rules, short waits


def fleet():
    return {"operations": [
        {"name": "acme", "licenses": 1, "crm_operation": "Acme",
         "tokens": [{"name": "acme", "token": TOKEN}, {"name": "burst", "token": BURST}],
         "routing_points": [{"rp_id": "1", "rp_name": "Sales", "ivr_active": "yes", "chat_active": "no",
                             "interaction_active": "yes", "crm_active": "no", "last_use": "2026-01-20 13:42:47"}]},
        {"name": "globex", "licenses": 1, "tokens": [{"name": "globex", "token": OTHER}]},
    ]}


@pytest.fixture
def sim():
    with Simulator(fleet()) as server:
        yield server


def params(server, **overrides):
    values = {"server": server, "token": TOKEN, "timeout": 5, "validate_certs": True, "ca_path": None,
              "retries": 4, "max_concurrent_requests": 2}
    values.update(overrides)
    return values


class Recorder:
    """Collects what the user would see: warnings and deprecations."""

    def __init__(self):
        self.warnings = []
        self.deprecations = []

    def client(self, server, platform="contact_center", **overrides):
        return WolkvoxClient(params(server, **overrides), platform=platform, warn=self.warnings.append,
                             deprecate=self.deprecations.append, backoff=FAST)


def fails(call):
    with pytest.raises(WolkvoxError) as info:
        call()
    return info.value


# -- the connection options, in code and in the docs ------------------------------------------


def test_argument_spec_and_doc_fragment_agree():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(CONNECTION_ARGSPEC)
    for name, spec in CONNECTION_ARGSPEC.items():
        doc = documented[name]
        assert doc["type"] == spec["type"], name
        assert doc.get("default") == spec.get("default"), name
        assert bool(doc.get("required")) == bool(spec.get("required")), name
        described_env = re.findall(r"E\((WOLKVOX_[A-Z_]+)\)", " ".join(doc["description"]))
        assert described_env == (spec["fallback"][1] if "fallback" in spec else []), name
    assert [name for name, spec in CONNECTION_ARGSPEC.items() if spec.get("no_log")] == ["token"]


# -- error_kind: declared once (ERROR_KINDS), the only kinds the code raises, each one documented ---------------

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
RAISERS = {"WolkvoxError": 1, "_fail": 1}  # the callable, and the position of the kind among its arguments


def kinds_in_code():
    """{kind: [files]} for every literal kind the plugins raise or return as error_kind."""
    found = {}
    for top, dummy, names in os.walk(os.path.join(ROOT, "plugins")):
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(top, name)
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                kind = None
                if isinstance(node, ast.Call):
                    called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if called in RAISERS and len(node.args) > RAISERS[called]:
                        kind = node.args[RAISERS[called]]
                    for keyword in node.keywords:
                        if keyword.arg in ("kind", "error_kind"):
                            kind = keyword.value
                if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                    found.setdefault(kind.value, []).append(os.path.relpath(path, ROOT))
    return found


def test_the_code_raises_only_declared_kinds():
    found = kinds_in_code()
    undeclared = dict((kind, files) for kind, files in found.items() if kind not in ERROR_KINDS)
    assert not undeclared, "declare these in _client.ERROR_KINDS and document them: %r" % undeclared
    assert "quota" in found and "refused" in found and "bad_option" in found  # the scan sees the code


def test_the_troubleshooting_guide_documents_every_kind():
    with open(os.path.join(ROOT, "docs", "docsite", "rst", "guide_troubleshooting.rst"), encoding="utf-8") as handle:
        text = handle.read()
    documented = set(re.findall(r"^     - ``([a-z_]+)``", text, re.MULTILINE))
    documented.update(re.findall(r"^     - ``[a-z_]+`` or ``([a-z_]+)``", text, re.MULTILINE))
    documented.discard("error_kind")  # the table's header
    assert documented == set(ERROR_KINDS)


def test_the_connection_options_notes_name_every_kind():
    notes = " ".join(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["notes"])
    named = set(re.findall(r"C\(([a-z_]+)\)", notes.split("C(error_kind)", 1)[1]))
    assert named == set(ERROR_KINDS)


# -- URL resolution ---------------------------------------------------------------------------


@pytest.mark.parametrize("server, platform, url", [
    ("0042", "contact_center", "https://wv0042.wolkvox.com"),
    ("wv0042", "contact_center", "https://wv0042.wolkvox.com"),
    ("WV0042", "contact_center", "https://wv0042.wolkvox.com"),
    ("https://wv0042.wolkvox.com", "contact_center", "https://wv0042.wolkvox.com"),
    ("https://wv0042.wolkvox.com/", "contact_center", "https://wv0042.wolkvox.com"),
    ("http://127.0.0.1:8080", "contact_center", "http://127.0.0.1:8080"),
    ("0001", "crm", "https://crm0001.wolkvox.com"),
    ("crm0001", "crm", "https://crm0001.wolkvox.com"),
    ("https://crm.wolkvox.com", "crm", "https://crm.wolkvox.com"),
])
def test_server_forms(server, platform, url):
    assert resolve_server(server, platform) == (url, [], None)


@pytest.mark.parametrize("server", ["sv0001", "sv0001.crmvox.com", "https://sv0001.crmvox.com"])
def test_legacy_crm_hosts_are_rewritten_with_a_deprecation(server):
    url, warnings, deprecation = resolve_server(server, "crm")
    assert url == "https://crm0001.wolkvox.com"
    assert "crm0001.wolkvox.com" in deprecation and "Write server: 'crm0001'" in deprecation


@pytest.mark.parametrize("server, platform, says", [
    ("42x", "contact_center", "'0042'"),
    ("wv", "contact_center", "'wv0042'"),
    ("00 42", "contact_center", "'0042'"),
    ("", "contact_center", "'0042'"),
    ("34", "contact_center", "as an octal number"),  # YAML read 0042 unquoted as an octal number
    ("http://[::1", "contact_center", "cannot be read as a URL (Invalid IPv6 URL)"),
    ("http://a..b:1", "contact_center", "'a..b' is not a host name"),
    ("http://127.0.0.1:0", "contact_center", "its port must be from 1 to 65535"),
    ("http://127.0.0.1:99999", "contact_center", "cannot be read as a URL"),
    ("https://-wv.wolkvox.com", "contact_center", "is not a host name"),
    ("https://wv0042.wolkvox.com/api/v2", "contact_center", "no path, query or fragment"),
    ("https://wv0042.wolkvox.com?x=1", "contact_center", "no path, query or fragment"),
    ("ftp://wv0042.wolkvox.com", "contact_center", "not http or https"),
    ("https://user:pw@wv0042.wolkvox.com", "contact_center", "user name or password"),
    ("crm0001", "contact_center", "'wv0042'"),
    ("wv0042", "crm", "'crm0001'"),
])
def test_malformed_servers_name_the_accepted_forms(server, platform, says):
    error = fails(lambda: resolve_server(server, platform))
    assert error.kind == "bad_option"
    assert says in error.msg
    assert "0034" not in error.msg  # never another customer's server number


def test_plain_http_to_another_host_warns_and_loopback_does_not():
    assert resolve_server("http://proxy.example.com:3128")[1] == [
        "server http://proxy.example.com:3128 uses plain http: the token crosses the network unencrypted. "
        "The wolkvox platform itself serves https only."]
    assert resolve_server("http://localhost:8080")[1] == []


@pytest.mark.parametrize("overrides, says", [
    ({"token": ""}, "token is empty"),
    ({"token": "   "}, "token is empty"),
    ({"token": TOKEN + "\n"}, "token contains white space"),
    ({"token": "abc def"}, "token contains white space"),
    ({"timeout": 0}, "timeout must be a whole number of seconds from 1 to 3600"),
    ({"timeout": -5}, "timeout must be a whole number of seconds from 1 to 3600"),
    ({"retries": -1}, "retries must be a whole number from 0 to 10"),
    ({"max_concurrent_requests": 0}, "max_concurrent_requests must be a whole number from 1 to 16"),
    ({"ca_path": "/nonexistent/ca.pem"}, "ca_path '/nonexistent/ca.pem' is not a file"),
    ({"server": "wv42"}, "is not a wolkvox server"),
])
def test_bad_options_fail_before_any_request(sim, overrides, says):
    overrides = dict(overrides)
    error = fails(lambda: Recorder().client(overrides.pop("server", sim.url), **overrides))
    assert says in error.msg
    assert (error.kind, error.api_calls) == ("bad_option", 0)
    assert sim.requests() == []


# -- answers that succeed -----------------------------------------------------------------------


def test_a_read_sends_the_token_in_the_header_only(sim):
    client = Recorder().client(sim.url)
    answer = client.contact_center("information", "token_info")
    assert (answer.status, answer.code, answer.error, answer.msg) == (200, "200", None, "1 records were found")
    assert answer.data[0]["token_limit"] == "1000"
    assert client.api_calls == 1
    log = sim.requests()
    assert [(e["method"], e["path"], e["query"], e["token"]) for e in log] == [
        ("GET", "/api/v2/information.php", {"api": "token_info"}, "acme")]


def test_query_values_are_url_encoded(sim):
    client = Recorder().client(sim.url)
    answer = client.contact_center("information", "routing_points", query={"routing": "1&api=token_info"},
                                   allow_not_found=True)
    assert answer.status == 404
    assert sim.requests()[0]["query"] == {"api": "routing_points", "routing": "1&api=token_info"}


def test_crm_uses_its_own_header_and_path(sim):
    answer = Recorder().client(sim.url, platform="crm").crm("token/tokenInformation.php", query={"operation": "Acme"})
    assert (answer.code, answer.error) == ("200", None)  # "null" is no error
    assert answer.data["available_consumition_options"] == 999


def test_a_404_with_no_data_is_an_answer_when_the_caller_allows_it(sim):
    client = Recorder().client(sim.url)
    answer = client.contact_center("information", "routing_points", query={"routing": "77"}, allow_not_found=True)
    assert (answer.status, answer.data) == (404, [])
    error = fails(lambda: client.contact_center("information", "routing_points", query={"routing": "77"}))
    assert (error.kind, error.status, error.api_calls) == ("http", 404, 2)


# -- the error taxonomy: message and request count ---------------------------------------------


def test_invalid_token_is_not_retried(sim):
    rec = Recorder()
    error = fails(lambda: rec.client(sim.url, token="not-a-known-token").contact_center("information", "token_info"))
    assert error.kind == "invalid_token"
    assert error.msg.startswith("the platform refused the token (HTTP 403 PLEASE VALIDATE TOKEN): it is invalid")
    assert error.api_calls == 1 and len(sim.requests()) == 1 and rec.warnings == []


def test_a_spent_quota_is_not_retried_and_says_it_resets_daily(sim):
    sim.admin("/_sim/tokens/acme", {"used_today": 1000})
    rec = Recorder()
    error = fails(lambda: rec.client(sim.url).contact_center("information", "token_info"))
    assert error.kind == "quota"
    assert "daily API quota is spent (HTTP 403 TOKEN LIMIT EXCEEDED)" in error.msg
    assert "licenses x 1000 uses a day" in error.msg and "resets daily" in error.msg
    assert "This task sent 1 request(s)" in error.msg
    assert error.api_calls == 1 and len(sim.requests()) == 1 and rec.warnings == []


def test_missing_token_answer_points_at_a_proxy(sim):
    sim.admin("/_sim/faults", {"kind": "status", "status": 401, "error": "UNAUTHORIZED",
                               "msg": "PLEASE ENTER THE WOLKVOX-TOKEN"})
    error = fails(lambda: Recorder().client(sim.url).contact_center("information", "token_info"))
    assert error.kind == "missing_token"
    assert "wolkvox-token header" in error.msg and "proxy" in error.msg
    assert error.api_calls == 1


def test_unknown_api_names_the_api(sim):
    error = fails(lambda: Recorder().client(sim.url).contact_center("information", "token_infos"))
    assert error.kind == "unknown_api"
    assert error.msg == ("the platform has no api 'token_infos' at this address "
                         "(HTTP 400 THE API YOU WANT TO CONSULT DOES NOT EXIST): check the api and file names")
    assert error.api_calls == 1


def test_missing_parameter(sim):
    error = fails(lambda: Recorder().client(sim.url, platform="crm").crm("token/tokenInformation.php"))
    assert error.kind == "missing_parameter"
    assert "(HTTP 400 SOME PARAMETERS ARE REQUIRED)" in error.msg
    assert error.api_calls == 1


def test_a_burst_of_concurrency_refusals_is_absorbed_with_one_warning(sim):
    sim.admin("/_sim/faults", {"kind": "concurrency", "times": 6})
    rec = Recorder()
    client = rec.client(sim.url, retries=1)  # concurrency refusals spend a time budget, not the retries
    answer = client.contact_center("information", "token_info")
    assert answer.status == 200 and answer.attempts == 7
    assert client.api_calls == 7 and len(sim.requests()) == 7
    assert len(rec.warnings) == 1 and "refused a simultaneous request" in rec.warnings[0]


def test_concurrency_refusals_that_last_give_up_after_the_time_budget(sim):
    sim.admin("/_sim/faults", {"kind": "concurrency", "times": None})
    rec = Recorder()
    client = rec.client(sim.url)
    client.concurrency_budget = 0.3
    error = fails(lambda: client.contact_center("information", "token_info"))
    assert error.kind == "concurrency"
    assert re.search(r"\(gave up after \d+ attempts in \d+ seconds; retries: 4\)$", error.msg)
    assert error.api_calls == len(sim.requests()) >= 2  # retried within the budget, then stopped


def test_a_spent_time_budget_still_leaves_the_first_refusal_one_retry(sim):
    sim.admin("/_sim/faults", {"kind": "concurrency", "times": None})
    client = Recorder().client(sim.url)
    client.concurrency_budget = 0  # spent before the first answer, as on a slow or loaded machine
    error = fails(lambda: client.contact_center("information", "token_info"))
    assert error.kind == "concurrency"
    assert "(gave up after 2 attempts in " in error.msg
    assert error.api_calls == len(sim.requests()) == 2


@pytest.mark.parametrize("fault, kind", [
    ({"kind": "maintenance"}, "maintenance"),
    ({"kind": "status", "status": 500}, "server_error"),
    ({"kind": "status", "status": 502}, "server_error"),
    ({"kind": "status", "status": 503}, "server_error"),
    ({"kind": "html"}, "server_error"),
    ({"kind": "drop"}, "network"),
])
def test_transient_failures_are_retried_with_one_warning_each(sim, fault, kind):
    fault = dict(fault, times=2)
    sim.admin("/_sim/faults", fault)
    rec = Recorder()
    client = rec.client(sim.url)
    answer = client.contact_center("information", "token_info")
    assert answer.status == 200 and answer.attempts == 3
    assert client.api_calls == 3 and len(sim.requests()) == 3
    assert len(rec.warnings) == 2
    assert rec.warnings[0].startswith("wolkvox token_info: ")
    assert re.search(r"retrying in [0-9.]+ seconds \(retry 1 of 4\)$", rec.warnings[0])


@pytest.mark.parametrize("fault, says", [
    ({"kind": "maintenance"}, "the platform is in maintenance or refused the request for a reason it does not name "
                              "(HTTP 403 API CONSUMPTION IS TEMPORARILY DISABLED DUE TO SERVER MAINTENANCE): try later"),
    ({"kind": "status", "status": 503}, "the platform failed to answer (HTTP 503 The server could not complete"),
    ({"kind": "html", "status": 502}, "the platform answered HTTP 502 with a body that is not JSON: '<!DOCTYPE html>"),
    ({"kind": "drop"}, "could not reach http://127.0.0.1:"),
])
def test_transient_failures_that_last_give_up_after_the_retries(sim, fault, says):
    sim.admin("/_sim/faults", dict(fault, times=None))
    rec = Recorder()
    error = fails(lambda: rec.client(sim.url, retries=2).contact_center("information", "token_info"))
    assert says in error.msg
    assert re.search(r"\(gave up after 3 attempts in \d+ seconds; retries: 2\)$", error.msg)
    assert error.api_calls == 3 and len(sim.requests()) == 3 and len(rec.warnings) == 2


def test_a_response_slower_than_the_timeout(sim):
    sim.admin("/_sim/faults", {"kind": "delay", "seconds": 2.5, "times": 1})
    rec = Recorder()
    client = rec.client(sim.url, timeout=1)
    answer = client.contact_center("information", "routing_points")
    assert answer.data[0]["rp_name"] == "Sales"
    assert client.api_calls == 2
    assert "no complete answer from %s within 1 seconds (timeout)" % sim.url in rec.warnings[0]


def test_retries_zero_sends_exactly_one_request(sim):
    sim.admin("/_sim/faults", {"kind": "status", "status": 503, "times": None})
    error = fails(lambda: Recorder().client(sim.url, retries=0).contact_center("information", "token_info"))
    assert error.kind == "server_error" and error.api_calls == 1
    assert "gave up" not in error.msg


@pytest.mark.parametrize("fault, says", [
    ({"kind": "non_json"}, "the platform answered HTTP 200 with a body that is not JSON: 'Service temporarily unavailable"),
    ({"kind": "truncated_json"}, "with a body that is not JSON: '{\"code\": \"200\", \"error\": null, \"msg\": \" 1 records were fo'"),
    ({"kind": "empty_body"}, "the platform answered HTTP 200 with an empty body"),
    ({"kind": "not_object"}, "the platform answered HTTP 200 with JSON that is not an object: '[\"this\""),
])
def test_bad_bodies_are_clear_errors_and_not_retried(sim, fault, says):
    sim.admin("/_sim/faults", fault)
    error = fails(lambda: Recorder().client(sim.url).contact_center("information", "token_info"))
    assert error.kind == "bad_answer" and error.status == 200
    assert says in error.msg
    assert error.api_calls == 1


def test_a_long_body_is_cut_to_200_characters_in_the_message(sim):
    sim.admin("/_sim/faults", {"kind": "html", "status": 404})
    error = fails(lambda: Recorder().client(sim.url).contact_center("information", "token_info"))
    page = html_page(404)
    assert len(page) > 300
    assert error.msg == "the platform answered HTTP 404 with a body that is not JSON: %r" % page[:200]


def test_nothing_listening(sim):
    url = sim.url
    sim.stop()
    rec = Recorder()
    error = fails(lambda: rec.client(url, retries=1).contact_center("information", "token_info"))
    assert error.kind == "network" and error.api_calls == 2
    assert "could not reach %s" % url in error.msg


# -- the token never shows ----------------------------------------------------------------------


def test_a_token_echoed_by_the_platform_is_redacted_everywhere(sim):
    sim.admin("/_sim/faults", {"faults": [{"kind": "status", "status": 503, "msg": "overloaded for " + TOKEN},
                                          {"kind": "echo_token"}]})
    rec = Recorder()
    error = fails(lambda: rec.client(sim.url).contact_center("information", "token_info"))
    assert error.kind == "invalid_token"
    shown = [error.msg, json.dumps(error.body)] + rec.warnings
    assert all(TOKEN not in text for text in shown)
    assert REDACTED in error.body["msg"] and REDACTED in rec.warnings[0]


def test_a_token_in_a_non_json_body_is_redacted(sim):
    sim.admin("/_sim/faults", {"kind": "status", "status": 400, "msg": "bad token " + TOKEN})
    error = fails(lambda: Recorder().client(sim.url).contact_center("information", "token_info"))
    assert TOKEN not in error.msg and REDACTED in error.msg


# -- the per-token limit, across processes --------------------------------------------------------


def _burst(url, limit, count, queue):
    client = WolkvoxClient(params(url, token=BURST, max_concurrent_requests=limit, retries=0), backoff=FAST)
    outcomes = []
    for dummy in range(count):
        try:
            client.contact_center("information", "token_info")
            outcomes.append("ok")
        except WolkvoxError as exc:
            outcomes.append(exc.kind)
    queue.put(outcomes)


def clear_congestion():
    """Forget earlier tests' concurrency refusals, which make this machine's forks use one slot for a while."""
    for name in os.listdir(limiter_directory()):
        if name.endswith(".congested"):
            os.remove(os.path.join(limiter_directory(), name))


def run_processes(sim, limit, processes=4, count=4):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_burst, args=(sim.url, limit, count, queue)) for dummy in range(processes)]
    for worker in workers:
        worker.start()
    outcomes = [outcome for dummy in workers for outcome in queue.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=10)
    return outcomes


def test_processes_sharing_a_token_stay_within_the_platform_limit(sim):
    sim.admin("/_sim/config", {"latency": 0.1})
    outcomes = run_processes(sim, limit=2)
    assert outcomes == ["ok"] * 16
    assert [e["outcome"] for e in sim.requests()].count("concurrency") == 0


def test_without_the_limiter_the_platform_refuses_the_excess(sim):
    # the same burst with the limiter opened wide: proof that the test above can fail
    clear_congestion()
    sim.admin("/_sim/config", {"latency": 0.1})
    outcomes = run_processes(sim, limit=8)
    assert "concurrency" in outcomes
    assert [e["outcome"] for e in sim.requests()].count("concurrency") == outcomes.count("concurrency")


def test_the_limiter_keeps_the_token_off_the_disk(sim):
    Recorder().client(sim.url).contact_center("information", "token_info")
    directory = limiter_directory()
    assert os.stat(directory).st_mode & 0o777 == 0o700
    names = os.listdir(directory)
    assert names and not any(TOKEN in name for name in names)
    for name in names:
        with open(os.path.join(directory, name), "rb") as handle:
            assert handle.read() == b""


def test_a_limit_above_the_platforms_warns(sim):
    rec = Recorder()
    rec.client(sim.url, max_concurrent_requests=3)
    assert rec.warnings == ["max_concurrent_requests is 3 but the platform serves 2 requests per token at once: "
                            "the rest are refused and retried"]


# -- a hostile server: the excerpt of a body that is not JSON -----------------------------------------

HOSTILE_TOKEN = "hx/Tok-9f3a2b7c1d5e"


def test_redaction_happens_before_the_excerpt_is_cut(hostile):
    params = dict(api_params(hostile.url, api="excerpt"), token=HOSTILE_TOKEN, retries=0)
    dummy, failure = execute(_api, params, False, False, None, None)
    assert failure["error_kind"] == "server_error"
    assert "xxxx" + REDACTED in failure["msg"]
    assert not any(HOSTILE_TOKEN[:k] in failure["msg"] for k in range(6, len(HOSTILE_TOKEN)))


def api_params(url, **values):
    base = {"server": url, "token": TOKEN, "timeout": 5, "validate_certs": True, "ca_path": None, "retries": 0,
            "max_concurrent_requests": 2, "file": "information", "api": "token_info", "method": "GET", "query": {},
            "body": None, "date_ini": None, "date_end": None, "empty_on_not_found": None}
    base.update(values)
    return base


# -- time: the whole exchange is bounded -------------------------------------------------------------


def test_timeout_bounds_the_whole_exchange_of_a_trickling_server(hostile):
    client = Recorder().client(hostile.url, timeout=2, retries=0)
    started = time.monotonic()
    error = fails(lambda: client.contact_center("information", "trickle"))
    assert time.monotonic() - started < 4
    assert error.kind == "timeout" and "within 2 seconds" in error.msg


# -- writes are never sent twice blindly -----------------------------------------------------------


@pytest.mark.parametrize("fault", [
    {"kind": "lose_answer"},
    {"kind": "status", "status": 503},
    {"kind": "delay", "seconds": 2.5},
    {"kind": "drop"},
])
def test_a_write_whose_outcome_is_unknown_is_sent_once(sim, fault):
    sim.admin("/_sim/faults", dict(fault, api="add_ip"))
    client = Recorder().client(sim.url, timeout=1)
    error = fails(lambda: client.contact_center("configuration", "add_ip", method="POST", body={"ip": "198.51.100.4"}))
    assert error.kind == "outcome_unknown"
    assert "was not sent again" in error.msg and "Read the current state" in error.msg
    time.sleep(fault.get("seconds", 0))  # the simulator logs a slow request when it has answered it
    assert [e["api"] for e in sim.requests()] == ["add_ip"] and error.api_calls == 1


@pytest.mark.parametrize("fault", [{"kind": "concurrency"}, {"kind": "maintenance"}])
def test_a_write_refused_unprocessed_is_sent_again(sim, fault):
    sim.admin("/_sim/faults", dict(fault, api="add_ip", times=2))
    client = Recorder().client(sim.url)
    answer = client.contact_center("configuration", "add_ip", method="POST", body={"ip": "198.51.100.4"})
    assert answer.attempts == 3 and client.api_calls == 3


def test_a_write_to_a_closed_port_is_retried_since_nothing_was_sent(sim):
    url = sim.url
    sim.stop()
    client = Recorder().client(url, retries=2)
    error = fails(lambda: client.contact_center("configuration", "add_ip", method="POST", body={"ip": "198.51.100.4"}))
    assert error.kind == "network" and error.api_calls == 3


def test_reads_keep_their_retries(sim):
    sim.admin("/_sim/faults", {"kind": "lose_answer", "api": "get_ip", "times": 2})
    client = Recorder().client(sim.url)
    answer = client.contact_center("information", "get_ip", allow_not_found=True)
    assert answer.attempts == 3


# -- host names and the limiter's directory ----------------------------------------------------------


def test_a_host_that_does_not_exist_is_one_attempt_and_names_server():
    rec = Recorder()
    error = fails(lambda: rec.client("https://no-such-host.invalid:8080").contact_center("information", "token_info"))
    assert error.kind == "bad_host" and error.api_calls == 1 and rec.warnings == []
    assert "check server" in error.msg


def test_another_users_directory_in_tmp_is_never_used(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir(mode=0o1777)
    os.chmod(str(tmp_path / "tmp"), 0o1777)
    trap = tmp_path / "tmp" / ("wolkvox-limiter-%d" % os.getuid())
    trap.mkdir(mode=0o777)
    os.chmod(str(trap), 0o777)  # as another user would leave it: open to all
    directory = limiter_directory()
    assert directory == str(tmp_path / "home" / ".ansible" / "wolkvox-limiter")
    assert os.stat(directory).st_mode & 0o777 == 0o700


def test_with_no_private_directory_the_client_still_works(sim, tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    (tmp_path / "home").write_text("a file, not a directory")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    os.chmod(str(tmp_path), 0o777)  # writable by all and not sticky: unsafe
    rec = Recorder()
    client = rec.client(sim.url)
    assert client.contact_center("information", "token_info").status == 200
    assert any("no private directory for the concurrency limiter" in warning for warning in rec.warnings)


# -- tokens and CA bundles that cannot work --------------------------------------------------------


@pytest.mark.parametrize("token, says", [
    ("tök-ñ-€", "U+00F1, U+00F6, U+20AC, which an HTTP header cannot carry"),
    ("abc\x00def", "U+0000"),
    ("abc\u200bdef", "U+200B"),
    ("['tok-a', 'tok-b']", "token is a list"),
    ("['tok-a']", "token is a list"),
])
def test_tokens_a_header_cannot_carry_fail_before_any_request(sim, token, says):
    error = fails(lambda: Recorder().client(sim.url, token=token))
    assert error.kind == "bad_option" and says in error.msg
    assert "tok-a" not in error.msg and "def" not in error.msg
    assert sim.requests() == []


def test_a_ca_path_that_is_not_pem_fails_before_any_request(sim, tmp_path):
    der = tmp_path / "ca.der"
    der.write_bytes(b"\x30\x82\x01\x0a binary")
    error = fails(lambda: Recorder().client(sim.url, ca_path=str(der)))
    assert error.kind == "bad_option" and "holds no PEM certificate" in error.msg
    assert sim.requests() == []


def test_the_invalid_token_message_claims_no_source_and_names_the_crm_operation(sim):
    error = fails(lambda: Recorder().client(sim.url, token="nope-1").contact_center("information", "token_info"))
    assert "WOLKVOX_TOKEN" not in error.msg
    client = WolkvoxClient(dict(params(sim.url), operation="Acmee"), platform="crm", backoff=FAST)
    error = fails(lambda: client.crm("token/tokenInformation.php", query={"operation": "Acmee"}))
    assert "the CRM operation name 'Acmee' is not the token's operation" in error.msg


def test_requests_with_the_same_tls_settings_share_one_context_while_reading():
    from ansible.module_utils import urls  # pylint: disable=import-outside-toplevel
    original = urls.make_context
    with SharedTLSContexts():
        first = urls.make_context(cafile=None, ciphers=None, validate_certs=True)
        assert urls.make_context(cafile=None, ciphers=None, validate_certs=True) is first
        assert urls.make_context(cafile=None, ciphers=None, validate_certs=False) is not first
        with SharedTLSContexts():  # nested (a module run inside a reading task): the same contexts
            assert urls.make_context(cafile=None, ciphers=None, validate_certs=True) is first
        assert urls.make_context(cafile=None, ciphers=None, validate_certs=True) is first
    assert urls.make_context is original
    # afterwards, a context of its own again
    assert urls.make_context(cafile=None, ciphers=None, validate_certs=True) is not first


def test_shared_tls_contexts_overlapping_in_threads_restore_make_context_when_the_last_closes():
    import threading  # pylint: disable=import-outside-toplevel
    from ansible.module_utils import urls  # pylint: disable=import-outside-toplevel
    original = urls.make_context
    entered, release = threading.Barrier(3), threading.Event()
    seen = []

    def reader():
        with SharedTLSContexts():
            entered.wait(5)
            seen.append(urls.make_context(cafile=None, ciphers=None, validate_certs=True))
            release.wait(5)

    threads = [threading.Thread(target=reader) for dummy in range(2)]
    for thread in threads:
        thread.start()
    entered.wait(5)  # both inside, whatever order they entered in
    assert urls.make_context is not original
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(seen) == 2 and seen[0] is seen[1]
    assert urls.make_context is original
