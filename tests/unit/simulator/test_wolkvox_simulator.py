# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator seen from a client: real HTTP on loopback, no mocks."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import (
    MSG_CONCURRENCY,
    MSG_INVALID_TOKEN,
    MSG_MAINTENANCE,
    MSG_MISSING_PARAMETER,
    MSG_MISSING_TOKEN,
    MSG_QUOTA,
    MSG_UNKNOWN_API,
    Simulator,
)

SIMULATOR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "simulator", "wolkvox_simulator.py")
DEMO_FIXTURE = os.path.join(os.path.dirname(SIMULATOR), "fixtures", "demo.json")

TOKEN_INFO = "/api/v2/information.php?api=token_info"
ROUTING_POINTS = "/api/v2/information.php?api=routing_points"
ENABLE = "/api/v2/configuration.php?api=enable_module"
DISABLE = "/api/v2/configuration.php?api=disable_module"
CRM_TOKEN = "/server/API/v2/token/tokenInformation.php?operation=AcmeCRM"

ACME = "acme-secret-token-0001"
ACME_REPORTS = "acme-secret-token-0002"
GLOBEX = "globex-secret-token-0001"


def fixture():
    return {
        "operations": [
            {
                "name": "acme",
                "crm_operation": "AcmeCRM",
                "licenses": 1,
                "tokens": [
                    {"name": "acme-main", "token": ACME, "limit": 800},
                    {"name": "acme-reports", "token": ACME_REPORTS},
                ],
                "agents": [{"agent_id": "501", "agent_name": "Ana", "calls_per_day": 12, "status": "Busy"},
                           {"agent_id": "502", "agent_name": "Luis", "calls_per_day": 3}],
                "allowed_ips": [{"ip": "203.0.113.7", "permanent": "yes", "description": "office"}],
                "routing_points": [
                    {"rp_id": "10", "rp_name": "Sales", "ivr_active": "yes", "chat_active": "no",
                     "interaction_active": "yes", "crm_active": "no", "last_use": "2026-01-20 13:42:47"},
                    {"rp_id": "11", "rp_name": "Support", "ivr_active": "no", "chat_active": "yes",
                     "interaction_active": "no", "crm_active": "yes", "last_use_days_ago": 3},
                ],
            },
            {
                "name": "globex",
                "licenses": 2,
                "module_enabled": False,
                "already_answer": "success",
                "empty_answer": "empty_list",
                "tokens": [{"token": GLOBEX}, {"name": "globex-old", "token": "globex-revoked", "revoked": True}],
            },
        ]
    }


@pytest.fixture
def sim():
    with Simulator(fixture()) as server:
        yield server


def call(sim, path, token=None, method="GET", timeout=5, header="wolkvox-token", data=None):
    """One request; returns (HTTP status, raw body, parsed JSON or None)."""
    request = urllib.request.Request(sim.url + path, method=method, data=data)
    if token is not None:
        request.add_header(header, token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return status, raw.decode("utf-8"), parsed


def used_today(sim, operation):
    ops = {op["name"]: op for op in sim.admin("/_sim/state")["operations"]}
    return ops[operation]["used_today"]


# -- endpoints and quirks ------------------------------------------------------


def test_token_info_answers_with_the_platform_quirks(sim):
    status, raw, body = call(sim, TOKEN_INFO, ACME)
    assert status == 200
    assert body["code"] == "200"  # a string here
    assert body["error"] is None
    assert body["msg"] == " 1 records were found"  # leading space
    assert body["data"] == [{
        "description": "token",
        "token_limit": "800",
        "token_use_today": "1",  # token_info itself costs one use
        "all_token_today": "1",
        "available_consumption_options": "799",
    }]


def test_all_token_today_adds_up_every_token_of_the_operation(sim):
    call(sim, ROUTING_POINTS, ACME_REPORTS)
    call(sim, ROUTING_POINTS, ACME_REPORTS)
    body = call(sim, TOKEN_INFO, ACME)[2]
    assert body["data"][0]["token_use_today"] == "1"
    assert body["data"][0]["all_token_today"] == "3"
    # a token without its own limit gets the operation's quota: licenses x 1000
    assert call(sim, TOKEN_INFO, ACME_REPORTS)[2]["data"][0]["token_limit"] == "1000"


def test_routing_points_all_and_one(sim):
    status, raw, body = call(sim, ROUTING_POINTS, ACME)
    assert status == 200
    assert body["code"] == 200  # an integer here
    assert body["msg"] == "2 records were found"
    assert [rp["rp_id"] for rp in body["data"]] == ["10", "11"]
    assert body["data"][0]["ivr_active"] == "yes"
    assert body["data"][0]["last_use"] == "2026-01-20 13:42:47"
    # a relative age in the fixture is rendered as the platform's timestamp
    rendered = time.strptime(body["data"][1]["last_use"], "%Y-%m-%d %H:%M:%S")
    assert abs(time.mktime(rendered) - (time.time() - 3 * 86400)) < 120
    status, raw, body = call(sim, ROUTING_POINTS + "&routing=11", ACME)
    assert [rp["rp_name"] for rp in body["data"]] == ["Support"]


def test_no_routing_points_is_a_404_with_no_data_or_an_empty_list(sim):
    status, raw, body = call(sim, ROUTING_POINTS + "&routing=999", ACME)
    assert (status, body["msg"], body["data"]) == (404, "No data", [])
    status, raw, body = call(sim, ROUTING_POINTS, GLOBEX)
    assert (status, body["msg"], body["data"]) == (200, "0 records were found", [])


def test_module_state_is_kept_per_operation(sim):
    status, raw, body = call(sim, ENABLE, ACME, method="PUT")
    assert (status, body["code"], body["msg"]) == (200, 200, "The acme module is already enabled")
    status, raw, body = call(sim, DISABLE, ACME, method="PUT")
    assert (status, body["code"], body["msg"]) == (202, 202, "The acme module has been successfully disabled")
    assert call(sim, DISABLE, ACME, method="PUT")[2]["msg"] == "The acme module is already disabled"
    assert call(sim, ENABLE, ACME, method="PUT")[0] == 202
    states = {op["name"]: op["module_enabled"] for op in sim.admin("/_sim/state")["operations"]}
    assert states == {"acme": True, "globex": False}


def test_an_operation_can_answer_success_even_when_nothing_changes(sim):
    for dummy in range(2):
        status, raw, body = call(sim, DISABLE, GLOBEX, method="PUT")
        assert (status, body["msg"]) == (202, "The globex module has been successfully disabled")


def test_module_switch_wants_put(sim):
    status, raw, body = call(sim, ENABLE, ACME, method="GET")
    assert status == 405
    assert sim.requests()[-1]["charged"] is False


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_crm_token_information(sim, method):
    status, raw, body = call(sim, CRM_TOKEN, ACME, method=method, header="Wolkvox-Token", data=b"" if method == "POST" else None)
    assert status == 200
    assert (body["code"], body["error"], body["msg"]) == ("200", "null", "1 records were are found")
    data = body["data"]
    assert isinstance(data, dict)  # an object here, numbers as numbers
    assert (data["token_limit"], data["token_use_today"], data["available_consumition_options"]) == (800, 1, 799)
    assert 1 <= data["hours_to_restart_count"] <= 24


def test_crm_refuses_a_missing_or_foreign_operation(sim):
    status, raw, body = call(sim, "/server/API/v2/token/tokenInformation.php", ACME)
    assert (status, body["msg"]) == (400, MSG_MISSING_PARAMETER)
    status, raw, body = call(sim, "/server/API/v2/token/tokenInformation.php?operation=Other", ACME)
    assert (status, body["msg"]) == (403, MSG_INVALID_TOKEN)


def test_unknown_api_and_unknown_file(sim):
    status, raw, body = call(sim, "/api/v2/information.php?api=no_such_api", ACME)
    assert body == {"code": 400, "error": "BAD REQUEST", "msg": MSG_UNKNOWN_API}
    assert status == 400
    status, raw, body = call(sim, "/api/v2/nothing.php?api=token_info", ACME)
    assert status == 404 and body is None and "Not Found" in raw
    assert used_today(sim, "acme") == 0


# -- authentication, quota, concurrency -----------------------------------------


def test_missing_token_header(sim):
    status, raw, body = call(sim, TOKEN_INFO)
    assert (status, body) == (401, {"code": 401, "error": "UNAUTHORIZED", "msg": MSG_MISSING_TOKEN})


@pytest.mark.parametrize("token", ["not-a-token", "globex-revoked"])
def test_invalid_or_revoked_token(sim, token):
    status, raw, body = call(sim, TOKEN_INFO, token)
    assert (status, body) == (403, {"code": 403, "error": "FORBIDDEN", "msg": MSG_INVALID_TOKEN})


def test_the_daily_quota_is_shared_by_the_operations_tokens(sim):
    sim.admin("/_sim/tokens/acme-main", {"used_today": 500})
    sim.admin("/_sim/tokens/acme-reports", {"used_today": 498})
    assert call(sim, TOKEN_INFO, ACME_REPORTS)[0] == 200  # 999 of 1000
    assert call(sim, TOKEN_INFO, ACME)[0] == 200  # 1000 of 1000
    for token in (ACME, ACME_REPORTS):
        status, raw, body = call(sim, TOKEN_INFO, token)
        assert (status, body) == (403, {"code": 403, "error": "FORBIDDEN", "msg": MSG_QUOTA})
    assert used_today(sim, "acme") == 1000  # refused calls are not charged
    assert call(sim, TOKEN_INFO, GLOBEX)[0] == 200  # another operation is not affected
    sim.admin("/_sim/new-day", {})
    assert call(sim, TOKEN_INFO, ACME)[2]["data"][0]["token_use_today"] == "1"


def test_a_token_limit_below_the_operation_quota(sim):
    sim.admin("/_sim/tokens/acme-main", {"used_today": 800})
    assert call(sim, TOKEN_INFO, ACME)[2]["msg"] == MSG_QUOTA
    assert call(sim, TOKEN_INFO, ACME_REPORTS)[0] == 200


def parallel(sim, token, count, path=TOKEN_INFO):
    results = []
    lock = threading.Lock()

    def one():
        answer = call(sim, path, token)
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=one) for dummy in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_third_request_in_flight_on_one_token_is_refused(sim):
    sim.admin("/_sim/config", {"latency": 0.5})
    results = parallel(sim, ACME, 3)
    statuses = sorted(status for status, raw, body in results)
    assert statuses == [200, 200, 403]
    refused = [body for status, raw, body in results if status == 403]
    assert refused == [{"code": 403, "error": "FORBIDDEN", "msg": MSG_CONCURRENCY}]
    assert used_today(sim, "acme") == 2
    outcomes = sorted(entry["outcome"] for entry in sim.requests())
    assert outcomes == ["concurrency", "ok", "ok"]


def test_the_concurrency_limit_is_per_token(sim):
    sim.admin("/_sim/config", {"latency": 0.5})
    results = []
    threads = [threading.Thread(target=lambda t=t: results.append(call(sim, TOKEN_INFO, t)))
               for t in (ACME, ACME, ACME_REPORTS, ACME_REPORTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, raw, body in results] == [200] * 4


# -- faults ----------------------------------------------------------------------


@pytest.mark.parametrize("rule, status, expect", [
    ({"kind": "maintenance"}, 403, lambda raw, body: body["msg"] == MSG_MAINTENANCE),
    ({"kind": "status", "status": 500}, 500, lambda raw, body: body["code"] == 500),
    ({"kind": "status", "status": 502}, 502, lambda raw, body: body["code"] == 502),
    ({"kind": "status", "status": 503}, 503, lambda raw, body: body["code"] == 503),
    ({"kind": "html"}, 502, lambda raw, body: body is None and raw.startswith("<!DOCTYPE html>")),
    ({"kind": "non_json"}, 200, lambda raw, body: body is None and "unavailable" in raw),
    ({"kind": "truncated_json"}, 200, lambda raw, body: body is None and raw.startswith('{"code"')),
    ({"kind": "empty_body"}, 200, lambda raw, body: raw == ""),
    ({"kind": "not_object"}, 200, lambda raw, body: isinstance(body, list)),
    ({"kind": "concurrency"}, 403, lambda raw, body: body["msg"] == MSG_CONCURRENCY),
    ({"kind": "echo_token"}, 403, lambda raw, body: ACME in body["msg"]),
])
def test_each_fault_answers_once_then_the_platform_is_back(sim, rule, status, expect):
    sim.admin("/_sim/faults", rule)
    got_status, raw, body = call(sim, TOKEN_INFO, ACME)
    assert got_status == status
    assert expect(raw, body)
    assert call(sim, TOKEN_INFO, ACME)[0] == 200
    log = sim.requests()
    assert [entry["outcome"] for entry in log] == ["fault:" + rule["kind"], "ok"]
    assert used_today(sim, "acme") == 1  # a faulted request is not charged


def test_faults_are_deterministic_with_skip_times_and_matching(sim):
    sim.admin("/_sim/faults", {"faults": [
        {"kind": "status", "status": 503, "api": "routing_points", "skip": 1, "times": 2},
        {"kind": "maintenance", "token": "acme-reports"},
    ]})
    seen = [call(sim, ROUTING_POINTS, ACME)[0] for dummy in range(4)]
    assert seen == [200, 503, 503, 200]
    assert call(sim, TOKEN_INFO, ACME)[0] == 200  # the rule names routing_points only
    assert call(sim, TOKEN_INFO, ACME_REPORTS)[2]["msg"] == MSG_MAINTENANCE
    assert sim.admin("/_sim/faults")["faults"] == []


def test_a_fault_for_every_request_until_cleared(sim):
    sim.admin("/_sim/faults", {"kind": "maintenance", "times": None})
    assert [call(sim, TOKEN_INFO, ACME)[0] for dummy in range(3)] == [403] * 3
    sim.admin("/_sim/faults", method="DELETE")
    assert call(sim, TOKEN_INFO, ACME)[0] == 200


def test_a_dropped_connection(sim):
    sim.admin("/_sim/faults", {"kind": "drop"})
    with pytest.raises((urllib.error.URLError, ConnectionError, http_client_errors())):
        call(sim, TOKEN_INFO, ACME)
    assert sim.requests()[0]["outcome"] == "fault:drop"
    assert call(sim, TOKEN_INFO, ACME)[0] == 200


def test_a_lost_answer_after_the_request_was_served(sim):
    sim.admin("/_sim/faults", {"kind": "lose_answer", "api": "disable_module"})
    with pytest.raises((urllib.error.URLError, ConnectionError, http_client_errors())):
        call(sim, DISABLE, ACME, method="PUT")
    assert sim.requests()[0]["outcome"] == "ok, answer lost"
    # the platform did the work: the module is disabled and the use was spent
    assert call(sim, DISABLE, ACME, method="PUT")[2]["msg"] == "The acme module is already disabled"
    assert used_today(sim, "acme") == 2


def http_client_errors():
    import http.client  # pylint: disable=import-outside-toplevel
    return http.client.HTTPException


def test_a_response_slower_than_the_client_timeout(sim):
    sim.admin("/_sim/faults", {"kind": "delay", "seconds": 1.5})
    started = time.monotonic()
    with pytest.raises((socket.timeout, urllib.error.URLError)):
        call(sim, TOKEN_INFO, ACME, timeout=0.3)
    assert time.monotonic() - started < 1.2
    time.sleep(1.4)  # the simulator still finishes the slow request: the platform spent a use
    assert call(sim, TOKEN_INFO, ACME)[2]["data"][0]["token_use_today"] == "2"


def test_added_latency_applies_to_every_answer(sim):
    sim.admin("/_sim/config", {"latency": 0.2})
    started = time.monotonic()
    call(sim, TOKEN_INFO, ACME)
    assert time.monotonic() - started >= 0.2


def test_bad_fault_rules_are_refused_with_the_accepted_kinds(sim):
    with pytest.raises(urllib.error.HTTPError) as err:
        sim.admin("/_sim/faults", {"kind": "gremlins"})
    assert err.value.code == 400
    assert "maintenance" in json.loads(err.value.read())["error"]


# -- the request log ---------------------------------------------------------------


def test_the_request_log_names_tokens_by_label_never_by_value(sim):
    call(sim, TOKEN_INFO, ACME)
    call(sim, ROUTING_POINTS + "&routing=10", ACME_REPORTS)
    call(sim, ENABLE, GLOBEX, method="PUT")
    call(sim, TOKEN_INFO, "who-knows")
    call(sim, TOKEN_INFO)
    log = sim.requests()
    assert [(e["method"], e["api"], e["token"], e["status"]) for e in log] == [
        ("GET", "token_info", "acme-main", 200),
        ("GET", "routing_points", "acme-reports", 200),
        ("PUT", "enable_module", log[2]["token"], 202),
        ("GET", "token_info", log[3]["token"], 403),
        ("GET", "token_info", None, 401),
    ]
    assert log[1]["query"] == {"api": "routing_points", "routing": "10"}
    assert log[2]["token"].startswith("sha256:") and log[3]["token"].startswith("sha256:")
    raw = json.dumps(log)
    for secret in (ACME, ACME_REPORTS, GLOBEX, "who-knows"):
        assert secret not in raw
    sim.admin("/_sim/requests", method="DELETE")
    assert sim.requests() == []


def test_reset_restores_the_fixture(sim):
    call(sim, DISABLE, ACME, method="PUT")
    sim.admin("/_sim/faults", {"kind": "maintenance"})
    sim.admin("/_sim/reset", {})
    state = sim.admin("/_sim/state")["operations"]
    assert [(op["used_today"], op["module_enabled"]) for op in state] == [(0, True), (0, False)]
    assert sim.requests() == []
    assert call(sim, TOKEN_INFO, ACME)[0] == 200


# -- running on its own ---------------------------------------------------------------


def test_it_runs_on_its_own_on_a_free_port_and_stops_cleanly(tmp_path):
    port_file = tmp_path / "port"
    proc = subprocess.Popen(
        [sys.executable, SIMULATOR, "--port", "0", "--port-file", str(port_file), "--fixture", DEMO_FIXTURE],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first_line = proc.stdout.readline()
        port = int(port_file.read_text())
        assert first_line.startswith("wolkvox simulator listening on http://127.0.0.1:%d " % port)
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, TOKEN_INFO))
        request.add_header("wolkvox-token", "demo-bogota-retail-8c1f7e2a9d4b")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["data"][0]["description"] == "token"
        # it listens on loopback only
        assert _connects("127.0.0.1", port)
        for other in _other_local_addresses():
            assert not _connects(other, port), other
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "wolkvox simulator stopped" in out


def _connects(address, port):
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((address, port)) == 0


def _other_local_addresses():
    """This machine's own addresses besides 127.0.0.1 (no packet leaves it)."""
    try:
        found = socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        found = []
    return sorted(set(found + ["127.0.0.2"]) - {"127.0.0.1"})


def test_a_bad_fixture_is_refused_with_a_clear_message(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"operations": [{"licenses": 2}]}))
    proc = subprocess.run([sys.executable, SIMULATOR, "--port", "0", "--fixture", str(bad)],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2
    assert "operations[0] needs a 'name'" in proc.stderr


# -- endpoints beyond the first three: reports, real time, allowed IPs --------------------------------


def test_a_report_needs_dates_within_31_days(sim):
    path = "/api/v2/reports_manager.php?api=agent_1"
    status, raw, body = call(sim, path + "&date_ini=20260101000000&date_end=20260102235959", ACME)
    assert (status, body["msg"]) == (200, "4 records were found")
    assert [(row["date"], row["agent_name"], row["calls"]) for row in body["data"]][:2] == [
        ("20260101", "Ana", "12"), ("20260101", "Luis", "3")]
    assert call(sim, path, ACME)[2]["msg"] == MSG_MISSING_PARAMETER
    assert call(sim, path + "&date_ini=20260101000000&date_end=20260301000000", ACME)[0] == 400
    assert call(sim, "/api/v2/reports_manager.php?api=agents&date_ini=20260101000000&date_end=20260102000000",
                ACME)[2]["msg"] == MSG_UNKNOWN_API


def test_real_time_agents(sim):
    status, raw, body = call(sim, "/api/v2/real_time.php?api=agents", ACME)
    assert [(a["agent_name"], a["agent_status"]) for a in body["data"]] == [("Ana", "Busy"), ("Luis", "Available")]


def test_allowed_ips_with_the_observed_body_codes(sim):
    add = "/api/v2/configuration.php?api=add_ip"
    remove = "/api/v2/configuration.php?api=remove_ip"
    new = json.dumps({"ip": "198.51.100.20", "permanent": "no", "description": "vpn"}).encode()
    assert call(sim, add, ACME, method="POST", data=new)[2]["code"] == "200"
    status, raw, body = call(sim, add, ACME, method="POST", data=new)
    assert (status, body["code"]) == (200, "404")  # already registered
    assert call(sim, add, ACME, method="POST", data=b'{"ip": "300.1.1.1"}')[2]["code"] == "406"
    ips = [entry["ip"] for entry in call(sim, "/api/v2/information.php?api=get_ip", ACME)[2]["data"]]
    assert ips == ["203.0.113.7", "198.51.100.20"]
    assert call(sim, remove, ACME, method="DELETE", data=b'{"ip": "198.51.100.20"}')[2]["code"] == "200"
    assert call(sim, remove, ACME, method="DELETE", data=b'{"ip": "198.51.100.20"}')[2]["code"] == "404"
    assert call(sim, add, ACME, method="POST")[2]["msg"] == MSG_MISSING_PARAMETER
