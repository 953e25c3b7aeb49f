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
    CONTACT_CENTER_APIS,
    MSG_CONCURRENCY,
    MSG_INVALID_TOKEN,
    MSG_MAINTENANCE,
    MSG_MISSING_PARAMETER,
    MSG_MISSING_TOKEN,
    MSG_PASSWORD,
    MSG_QUOTA,
    MSG_UNKNOWN_API,
    Simulator,
)

SIMULATOR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "simulator", "wolkvox_simulator.py")
DEMO_FIXTURE = os.path.join(os.path.dirname(SIMULATOR), "fixtures", "demo.json")
RESOURCES_FIXTURE = os.path.join(os.path.dirname(SIMULATOR), "fixtures", "resources.json")

TOKEN_INFO = "/api/v2/information.php?api=token_info"
ROUTING_POINTS = "/api/v2/information.php?api=routing_points"
ENABLE = "/api/v2/configuration.php?api=enable_module"
DISABLE = "/api/v2/configuration.php?api=disable_module"
CRM_TOKEN = "/server/API/v2/token/tokenInformation.php?operation=AcmeCRM"
INFO = "/api/v2/information.php?api="
CONF = "/api/v2/configuration.php?api="
CAMP = "/api/v2/campaign.php?api="

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
                           {"agent_id": "502", "agent_name": "Luis", "calls_per_day": 3, "enabled": "no"}],
                "allowed_ips": [{"ip": "203.0.113.7", "permanent": "yes", "description": "office"}],
                "skills": [{"skill_id": "1", "skill_name": "Sales", "skill_description": "sales desk", "voicemail": "yes",
                            "agents": [{"agent_id": "501", "expertise": "5"}]},
                           {"skill_id": "2", "skill_name": "Support"}],
                "activity_codes": [
                    {"type_code": "cod_act1", "cod_act": "020", "description_cod_act": "Sale", "hit": "yes", "rpc": "yes",
                     "voice": "yes"},
                    {"type_code": "cod_act2", "cod_act": "021", "description_cod_act": "Call back", "hit": "yes"},
                ],
                "dnc": {"inbound": ["3001112233"], "outbound": {"3004445566": "2026-01-20 13:42:47"}},
                "campaigns": [
                    {"campaign_id": "23910", "campaign_name": "Renewals", "type_campaign": "predictive", "skill_id": "1"},
                    {"campaign_id": "23911", "campaign_name": "Survey", "type_campaign": "preview", "status": "Started"},
                ],
                "services": {"whatsapp": "yes"},
                "connectors": [{"connector_id": "7", "rp_id": "10", "name": "Web chat", "channel": "chat"}],
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


def test_a_crm_operations_token_is_a_crm_token_only():
    fleet = {"operations": [{"name": "cali", "platform": "crm", "crm_operation": "CaliCRM", "licenses": 5,
                             "tokens": [{"token": "cali-crm-token-01", "limit": 4800, "used_today": 1380}]}]}
    with Simulator(fleet) as server:
        status, raw, body = call(server, "/server/API/v2/token/tokenInformation.php?operation=CaliCRM",
                                 "cali-crm-token-01", header="Wolkvox-Token")
        assert status == 200 and body["data"]["token_use_today"] == 1381
        assert body["data"]["available_consumition_options"] == 4800 - 1381
        # the contact center does not know a CRM token, and charges nothing for refusing it
        status, raw, body = call(server, TOKEN_INFO, "cali-crm-token-01")
        assert (status, body["msg"]) == (403, MSG_INVALID_TOKEN)
        state = server.admin("/_sim/state")["operations"][0]
        assert (state["platform"], state["used_today"]) == ("crm", 1381)
        assert [entry["charged"] for entry in server.requests()] == [True, False]


def test_a_fixture_platform_must_be_known():
    with pytest.raises(Exception, match="platform is 'contact_center' or 'crm'"):
        Simulator({"operations": [{"name": "x", "platform": "pbx"}]})


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
    assert time.monotonic() - started < 1.4  # the client did not wait for the 1.5-second answer
    time.sleep(2.5)  # the simulator still finishes the slow request: the platform spent a use
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


def _cli(*args):
    return subprocess.run([sys.executable, SIMULATOR] + list(args), capture_output=True, text=True, timeout=60,
                          check=False)


def _alive(pid):
    try:
        with open("/proc/%d/status" % pid, encoding="utf-8") as handle:
            return "\nState:\tZ" not in handle.read()  # a zombie has ended already
    except OSError:
        return False


def test_start_runs_it_in_the_background_and_stop_ends_it_by_its_process_id(tmp_path):
    where = tmp_path / "sim"
    started = _cli("start", "--dir", str(where), "--fixture", DEMO_FIXTURE)
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip()
    assert url.startswith("http://127.0.0.1:") and (where / "simulator.url").read_text().strip() == url
    pid = int((where / "simulator.pid").read_text())
    try:
        request = urllib.request.Request(url + TOKEN_INFO)
        request.add_header("wolkvox-token", "demo-bogota-retail-8c1f7e2a9d4b")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["data"][0]["description"] == "token"
        # a second start on the same directory is refused while the first may run: it would lose its process id
        again = _cli("start", "--dir", str(where), "--fixture", DEMO_FIXTURE)
        assert again.returncode == 1 and "simulator.pid exists" in again.stderr
    finally:
        stopped = _cli("stop", "--dir", str(where))
    assert (stopped.returncode, stopped.stdout.strip()) == (0, "wolkvox simulator stopped")
    assert not _alive(pid)
    assert sorted(path.name for path in where.iterdir()) == ["simulator.log"]
    assert "wolkvox simulator stopped" in (where / "simulator.log").read_text()
    # nothing left to stop
    assert _cli("stop", "--dir", str(where)).stdout.strip() == "no wolkvox simulator ran with --dir %s" % where


def test_start_says_why_the_simulator_did_not_start(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"operations": [{"licenses": 2}]}))
    started = _cli("start", "--dir", str(tmp_path / "sim"), "--fixture", str(bad))
    assert started.returncode == 1 and started.stdout == ""
    assert "wolkvox simulator: cannot start" in started.stderr
    assert "operations[0] needs a 'name'" in started.stderr
    assert not (tmp_path / "sim" / "simulator.pid").exists()


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


def test_real_time_campaigns_is_a_bare_json_array(sim):
    status, raw, body = call(sim, "/api/v2/real_time.php?api=campaigns", ACME)
    assert status == 200 and raw.startswith("[")
    assert [(row["campaign"], row["status"]) for row in body] == [
        ("23910 - Renewals", "Stopped"), ("23911 - Survey", "Started")]
    assert call(sim, "/api/v2/real_time.php?api=campaigns", GLOBEX)[1] == "[]"  # no campaign: an empty array


REPORT = "/api/v2/reports_manager.php?api=cdr_1&date_ini=%s&date_end=%s"


def test_a_report_window_with_no_rows_is_validate_dates_entered(sim):
    sim.admin("/_sim/operations/acme", {"report_empty_days": ["2026-01-02", "2026-02-01..2026-02-28"]})
    status, raw, body = call(sim, REPORT % ("20260102000000", "20260102235959"), ACME)
    assert (status, body) == (404, {"code": 404, "error": "NOT FOUND", "msg": "Validate dates entered"})
    assert call(sim, REPORT % ("20260201000000", "20260228235959"), ACME)[0] == 404
    status, raw, body = call(sim, REPORT % ("20260101000000", "20260103235959"), ACME)
    assert [row["date"] for row in body["data"]] == ["20260101", "20260101", "20260103", "20260103"]
    assert used_today(sim, "acme") == 3  # an empty window spends its use too
    # an operation that answers an empty list instead keeps doing so
    assert call(sim, REPORT % ("20260101000000", "20260101235959"), GLOBEX)[2]["data"] == []


def test_report_rows_per_day_are_spread_over_the_day_and_capped_at_60000(sim):
    sim.admin("/_sim/operations/acme", {"report_rows_per_day": 4})
    status, raw, body = call(sim, REPORT % ("20260101000000", "20260101235959"), ACME)
    assert [row["date"] for row in body["data"]] == ["20260101000000", "20260101060000", "20260101120000",
                                                     "20260101180000"]
    assert [row["date"] for row in call(sim, REPORT % ("20260101060000", "20260101115959"), ACME)[2]["data"]] == [
        "20260101060000"]
    sim.admin("/_sim/operations/acme", {"report_rows_per_day": 2000})
    status, raw, body = call(sim, REPORT % ("20260101000000", "20260131235959"), ACME, timeout=30)
    assert (status, len(body["data"]), body["msg"]) == (200, 60000, "60000 records were found")
    assert body["data"][-1]["date"] == "20260130235916"  # the first 60,000: 30 days of 2,000


@pytest.mark.parametrize("values, says", [
    ({"report_empty_days": ["2026-13-01"]}, "is not a date YYYY-MM-DD nor a range"),
    ({"report_empty_days": ["yesterday"]}, "is not a date YYYY-MM-DD nor a range"),
    ({"report_rows_per_day": 0}, "report_rows_per_day must be a whole number from 1 to 86400"),
    ({"report_rows_per_day": "10"}, "report_rows_per_day must be a whole number from 1 to 86400"),
])
def test_bad_report_settings_are_refused(values, says):
    bad = fixture()
    bad["operations"][0].update(values)
    with pytest.raises(ValueError, match=says):
        Simulator(bad)


def test_allowed_ips_with_the_observed_body_codes(sim):
    add = "/api/v2/configuration.php?api=add_ip"
    remove = "/api/v2/configuration.php?api=remove_ip"
    new = json.dumps({"ip": "198.51.100.20", "permanent": "no", "description": "vpn"}).encode()
    status, raw, body = call(sim, add, ACME, method="POST", data=new)
    assert (status, body) == (200, {"code": "201", "error": None, "msg": "IP: 198.51.100.20 has been added successfully"})
    status, raw, body = call(sim, add, ACME, method="POST", data=new)
    assert (status, body["code"], body["msg"]) == (200, "404", "THE IP IS ALREADY REGISTERED")
    status, raw, body = call(sim, add, ACME, method="POST", data=b'{"ip": "300.1.1.1"}')
    assert (status, body["code"], body["msg"]) == (200, "406", "INVALID IP")
    ips = [entry["ip"] for entry in call(sim, "/api/v2/information.php?api=get_ip", ACME)[2]["data"]]
    assert ips == ["203.0.113.7", "198.51.100.20"]
    status, raw, body = call(sim, remove, ACME, method="DELETE", data=b'{"ip": "198.51.100.20"}')
    assert (status, body) == (200, {"code": "202", "error": None, "msg": "IP: 198.51.100.20 has been deleted successfully"})
    assert call(sim, remove, ACME, method="DELETE", data=b'{"ip": "198.51.100.20"}')[2]["code"] == "404"
    assert call(sim, remove, ACME, method="DELETE", data=b'{"ip": "198.51.100.x"}')[2]["code"] == "406"
    assert call(sim, add, ACME, method="POST")[2]["msg"] == MSG_MISSING_PARAMETER


# -- configuration resources: helpers --------------------------------------------------------------------------


def send(sim, method, path, body=None, token=ACME, timeout=10):
    """One request with a JSON body; returns (HTTP status, raw body, parsed JSON or None)."""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    return call(sim, path, token, method=method, data=data, timeout=timeout)


def resources(sim, operation="acme"):
    """The operation's resources as the administration API shows them."""
    return sim.admin("/_sim/operations/" + operation)


def read(sim, api, token=ACME):
    status, raw, body = call(sim, INFO + api, token)
    assert status == 200, raw
    return body["data"]


# -- allowed IPs --------------------------------------------------------------------------------------------------


def test_allowed_ips_read_in_the_vendors_shape(sim):
    status, raw, body = call(sim, INFO + "get_ip", ACME)
    assert (status, body["code"], body["error"], body["msg"]) == (200, "200", None, " 1 records were found")
    assert body["data"] == [{"operation": "acme", "ip": "203.0.113.7", "last_use": "", "type_ip": "permanente",
                             "description": "office"}]
    send(sim, "POST", CONF + "add_ip", {"ip": "198.51.100.9", "permanent": "no", "description": "vpn"})
    assert read(sim, "get_ip")[1]["type_ip"] == "temporal"


def test_no_allowed_ip_keeps_the_empty_answer_switch(sim):
    assert call(sim, INFO + "get_ip", GLOBEX)[:1] == (200,)
    assert call(sim, INFO + "get_ip", GLOBEX)[2]["data"] == []
    send(sim, "DELETE", CONF + "remove_ip", {"ip": "203.0.113.7"})
    status, raw, body = call(sim, INFO + "get_ip", ACME)
    assert (status, body["msg"], body["data"]) == (404, "No data", [])


def test_five_permanent_ips_per_operation_and_ten_per_license(sim):
    for number in range(2, 6):  # the fixture's office address is the first permanent one
        assert send(sim, "POST", CONF + "add_ip", {"ip": "192.0.2.%d" % number, "permanent": "yes"})[2]["code"] == "201"
    status, raw, body = send(sim, "POST", CONF + "add_ip", {"ip": "192.0.2.6", "permanent": "yes"})
    assert (status, body["code"]) == (200, "406")
    assert "5 PERMANENT" in body["msg"]
    for number in range(6, 11):  # temporal ones are still taken, up to 10 for the one license
        assert send(sim, "POST", CONF + "add_ip", {"ip": "192.0.2.%d" % number, "permanent": "no"})[2]["code"] == "201"
    status, raw, body = send(sim, "POST", CONF + "add_ip", {"ip": "192.0.2.11", "permanent": "no"})
    assert (status, body["code"]) == (200, "406")
    assert "10 IPS" in body["msg"]
    assert len(resources(sim)["allowed_ips"]) == 10
    # a second license takes ten more
    sim.admin("/_sim/operations/acme", {"licenses": 2})
    assert send(sim, "POST", CONF + "add_ip", {"ip": "192.0.2.11", "permanent": "no"})[2]["code"] == "201"


def test_a_permanent_flag_is_yes_or_no(sim):
    status, raw, body = send(sim, "POST", CONF + "add_ip", {"ip": "192.0.2.1", "permanent": True})
    assert (status, body["code"]) == (400, 400)
    assert len(resources(sim)["allowed_ips"]) == 1


# -- agents ----------------------------------------------------------------------------------------------------------


def test_agents_read_in_the_vendors_shape_with_derived_fields(sim):
    status, raw, body = call(sim, INFO + "agents", ACME)
    assert (status, body["code"], body["error"], body["msg"]) == (200, "", None, " 2 records were found")
    assert body["data"][0] == {"agent_id": "501", "agent_name": "Ana", "agent_dni": "DNI501", "agent_status": "Busy",
                               "last_use": "", "agent_sso": "", "enabled": "yes"}
    assert body["data"][1]["enabled"] == "no"
    assert [agent["agent_name"] for agent in read(sim, "agents&agent=502")] == ["Luis"]
    status, raw, body = call(sim, INFO + "agents&agent=999", ACME)
    assert (status, body["msg"]) == (404, "No data")


def test_create_agent_takes_the_next_extension_and_a_given_password(sim):
    body = {"agent_dni": "0010203", "agent_name": "Phoenix  Jones", "agent_sso": "pj@example.com", "agent_pass": "Secr3t!Pass"}
    status, raw, answer = send(sim, "POST", CONF + "create_agent", body)
    assert (status, answer) == (200, {"code": 201, "error": None, "msg": "Agent has been created",
                                      "data": [{"agent_id": "503", "password": "Secr3t!Pass"}]})
    assert read(sim, "agents&agent=503") == [{"agent_id": "503", "agent_name": "Phoenix  Jones", "agent_dni": "0010203",
                                              "agent_status": "Disconnected", "last_use": "", "agent_sso": "pj@example.com",
                                              "enabled": "yes"}]


def test_the_platform_does_not_refuse_a_duplicate_dni(sim):
    body = {"agent_dni": "0010203", "agent_name": "Twin", "agent_sso": "", "agent_pass": ""}
    ids = [send(sim, "POST", CONF + "create_agent", body)[2]["data"][0]["agent_id"] for dummy in range(2)]
    assert ids == ["503", "504"]
    assert [agent["agent_id"] for agent in read(sim, "agents") if agent["agent_dni"] == "0010203"] == ids


@pytest.mark.parametrize("given", [{"agent_pass": ""}, {}])
def test_create_agent_generates_a_password_when_none_is_given(sim, given):
    passwords = set()
    for number in range(5):
        body = dict(given, agent_dni="9%d" % number, agent_name="Gen %d" % number)
        status, raw, answer = send(sim, "POST", CONF + "create_agent", body)
        assert (status, answer["code"]) == (200, 201)
        password = answer["data"][0]["password"]
        assert len(password) >= 8
        assert any(char.isupper() for char in password)
        assert any(char.islower() for char in password)
        assert any(char.isdigit() for char in password)
        assert any(char in "!#%&*@" for char in password)
        passwords.add(password)
    assert len(passwords) == 5
    assert all(agent["password_set"] for agent in sim.admin("/_sim/agents/acme")["agents"][2:])


@pytest.mark.parametrize("password", ["secr3t!pass", "SECR3T!PASS", "Secret!Pass", "Secr3tPass", "Secr3t$Pass"])
def test_a_password_without_every_class_is_refused(sim, password):
    status, raw, body = send(sim, "POST", CONF + "create_agent", {"agent_dni": "1", "agent_name": "X", "agent_pass": password})
    assert (status, body) == (400, {"code": 400, "error": "BAD REQUEST", "msg": MSG_PASSWORD})
    assert len(resources(sim)["agents"]) == 2


@pytest.mark.parametrize("body", [{"agent_name": "X"}, {"agent_dni": "1"}, {"agent_dni": "", "agent_name": "X"}])
def test_create_agent_needs_a_dni_and_a_name(sim, body):
    status, raw, answer = send(sim, "POST", CONF + "create_agent", body)
    assert (status, answer["msg"]) == (400, MSG_MISSING_PARAMETER)


def test_agent_passwords_never_reach_the_log_nor_the_admin_api(sim):
    send(sim, "POST", CONF + "create_agent", {"agent_dni": "1", "agent_name": "X", "agent_sso": "", "agent_pass": "Secr3t!Pass"})
    send(sim, "PUT", CONF + "edit_agent&agent_id=501", {"agent_pass": "N3w#Secret"})
    send(sim, "POST", CONF + "create_agent", {"agent_dni": "2", "agent_name": "Y", "agent_pass": "weak"})
    log = sim.requests()
    assert [entry["body"]["agent_pass"] for entry in log] == ["********"] * 3
    assert log[0]["body"] == {"agent_dni": "1", "agent_name": "X", "agent_sso": "", "agent_pass": "********"}
    seen = json.dumps([log, resources(sim), sim.admin("/_sim/agents/acme"), sim.admin("/_sim/state")])
    for secret in ("Secr3t!Pass", "N3w#Secret", "weak"):
        assert secret not in seen
    assert [agent["password_set"] for agent in sim.admin("/_sim/agents/acme")["agents"]] == [True, False, True]


def test_edit_agent_takes_its_id_in_the_query(sim):
    status, raw, body = send(sim, "PUT", CONF + "edit_agent&agent_id=501", {"agent_name": "Ana Maria", "agent_sso": "ana@sso"})
    assert (status, body) == (200, {"code": 202, "error": None, "msg": "agent has been updated"})
    assert read(sim, "agents&agent=501")[0] == {"agent_id": "501", "agent_name": "Ana Maria", "agent_dni": "DNI501",
                                                "agent_status": "Busy", "last_use": "", "agent_sso": "ana@sso", "enabled": "yes"}
    status, raw, body = send(sim, "PUT", CONF + "edit_agent&agent_id=999", {"agent_name": "Nobody"})
    assert (status, body) == (404, {"code": 404, "error": "NOT FOUND", "msg": "Agent not found"})
    status, raw, body = send(sim, "PUT", CONF + "edit_agent", {"agent_id": "501", "agent_name": "Body"})
    assert (status, body["msg"]) == (400, MSG_MISSING_PARAMETER)
    assert send(sim, "PUT", CONF + "edit_agent&agent_id=501", {"agent_pass": "weak"})[0] == 400
    assert read(sim, "agents&agent=501")[0]["agent_name"] == "Ana Maria"


def test_enable_and_disable_an_agent(sim):
    status, raw, body = send(sim, "PUT", CONF + "enable_agent", {"agent_id": "502"})
    assert (status, body) == (200, {"code": 202, "error": None, "msg": "502 agent has been enabled"})
    status, raw, body = send(sim, "PUT", CONF + "disable_agent", {"agent_id": "501"})
    assert (status, body) == (200, {"code": 202, "error": None, "msg": "501 agent has been disabled"})
    assert [agent["enabled"] for agent in read(sim, "agents")] == ["no", "yes"]
    status, raw, body = send(sim, "PUT", CONF + "enable_agent", {"agent_id": "999"})
    assert (status, body) == (404, {"code": 404, "error": "NOT FOUND", "msg": "Agent not found"})


def test_fifty_named_agents_per_license(sim):
    sim.admin("/_sim/operations/acme", {"agents": [{"agent_id": str(1000 + n), "agent_name": "A%d" % n} for n in range(50)]})
    status, raw, body = send(sim, "POST", CONF + "create_agent", {"agent_dni": "1", "agent_name": "One too many"})
    assert (status, body["code"], body["msg"]) == (200, "406", "Agent limit reached")
    assert len(resources(sim)["agents"]) == 50


# -- skills and their agents --------------------------------------------------------------------------------------------


def test_skills_read_create_and_edit(sim):
    status, raw, body = call(sim, INFO + "skills", ACME)
    assert (status, body["code"], body["msg"]) == (200, "200", " 2 records were found")
    assert body["data"][0] == {"skill_id": "1", "skill_name": "Sales", "skill_description": "sales desk", "last_use": ""}
    new = {"skill_name": "Billing", "description_skill": "invoices", "voicemail": "yes", "welcome_message": "no", "vto": "30"}
    status, raw, body = send(sim, "POST", CONF + "create_skill", new)
    assert (status, body) == (200, {"code": 201, "error": None, "msg": "Skill has been created", "data": [{"skill_id": "3"}]})
    # written as description_skill, read back as skill_description; voicemail, welcome_message and vto are not read back
    assert read(sim, "skills&skill=3") == [{"skill_id": "3", "skill_name": "Billing", "skill_description": "invoices", "last_use": ""}]
    stored = resources(sim)["skills"][2]
    assert (stored["voicemail"], stored["welcome_message"], stored["vto"]) == ("yes", "no", "30")
    status, raw, body = send(sim, "PUT", CONF + "edit_skill&skill_id=3", {"description_skill": "bills", "vto": "10"})
    assert (status, body) == (200, {"code": 202, "error": None, "msg": "skill has been updated"})
    assert read(sim, "skills&skill=3")[0]["skill_description"] == "bills"
    assert (resources(sim)["skills"][2]["vto"], resources(sim)["skills"][2]["skill_name"]) == ("10", "Billing")
    assert send(sim, "PUT", CONF + "edit_skill&skill_id=99", {"skill_name": "x"})[:1] == (404,)
    assert send(sim, "POST", CONF + "create_skill", {"description_skill": "no name"})[2]["msg"] == MSG_MISSING_PARAMETER
    # there is no endpoint to delete a skill
    assert send(sim, "DELETE", CONF + "remove_skill", {"skill_id": "3"})[2]["msg"] == MSG_UNKNOWN_API


def test_ten_skills_per_license(sim):
    for number in range(8):
        assert send(sim, "POST", CONF + "create_skill", {"skill_name": "S%d" % number})[2]["code"] == 201
    status, raw, body = send(sim, "POST", CONF + "create_skill", {"skill_name": "eleventh"})
    assert (status, body["code"]) == (200, "406")
    assert len(read(sim, "skills")) == 10


def test_agents_in_a_skill_are_added_updated_and_removed(sim):
    status, raw, body = call(sim, INFO + "agents_in_skill&skill_id=1", ACME)
    assert (status, body["code"]) == (200, "200")
    assert body["data"] == [{"agent_id": "501", "agent_name": "Ana", "last_use": "", "expertise": "5"}]
    status, raw, body = send(sim, "POST", CONF + "add_agents_skill", {"skill_id": "1", "agent_id": "502", "expertise": "3"})
    assert (status, body) == (200, {"code": "201", "error": None, "msg": "Agent added successfully"})
    # adding a member again updates its expertise
    assert send(sim, "POST", CONF + "add_agents_skill", {"skill_id": "1", "agent_id": "502", "expertise": "7"})[2]["code"] == "201"
    assert [(row["agent_id"], row["expertise"]) for row in read(sim, "agents_in_skill&skill_id=1")] == [("501", "5"), ("502", "7")]
    status, raw, body = send(sim, "DELETE", CONF + "remove_agents_skill", {"skill_id": "1", "agent_id": "501"})
    assert (status, body) == (200, {"code": "201", "error": None, "msg": "Removed successfully"})
    assert [row["agent_id"] for row in read(sim, "agents_in_skill&skill_id=1")] == ["502"]
    assert send(sim, "DELETE", CONF + "remove_agents_skill", {"skill_id": "1", "agent_id": "501"})[0] == 404


@pytest.mark.parametrize("path, body, msg", [
    (CONF + "add_agents_skill", {"skill_id": "9", "agent_id": "501", "expertise": "1"}, "Skill not found"),
    (CONF + "add_agents_skill", {"skill_id": "1", "agent_id": "999", "expertise": "1"}, "Agent not found"),
    (CONF + "remove_agents_skill", {"skill_id": "9", "agent_id": "501"}, "Skill not found"),
])
def test_members_of_unknown_skills_or_agents_are_404(sim, path, body, msg):
    status, raw, answer = send(sim, "DELETE" if "remove" in path else "POST", path, body)
    assert (status, answer) == (404, {"code": 404, "error": "NOT FOUND", "msg": msg})


def test_agents_in_an_unknown_or_empty_skill(sim):
    status, raw, body = call(sim, INFO + "agents_in_skill&skill_id=9", ACME)
    assert (status, body["msg"]) == (404, "Skill not found")
    assert call(sim, INFO + "agents_in_skill&skill_id=2", ACME)[2]["msg"] == "No data"
    assert call(sim, INFO + "agents_in_skill", ACME)[2]["msg"] == MSG_MISSING_PARAMETER


# -- activity codes -------------------------------------------------------------------------------------------------------


def code_body(**changes):
    body = {"type_code": "cod_act1", "cod_act": "030", "description_cod_act": "Promise", "hit": "yes", "rpc": "no",
            "chat": "no", "studio": "no", "voice": "yes", "interactions": "no"}
    body.update(changes)
    return body


def test_activity_codes_read_in_the_vendors_shape(sim):
    status, raw, body = call(sim, INFO + "activity_codes", ACME)
    assert (status, body["code"], body["msg"]) == (200, "0", " 2 records were found")
    assert body["data"] == [
        {"cod_act": "020", "description_cod_act": "Sale", "hit": "yes", "rpc": "yes", "chat": "no", "studio": "no",
         "voice": "yes", "type_code": "cod_act1", "interactions": "no"},
        # the second level comes back with hit and rpc empty
        {"cod_act": "021", "description_cod_act": "Call back", "hit": "", "rpc": "", "chat": "no", "studio": "no",
         "voice": "no", "type_code": "cod_act2", "interactions": "no"},
    ]
    assert [row["cod_act"] for row in read(sim, "activity_codes&cod_act=021")] == ["021"]


def test_activity_codes_are_created_edited_and_removed(sim):
    status, raw, body = send(sim, "POST", CONF + "create_cod_act", code_body())
    assert (status, body) == (200, {"code": 201, "error": None, "msg": "Code successfully created"})
    status, raw, body = send(sim, "POST", CONF + "create_cod_act", code_body(description_cod_act="Again"))
    assert (status, body["code"], body["msg"]) == (200, "406", "Code already exists")
    # the same code on the other level is another code
    assert send(sim, "POST", CONF + "create_cod_act", code_body(type_code="cod_act2"))[2]["code"] == 201
    status, raw, body = send(sim, "PUT", CONF + "edit_cod_act", code_body(description_cod_act="Kept promise", chat="yes"))
    assert (status, body) == (200, {"code": "201", "error": None, "msg": "Successfully updated code"})
    row = [row for row in read(sim, "activity_codes&cod_act=030") if row["type_code"] == "cod_act1"][0]
    assert (row["description_cod_act"], row["chat"], row["hit"]) == ("Kept promise", "yes", "yes")
    assert send(sim, "PUT", CONF + "edit_cod_act", code_body(cod_act="099"))[0] == 404
    status, raw, body = send(sim, "DELETE", CONF + "remove_cod_act", {"type_code": "cod_act1", "cod_act": ["020", "030"]})
    assert (status, body) == (200, {"code": "201", "error": None, "msg": "Removed successfully"})
    assert send(sim, "DELETE", CONF + "remove_cod_act", {"type_code": "cod_act2", "cod_act": "021"})[2]["code"] == "201"
    assert [(row["type_code"], row["cod_act"]) for row in read(sim, "activity_codes")] == [("cod_act2", "030")]


@pytest.mark.parametrize("changes", [{"type_code": "cod_act3"}, {"hit": "si"}, {"voice": True}, {"cod_act": ""}])
def test_bad_activity_codes_are_refused(sim, changes):
    assert send(sim, "POST", CONF + "create_cod_act", code_body(**changes))[0] == 400
    assert len(resources(sim)["activity_codes"]) == 2


# -- do-not-call numbers -----------------------------------------------------------------------------------------------------


def test_do_not_call_numbers_by_direction(sim):
    status, raw, body = call(sim, INFO + "get_dnc&type=all", ACME)
    assert (status, body["code"], body["msg"]) == (200, "200", " 2 records were found")
    assert body["data"][1] == {"phone_number": "3004445566", "type": "outbound", "date_delete": "2026-01-20 13:42:47"}
    time.strptime(body["data"][0]["date_delete"], "%Y-%m-%d %H:%M:%S")
    assert [row["phone_number"] for row in read(sim, "get_dnc&type=inbound")] == ["3001112233"]
    assert call(sim, INFO + "get_dnc", ACME)[0] == 400
    assert call(sim, INFO + "get_dnc&type=both", ACME)[0] == 400


def test_do_not_call_numbers_are_added_and_deleted(sim):
    status, raw, body = send(sim, "POST", CONF + "add_dnc", {"type_call": "inbound/outbound", "telephones": ["3001112233", "3007778899"]})
    assert (status, body) == (200, {"code": 201, "error": None, "msg": "2 telephones were added"})
    assert send(sim, "POST", CONF + "add_dnc", {"type_call": "inbound", "telephones": ["3001112233"]})[2]["msg"] == "0 telephones were added"
    assert sorted(row["phone_number"] for row in read(sim, "get_dnc&type=outbound")) == ["3001112233", "3004445566", "3007778899"]
    assert sorted(row["phone_number"] for row in read(sim, "get_dnc&type=inbound")) == ["3001112233", "3007778899"]
    status, raw, body = send(sim, "DELETE", CONF + "remove_dnc", {"telephones": ["3007778899", "3000000000"], "type": "outbound"})
    assert (status, body) == (200, {"code": 202, "error": None, "msg": "1 telephones were deleted"})
    assert [row["phone_number"] for row in read(sim, "get_dnc&type=inbound")] == ["3001112233", "3007778899"]
    assert send(sim, "DELETE", CONF + "remove_dnc", {"telephones": "all", "type": "inbound"})[2]["msg"] == "2 telephones were deleted"
    assert send(sim, "DELETE", CONF + "remove_dnc", {"telephones": "all", "type": "all"})[2]["msg"] == "2 telephones were deleted"
    assert call(sim, INFO + "get_dnc&type=all", ACME)[2]["msg"] == "No data"


@pytest.mark.parametrize("method, api, body", [
    ("POST", "add_dnc", {"type_call": "outbound"}),
    ("DELETE", "remove_dnc", {"type": "all"}),
])
def test_at_most_ten_thousand_telephones_per_call(sim, method, api, body):
    telephones = ["31%08d" % number for number in range(10001)]
    status, raw, answer = send(sim, method, CONF + api, dict(body, telephones=telephones))
    assert (status, answer["code"]) == (400, 400)
    assert "10000" in answer["msg"]
    assert [len(numbers) for numbers in resources(sim)["dnc"].values()] == [1, 1]


@pytest.mark.parametrize("body", [{"type_call": "both", "telephones": ["300"]}, {"type_call": "inbound", "telephones": ["30a"]},
                                  {"type_call": "inbound"}, {"type_call": "inbound", "telephones": []}])
def test_bad_do_not_call_additions_are_refused(sim, body):
    assert send(sim, "POST", CONF + "add_dnc", body)[0] == 400


def test_fifty_thousand_do_not_call_numbers_are_served(sim):
    for batch in range(5):
        telephones = ["32%08d" % (batch * 10000 + number) for number in range(10000)]
        status, raw, body = send(sim, "POST", CONF + "add_dnc", {"type_call": "outbound", "telephones": telephones}, timeout=20)
        assert body["msg"] == "10000 telephones were added"
    started = time.monotonic()
    status, raw, body = call(sim, INFO + "get_dnc&type=outbound", ACME, timeout=20)
    assert time.monotonic() - started < 5
    assert (status, body["msg"]) == (200, " 50001 records were found")
    assert len(set(row["phone_number"] for row in body["data"])) == 50001
    started = time.monotonic()
    removed = send(sim, "DELETE", CONF + "remove_dnc", {"telephones": ["32%08d" % n for n in range(0, 50000, 5)], "type": "all"})
    assert time.monotonic() - started < 5
    assert removed[2]["msg"] == "10000 telephones were deleted"


# -- campaigns --------------------------------------------------------------------------------------------------------------


def test_campaigns_read_in_the_vendors_shape(sim):
    status, raw, body = call(sim, INFO + "campaigns", ACME)
    assert (status, body["code"], body["msg"]) == (200, "", " 2 records were found")
    assert body["data"][0] == {
        "campaign_id": "23910", "campaign_name": "Renewals", "campaign_description": "", "type_campaign": "predictive",
        "status": "Stopped", "records": "0", "speed": "100", "dial_mode": "normal", "last_use": "", "recycled": "0",
        "turbo_dial": "no", "skill_id": "1", "start_time": "08:00:00", "end_time": "18:00:00"}
    assert [row["campaign_name"] for row in read(sim, "campaigns&campaign=23911")] == ["Survey"]


def test_start_and_stop_a_campaign(sim):
    status, raw, body = send(sim, "PUT", CAMP + "start&campaign_id=23910")
    assert (status, body) == (200, {"code": 202, "error": None, "msg": "The ID 23910 has been started successfully"})
    status, raw, body = send(sim, "PUT", CAMP + "stop&campaign_id=23911")
    assert (status, body) == (200, {"code": 202, "error": None, "msg": "The ID 23911 has been stopped successfully"})
    assert [row["status"] for row in read(sim, "campaigns")] == ["Started", "Stopped"]
    assert send(sim, "PUT", CAMP + "start&campaign_id=99")[0] == 404
    assert send(sim, "PUT", CAMP + "start")[2]["msg"] == MSG_MISSING_PARAMETER


def test_at_most_seven_predictive_campaigns_started_at_once(sim):
    campaigns = [{"campaign_id": str(100 + n), "type_campaign": "predictive"} for n in range(8)]
    sim.admin("/_sim/operations/acme", {"campaigns": campaigns + [{"campaign_id": "200", "type_campaign": "preview"}]})
    for number in range(7):
        assert send(sim, "PUT", CAMP + "start&campaign_id=%d" % (100 + number))[2]["code"] == 202
    status, raw, body = send(sim, "PUT", CAMP + "start&campaign_id=107")
    assert (status, body["code"]) == (200, "406")
    assert "7 predictive" in body["msg"]
    assert send(sim, "PUT", CAMP + "start&campaign_id=106")[2]["code"] == 202  # already started: not an eighth
    assert send(sim, "PUT", CAMP + "start&campaign_id=200")[2]["code"] == 202  # a preview campaign is not counted
    send(sim, "PUT", CAMP + "stop&campaign_id=100")
    assert send(sim, "PUT", CAMP + "start&campaign_id=107")[2]["code"] == 202
    assert sum(row["status"] == "Started" for row in read(sim, "campaigns")) == 8


def test_campaign_speed(sim):
    status, raw, body = send(sim, "PUT", CAMP + "speed&campaign_id=23910", {"speed": "55"})
    assert (status, body["code"]) == (200, 202)
    assert read(sim, "campaigns&campaign=23910")[0]["speed"] == "55"
    for bad in ("101", "-1", "fast", ""):
        assert send(sim, "PUT", CAMP + "speed&campaign_id=23910", {"speed": bad})[0] == 400
    assert read(sim, "campaigns&campaign=23910")[0]["speed"] == "55"


def test_create_a_campaign(sim):
    body = {"campaign_name": "Winback", "campaign_description": "lost clients", "start_time": "083000", "end_time": "171500",
            "skill_id": "2", "opt1": "a", "opt12": "z", "enable_edition": "yes"}
    status, raw, answer = send(sim, "POST", CAMP + "create_campaign&type_campaign=predictive", body)
    assert (status, answer) == (200, {"code": 201, "error": None, "msg": "Campaign has been created",
                                      "data": [{"id_campaign": "23912", "name_campaign": "Winback"}]})
    row = read(sim, "campaigns&campaign=23912")[0]
    assert (row["type_campaign"], row["status"], row["start_time"], row["end_time"], row["skill_id"]) == (
        "predictive", "Stopped", "08:30:00", "17:15:00", "2")
    stored = resources(sim)["campaigns"][2]
    assert (stored["opt1"], stored["opt2"], stored["opt12"], stored["enable_edition"]) == ("a", "", "z", "yes")


@pytest.mark.parametrize("query, changes", [
    ("&type_campaign=predictive", {"start_time": "08:00:00"}),
    ("&type_campaign=predictive", {"end_time": "250000"}),
    ("&type_campaign=predictive", {"start_time": "8000"}),
    ("&type_campaign=predictive", {"campaign_name": ""}),
    ("&type_campaign=progressive", {}),
    ("", {}),
])
def test_create_campaign_refuses_bad_input(sim, query, changes):
    body = dict({"campaign_name": "X", "start_time": "080000", "end_time": "180000"}, **changes)
    assert send(sim, "POST", CAMP + "create_campaign" + query, body)[0] == 400
    assert len(resources(sim)["campaigns"]) == 2


def test_edit_a_campaign(sim):
    body = {"campaign_name": "Renewals 2026", "type_camp": "Preview", "start_time": "09:00:00", "end_time": "17:30:00",
            "turbo_dial": "yes"}
    status, raw, answer = send(sim, "PUT", CAMP + "edit_campaign&campaign_id=23910", body)
    assert (status, answer) == (200, {"code": "200", "error": None, "msg": "Campaign updated"})
    row = read(sim, "campaigns&campaign=23910")[0]
    assert (row["campaign_name"], row["type_campaign"], row["start_time"], row["end_time"], row["turbo_dial"], row["skill_id"]) == (
        "Renewals 2026", "preview", "09:00:00", "17:30:00", "yes", "1")
    # here the times are HH:mm:ss: the create form is refused
    assert send(sim, "PUT", CAMP + "edit_campaign&campaign_id=23910", {"start_time": "090000"})[0] == 400
    assert send(sim, "PUT", CAMP + "edit_campaign&campaign_id=23910", {"type_camp": "Dialer"})[0] == 400
    assert send(sim, "PUT", CAMP + "edit_campaign&campaign_id=99", {"campaign_name": "x"})[0] == 404
    assert read(sim, "campaigns&campaign=23910")[0]["start_time"] == "09:00:00"


def test_delete_campaigns(sim):
    status, raw, body = send(sim, "DELETE", CAMP + "delete_campaign", {"campaign_ids": ["23910", "99999"]})
    assert (status, body) == (200, {"code": "200", "error": None, "msg": "1 campaigns deleted successfully. 1 operations failed."})
    assert [row["campaign_id"] for row in read(sim, "campaigns")] == ["23911"]
    assert send(sim, "DELETE", CAMP + "delete_campaign", {})[2]["msg"] == MSG_MISSING_PARAMETER


# -- services and connectors ----------------------------------------------------------------------------------------------


def test_services_is_an_object_and_connectors_a_list(sim):
    status, raw, body = call(sim, INFO + "services", ACME)
    assert (status, body["code"]) == (200, "200")
    assert isinstance(body["data"], dict)
    assert (body["data"]["licenses"], body["data"]["whatsapp"], body["data"]["sso"]) == ("1", "yes", "no")
    status, raw, body = call(sim, INFO + "connectors", ACME)
    assert (status, body["code"]) == (200, "200")
    assert body["data"] == [{"connector_id": "7", "rp_id": "10", "name": "Web chat", "channel": "chat"}]
    assert call(sim, INFO + "connectors", GLOBEX)[2]["data"] == []


# -- every endpoint: routing, quota, faults, the request log ------------------------------------------------------------------

# Every write, with a body it accepts and what it changes in the operation's resources (GET /_sim/operations/acme).
WRITES = [
    ("configuration", "enable_module", "PUT", "", None, lambda op: op["module_enabled"] is True),  # see SETUP
    ("configuration", "disable_module", "PUT", "", None, lambda op: op["module_enabled"] is False),
    ("configuration", "add_ip", "POST", "", {"ip": "198.51.100.9", "permanent": "no", "description": "vpn"},
     lambda op: op["allowed_ips"][-1]["ip"] == "198.51.100.9"),
    ("configuration", "remove_ip", "DELETE", "", {"ip": "203.0.113.7"}, lambda op: op["allowed_ips"] == []),
    ("configuration", "create_agent", "POST", "", {"agent_dni": "7", "agent_name": "Nora", "agent_sso": "", "agent_pass": ""},
     lambda op: op["agents"][-1]["agent_name"] == "Nora"),
    ("configuration", "edit_agent", "PUT", "&agent_id=501", {"agent_name": "Ana M"}, lambda op: op["agents"][0]["agent_name"] == "Ana M"),
    ("configuration", "enable_agent", "PUT", "", {"agent_id": "502"}, lambda op: op["agents"][1]["enabled"] == "yes"),
    ("configuration", "disable_agent", "PUT", "", {"agent_id": "501"}, lambda op: op["agents"][0]["enabled"] == "no"),
    ("configuration", "create_skill", "POST", "", {"skill_name": "Billing", "description_skill": "b", "voicemail": "no",
                                                   "welcome_message": "no", "vto": "no"},
     lambda op: op["skills"][-1]["skill_name"] == "Billing"),
    ("configuration", "edit_skill", "PUT", "&skill_id=2", {"skill_name": "Help"}, lambda op: op["skills"][1]["skill_name"] == "Help"),
    ("configuration", "add_agents_skill", "POST", "", {"skill_id": "2", "agent_id": "502", "expertise": "4"},
     lambda op: op["skills"][1]["agents"] == [{"agent_id": "502", "expertise": "4"}]),
    ("configuration", "remove_agents_skill", "DELETE", "", {"skill_id": "1", "agent_id": "501"}, lambda op: op["skills"][0]["agents"] == []),
    ("configuration", "create_cod_act", "POST", "", code_body(), lambda op: op["activity_codes"][-1]["cod_act"] == "030"),
    ("configuration", "edit_cod_act", "PUT", "", code_body(cod_act="020", description_cod_act="Sold"),
     lambda op: op["activity_codes"][0]["description_cod_act"] == "Sold"),
    ("configuration", "remove_cod_act", "DELETE", "", {"type_code": "cod_act1", "cod_act": ["020"]},
     lambda op: [code["cod_act"] for code in op["activity_codes"]] == ["021"]),
    ("configuration", "add_dnc", "POST", "", {"type_call": "outbound", "telephones": ["3007778899"]},
     lambda op: "3007778899" in op["dnc"]["outbound"]),
    ("configuration", "remove_dnc", "DELETE", "", {"telephones": ["3001112233"], "type": "inbound"}, lambda op: op["dnc"]["inbound"] == {}),
    ("campaign", "start", "PUT", "&campaign_id=23910", None, lambda op: op["campaigns"][0]["status"] == "Started"),
    ("campaign", "stop", "PUT", "&campaign_id=23911", None, lambda op: op["campaigns"][1]["status"] == "Stopped"),
    ("campaign", "speed", "PUT", "&campaign_id=23910", {"speed": "40"}, lambda op: op["campaigns"][0]["speed"] == "40"),
    ("campaign", "create_campaign", "POST", "&type_campaign=preview",
     {"campaign_name": "New", "campaign_description": "", "start_time": "080000", "end_time": "180000", "skill_id": "1"},
     lambda op: op["campaigns"][-1]["campaign_name"] == "New"),
    ("campaign", "edit_campaign", "PUT", "&campaign_id=23910", {"campaign_name": "Renewals 2"},
     lambda op: op["campaigns"][0]["campaign_name"] == "Renewals 2"),
    ("campaign", "delete_campaign", "DELETE", "", {"campaign_ids": ["23911"]}, lambda op: len(op["campaigns"]) == 1),
]
# What to set first so that a write has something to change.
SETUP = {"enable_module": {"module_enabled": False}}
# Every read, with the query it needs.
READS = [
    ("information", "token_info", ""), ("information", "routing_points", ""), ("information", "get_ip", ""),
    ("information", "agents", ""), ("information", "skills", ""), ("information", "agents_in_skill", "&skill_id=1"),
    ("information", "activity_codes", ""), ("information", "get_dnc", "&type=all"), ("information", "campaigns", ""),
    ("information", "services", ""), ("information", "connectors", ""), ("real_time", "agents", ""),
]
# Reads answered with a bare JSON array, no envelope.
BARE_READS = [("real_time", "campaigns", "")]


def write_path(file_name, api, query):
    return "/api/v2/%s.php?api=%s%s" % (file_name, api, query)


def test_the_tables_here_cover_every_endpoint_of_the_simulator():
    served = set((file_name, api) for file_name, apis in CONTACT_CENTER_APIS.items() for api in apis)
    assert served == set((w[0], w[1]) for w in WRITES) | set((r[0], r[1]) for r in READS + BARE_READS)
    for file_name, api, method, query, body, changed in WRITES:
        assert CONTACT_CENTER_APIS[file_name][api][0] == method


@pytest.mark.parametrize("file_name, api, method, query, body, changed", WRITES, ids=[w[1] for w in WRITES])
def test_each_write_answers_success_and_spends_one_use(sim, file_name, api, method, query, body, changed):
    sim.admin("/_sim/operations/acme", SETUP.get(api, {}))
    assert not changed(resources(sim))
    status, raw, answer = send(sim, method, write_path(file_name, api, query), body)
    assert status in (200, 202) and answer["error"] is None, raw
    assert str(answer["code"]).startswith("20")
    assert changed(resources(sim))
    assert used_today(sim, "acme") == 1
    # the request log has the body as it was received, any password masked
    assert sim.requests()[0]["body"] == (dict(body, agent_pass="********") if body and "agent_pass" in body else body)


@pytest.mark.parametrize("file_name, api, method, query, body, changed", WRITES, ids=[w[1] for w in WRITES])
def test_a_lost_answer_after_each_write_was_applied(sim, file_name, api, method, query, body, changed):
    sim.admin("/_sim/operations/acme", SETUP.get(api, {}))
    assert not changed(resources(sim))
    sim.admin("/_sim/faults", {"kind": "lose_answer", "api": api})
    with pytest.raises((urllib.error.URLError, ConnectionError, http_client_errors())):
        send(sim, method, write_path(file_name, api, query), body)
    assert changed(resources(sim))  # the platform did the work
    assert used_today(sim, "acme") == 1  # and spent the use
    assert [(entry["api"], entry["outcome"]) for entry in sim.requests()] == [(api, "ok, answer lost")]


@pytest.mark.parametrize("file_name, api, query", READS + BARE_READS,
                         ids=["%s.%s" % (r[0], r[1]) for r in READS + BARE_READS])
def test_each_read_spends_one_use_and_wants_get(sim, file_name, api, query):
    assert call(sim, write_path(file_name, api, query), ACME)[0] == 200
    assert used_today(sim, "acme") == 1
    assert call(sim, write_path(file_name, api, query), ACME, method="POST", data=b"{}")[0] == 405
    assert used_today(sim, "acme") == 1


def test_writes_want_their_method_and_unknown_apis_are_named(sim):
    assert send(sim, "POST", CAMP + "start&campaign_id=23910")[0] == 405
    assert send(sim, "GET", CONF + "create_agent")[0] == 405
    status, raw, body = send(sim, "PUT", CAMP + "pause&campaign_id=23910")
    assert (status, body) == (400, {"code": 400, "error": "BAD REQUEST", "msg": MSG_UNKNOWN_API})
    assert used_today(sim, "acme") == 0
    assert resources(sim)["campaigns"][0]["status"] == "Stopped"


def test_a_fault_before_a_write_leaves_the_state_alone(sim):
    sim.admin("/_sim/faults", {"kind": "maintenance", "api": "create_agent"})
    status, raw, body = send(sim, "POST", CONF + "create_agent", {"agent_dni": "1", "agent_name": "X", "agent_pass": "Secr3t!Pass"})
    assert (status, body["msg"]) == (403, MSG_MAINTENANCE)
    assert len(resources(sim)["agents"]) == 2
    assert sim.requests()[0]["body"]["agent_pass"] == "********"


def test_a_body_that_is_not_a_json_object(sim):
    status, raw, body = call(sim, CONF + "add_dnc", ACME, method="POST", data=b"not json")
    assert (status, body["msg"]) == (400, MSG_MISSING_PARAMETER)
    assert sim.requests()[0]["body"] is None
    assert send(sim, "POST", CONF + "add_dnc", ["3001112233"])[0] == 400


def test_resources_are_kept_per_operation_and_restored_by_reset(sim):
    send(sim, "POST", CONF + "create_skill", {"skill_name": "Acme only"})
    assert read(sim, "skills", GLOBEX) == []
    assert read(sim, "campaigns", GLOBEX) == []
    sim.admin("/_sim/reset", {})
    assert [skill["skill_name"] for skill in read(sim, "skills")] == ["Sales", "Support"]


# -- the administration API for resources -------------------------------------------------------------------------------------


def test_admin_shows_every_resource_and_takes_them_back(sim):
    shown = resources(sim)
    assert sorted(shown) == sorted(["name", "licenses", "module_enabled", "routing_points", "allowed_ips", "agents", "skills",
                                    "activity_codes", "dnc", "campaigns", "services", "connectors"])
    assert shown["skills"][0]["agents"] == [{"agent_id": "501", "expertise": "5"}]
    assert shown["dnc"]["outbound"] == {"3004445566": "2026-01-20 13:42:47"}
    # what it shows can be set again, on another operation
    keys = ("allowed_ips", "agents", "skills", "activity_codes", "dnc", "campaigns", "connectors")
    sim.admin("/_sim/operations/globex", {key: shown[key] for key in keys})
    copied = resources(sim, "globex")
    for key in keys:
        assert copied[key] == shown[key], key


def test_admin_refuses_a_bad_resource_and_changes_nothing(sim):
    with pytest.raises(urllib.error.HTTPError) as err:
        sim.admin("/_sim/operations/acme", {"skills": [], "campaigns": [{"campaign_id": "1", "status": "Running"}]})
    assert err.value.code == 400
    assert "status is 'Started' or 'Stopped'" in json.loads(err.value.read())["error"]
    assert len(resources(sim)["skills"]) == 2
    with pytest.raises(urllib.error.HTTPError) as err:
        sim.admin("/_sim/operations/nobody")
    assert err.value.code == 404


def test_a_fixture_with_a_bad_resource_is_refused():
    bad = fixture()
    bad["operations"][0]["skills"][0]["agents"] = [{"agent_id": "999", "expertise": "1"}]
    with pytest.raises(ValueError, match="agents that do not exist: 999"):
        Simulator(bad)
    bad = fixture()
    bad["operations"][0]["activity_codes"].append({"type_code": "cod_act1", "cod_act": "020"})
    with pytest.raises(ValueError, match="declared twice"):
        Simulator(bad)


def test_the_resources_fixture_serves_every_resource():
    with open(RESOURCES_FIXTURE, encoding="utf-8") as handle:
        data = json.load(handle)
    token = data["operations"][0]["tokens"][0]["token"]
    empty = data["operations"][1]["tokens"][0]["token"]
    with Simulator(data) as server:
        for file_name, api, query in READS:
            query = query.replace("&type=all", "&type=outbound")
            status, raw, body = call(server, write_path(file_name, api, query), token)
            assert status == 200 and body["data"], api
            if api not in ("token_info", "services", "agents_in_skill"):
                assert call(server, write_path(file_name, api, query), empty)[2]["data"] == [], api
        agent = read(server, "agents&agent=12989", token)[0]
        assert (agent["agent_name"], agent["agent_dni"], agent["enabled"]) == ("Phoenix  Jones", "0010203", "yes")
        assert read(server, "services", token)["pbx"] == "2"
