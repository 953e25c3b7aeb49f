# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_api's logic: dates, what reaches the URL, and what counts as a change."""


import datetime

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _api
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxClient, WolkvoxError
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator

TOKEN = "tok-api-4d1e77"


def options(**values):
    base = {"file": "information", "api": "token_info", "method": "GET", "query": {}, "body": None,
            "date_ini": None, "date_end": None, "empty_on_not_found": None}
    base.update(values)
    return base


@pytest.fixture
def sim():
    fixture = {"operations": [{
        "name": "acme", "licenses": 1, "tokens": [{"name": "acme", "token": TOKEN}],
        "agents": [{"agent_id": "501", "agent_name": "Ana", "calls_per_day": 4, "status": "Busy"}],
        "allowed_ips": [{"ip": "203.0.113.7", "permanent": "yes", "description": "office"}],
    }]}
    with Simulator(fixture) as server:
        yield server


@pytest.fixture
def client(sim):
    params = {"server": sim.url, "token": TOKEN, "timeout": 5, "validate_certs": True, "ca_path": None,
              "retries": 0, "max_concurrent_requests": 2}
    return WolkvoxClient(params)


# -- dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ini, end, sent", [
    ("20260101000000", "20260131235959", ("20260101000000", "20260131235959")),
    ("2026-01-01", "2026-01-01", ("20260101000000", "20260101235959")),
    ("2026-01-01 08:30:00", "2026-01-02T17:45:10", ("20260101083000", "20260102174510")),
    ("2026-01-01T08:30", "2026-02-01 08:30", ("20260101083000", "20260201083000")),  # exactly 31 days
])
def test_accepted_dates_are_sent_in_the_platforms_form(ini, end, sent):
    assert _api.date_range({"date_ini": ini, "date_end": end}) == [("date_ini", sent[0]), ("date_end", sent[1])]


@pytest.mark.parametrize("ini, end, says", [
    ("2026-01-02", "2026-01-01", "date_end 2026-01-01 23:59:59 is before date_ini 2026-01-02 00:00:00: swap them"),
    ("2026-01-01", "2026-02-01", "spans 32.0 days; the platform answers at most 31 days per call"),
    ("2026/01/01", "2026-01-02", "date_ini '2026/01/01' is not a date: use YYYYmmddHHMMSS"),
    ("2026-13-01", "2026-01-02", "date_ini '2026-13-01' is not a date"),
    ("2026-01-01T00:00:00Z", "2026-01-02", "carries a time zone"),
])
def test_bad_dates_are_refused(ini, end, says):
    with pytest.raises(WolkvoxError) as info:
        _api.date_range({"date_ini": ini, "date_end": end})
    assert says in info.value.msg and info.value.kind == "bad_option"


def test_an_over_long_range_comes_with_the_split_to_make():
    with pytest.raises(WolkvoxError) as info:
        _api.date_range({"date_ini": "2026-01-01", "date_end": "2026-03-15"})
    assert info.value.msg.endswith(
        "Split the range into calls of up to 31 days: 2026-01-01 00:00:00 to 2026-01-31 23:59:59; "
        "2026-02-01 00:00:00 to 2026-03-03 23:59:59; 2026-03-04 00:00:00 to 2026-03-15 23:59:59")


# -- what reaches the platform --------------------------------------------------------------------------


def test_query_values_are_encoded_and_flags_are_yes_or_no(sim, client):
    _api.run(client, options(file="real_time", api="agents", query={"skill": "a b&c=d", "all": True, "n": 3}))
    assert sim.requests()[0]["query"] == {"api": "agents", "all": "yes", "n": "3", "skill": "a b&c=d"}


@pytest.mark.parametrize("api", ["token_info&x=1", "../configuration", "agents?x", "", "token info", "ñ", "token_info\n"])
def test_api_names_that_could_reach_into_the_url_are_refused_before_sending(sim, client, api):
    with pytest.raises(WolkvoxError) as info:
        _api.run(client, options(api=api))
    assert "letters, digits and underscores only" in info.value.msg
    assert sim.requests() == [] and client.api_calls == 0


@pytest.mark.parametrize("values, says", [
    ({"query": {"api": "other"}}, "query may not set 'api': use the option of that name"),
    ({"query": {"date_ini": "x"}}, "query may not set 'date_ini'"),
    ({"query": {"ids": [1, 2]}}, "query value of 'ids' must be text or a number"),
    ({"body": "{not json"}, "body is not JSON"),
    ({"date_ini": "2026-01-01", "date_end": "2026-03-01"}, "the platform answers at most 31 days per call"),
    ({"date_ini": "0001-01-01", "date_end": "0001-01-02"}, "date_ini '0001-01-01' is in the year 1: give a date from 2000 to 2099"),
    ({"method": "POST", "body": {"when": datetime.date(2026, 1, 20)}}, "body cannot be sent as JSON"),
    ({"method": "POST", "body": {"ratio": float("nan")}}, "body cannot be sent as JSON (Out of range float values"),
    ({"method": "POST", "body": '{"ratio": NaN}'}, "body is not JSON (NaN is not a JSON value"),
    ({"body": {"ip": "1.2.3.4"}}, "body is given with method GET, which sends none"),
])
def test_other_bad_input_is_refused_before_sending(sim, client, values, says):
    with pytest.raises(WolkvoxError) as info:
        _api.run(client, options(**values))
    assert says in info.value.msg
    assert sim.requests() == []


def test_a_report_for_a_day(sim, client):
    result = _api.run(client, options(file="reports_manager", api="agent_1", date_ini="2026-01-20", date_end="2026-01-20"))
    assert result == {"changed": False, "code": "200", "msg": "1 records were found", "status": 200,
                      "data": [{"date": "20260120", "agent_id": "501", "agent_name": "Ana", "calls": "4",
                                "talk_time": "00:12:00"}]}
    assert sim.requests()[0]["query"] == {"api": "agent_1", "date_ini": "20260120000000", "date_end": "20260120235959"}


# -- changed ------------------------------------------------------------------------------------------------


def test_reads_never_change_and_not_found_is_empty(sim, client):
    result = _api.run(client, options(api="routing_points", query={"routing": "9"}))
    assert (result["changed"], result["status"], result["data"]) == (False, 404, [])


def test_not_found_fails_when_empty_on_not_found_is_off(sim, client):
    with pytest.raises(WolkvoxError) as info:
        _api.run(client, options(api="routing_points", query={"routing": "9"}, empty_on_not_found=False))
    assert (info.value.kind, info.value.status) == ("http", 404)


def test_adding_an_ip_twice_changes_once(sim, client):
    add = options(file="configuration", api="add_ip", method="POST", body={"ip": "198.51.100.9", "permanent": "no"})
    first, second = _api.run(client, add), _api.run(client, add)
    assert (first["changed"], first["code"]) == (True, "201")
    assert (second["changed"], second["code"], second["msg"]) == (False, "404", "THE IP IS ALREADY REGISTERED")


def test_removing_an_ip_that_is_not_there_changes_nothing(sim, client):
    remove = options(file="configuration", api="remove_ip", method="DELETE", body='{"ip": "203.0.113.7"}')
    assert [_api.run(client, remove)["changed"] for dummy in range(2)] == [True, False]


def test_a_refusal_in_the_body_code_of_a_write_fails(sim, client):
    with pytest.raises(WolkvoxError) as info:
        _api.run(client, options(file="configuration", api="add_ip", method="POST", body={"ip": "300.0.0.1"}))
    assert info.value.msg == "POST configuration.php?api=add_ip was refused (body code 406: INVALID IP)"


def test_writes_in_check_mode_are_not_sent_and_reads_are(sim, client):
    write = _api.run(client, options(file="configuration", api="add_ip", method="POST", body={"ip": "198.51.100.9"}),
                     check_mode=True)
    assert write == {"changed": True, "code": None, "msg": "check mode: POST configuration.php?api=add_ip was not sent",
                     "data": None, "status": None}
    read = _api.run(client, options(file="real_time", api="agents"), check_mode=True)
    assert read["data"][0]["agent_name"] == "Ana"
    assert [entry["api"] for entry in sim.requests()] == ["agents"]


def test_a_lost_add_ip_answer_is_read_back_and_reported_as_this_tasks_change(sim, client):
    sim.admin("/_sim/faults", {"kind": "lose_answer", "api": "add_ip"})
    warnings = []
    client._warn = warnings.append
    add = options(file="configuration", api="add_ip", method="POST", body={"ip": "198.51.100.9"})
    result = _api.run(client, add)
    assert result["changed"] is True
    assert [entry["api"] for entry in sim.requests()] == ["add_ip", "get_ip"]  # sent once, then read
    assert "get_ip, read afterwards, shows the change made" in warnings[0]


def test_a_lost_write_that_cannot_be_read_back_fails_as_unknown(sim, client):
    sim.admin("/_sim/faults", {"kind": "lose_answer", "api": "enable_agent"})
    with pytest.raises(WolkvoxError) as info:
        _api.run(client, options(file="configuration", api="enable_agent", method="PUT", body={"agent_id": "501"}))
    assert info.value.kind == "outcome_unknown"
    assert [entry["api"] for entry in sim.requests()] == ["enable_agent"]
