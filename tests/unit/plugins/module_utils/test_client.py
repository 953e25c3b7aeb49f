# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared client against the simulator over real loopback HTTP: what it sends, what it says."""

import json
import multiprocessing
import os
import re
import tempfile

import pytest
import yaml

from ansible_collections.wolkvox.wolkvox.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import (
    CONNECTION_ARGSPEC,
    REDACTED,
    WolkvoxClient,
    WolkvoxError,
    resolve_server,
)
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator, html_page

TOKEN = "tok-acme-5f0c2b9e71d44a8f"
OTHER = "tok-globex-0b1d"
FAST = {"concurrency": (0.01, 0.05), "default": (0.01, 0.05)}  # backoff in tests: the same rules, short waits


def fleet():
    return {"operations": [
        {"name": "acme", "licenses": 1, "crm_operation": "Acme",
         "tokens": [{"name": "acme", "token": TOKEN}],
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
    ("34", "contact_center", "write '0034'"),  # YAML read 0042 unquoted as an octal number
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


@pytest.mark.parametrize("fault, kind", [
    ({"kind": "concurrency"}, "concurrency"),
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
    ({"kind": "concurrency"}, "refused a simultaneous request on this token"),
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
    assert "no answer from %s within 1 seconds (timeout)" % sim.url in rec.warnings[0]


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
    client = WolkvoxClient(params(url, max_concurrent_requests=limit, retries=0), backoff=FAST)
    outcomes = []
    for dummy in range(count):
        try:
            client.contact_center("information", "token_info")
            outcomes.append("ok")
        except WolkvoxError as exc:
            outcomes.append(exc.kind)
    queue.put(outcomes)


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
    sim.admin("/_sim/config", {"latency": 0.1})
    outcomes = run_processes(sim, limit=8)
    assert "concurrency" in outcomes
    assert [e["outcome"] for e in sim.requests()].count("concurrency") == outcomes.count("concurrency")


def test_the_limiter_keeps_the_token_off_the_disk(sim):
    Recorder().client(sim.url).contact_center("information", "token_info")
    directory = os.path.join(tempfile.gettempdir(), "wolkvox-limiter-%d" % os.getuid())
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
