# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_api's logic: dates, what reaches the URL, what counts as a change, the answers of every API file
as the vendor sends them, and long report ranges split into windows."""


import datetime
import json

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _api
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxClient, WolkvoxError
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator, html_page

TOKEN = "tok-api-4d1e77"


def options(**values):
    base = {"file": "information", "api": "token_info", "method": "GET", "query": {}, "body": None,
            "date_ini": None, "date_end": None, "empty_on_not_found": None, "split_range": False, "window": "31d"}
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


class Canned:
    """A client whose HTTP exchange answers from a list of (status, body) in order, and keeps what was sent.

    Everything above the exchange is the real client: parsing, classification, redaction, api_calls.
    """

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []
        self.warnings = []
        params = {"server": "https://wv0042.wolkvox.com", "token": TOKEN, "timeout": 5, "validate_certs": True,
                  "ca_path": None, "retries": 0, "max_concurrent_requests": 2}
        self.client = WolkvoxClient(params, warn=self.warnings.append)
        self.client._send = self.send

    def send(self, method, url, data, headers):
        self.sent.append((method, url))
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return status, body.encode("utf-8") if isinstance(body, str) else body

    def run(self, **values):
        return _api.run(self.client, options(**values))

    def fails(self, **values):
        with pytest.raises(WolkvoxError) as info:
            self.run(**values)
        return info.value


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
    assert result == {"changed": False, "code": "200", "msg": "1 records were found", "status": 200, "truncated": False,
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
                     "data": None, "status": None, "truncated": False}
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


# -- every API file, answered as the vendor's samples are ------------------------------------------------------

ROWS = [{"agent_id": "501", "agent_name": "Ana"}, {"agent_id": "502", "agent_name": "Luis"}]
BILLED = [{"operation": "acme", "description": "IVR minutes", "items": "120", "date": "2026-01-20"}]


def envelope(code, msg, data=None, error=None):
    body = {"code": code, "error": error, "msg": msg}
    if data is not None:
        body["data"] = data
    return body


# (file, api, method, query, HTTP status, body, code returned, msg returned, data returned, changed)
SAMPLES = [
    ("information", "token_info", "GET", {}, 200, envelope("200", " 1 records were found", [{"token_limit": "1000"}]),
     "200", "1 records were found", [{"token_limit": "1000"}], False),
    ("information", "agents", "GET", {}, 200, envelope("", "  records were found", ROWS), "", "records were found", ROWS,
     False),
    ("information", "campaigns", "GET", {}, 200, envelope("", " 1 records were found", ROWS[:1]), "",
     "1 records were found", ROWS[:1], False),
    ("information", "activity_codes", "GET", {}, 200, envelope("0", "2 records were found", ROWS), "0",
     "2 records were found", ROWS, False),
    ("information", "services", "GET", {}, 200, envelope("200", " 1 records were found", {"licenses": "12", "pbx": "1"}),
     "200", "1 records were found", {"licenses": "12", "pbx": "1"}, False),
    ("configuration", "add_ip", "POST", {}, 200, envelope(201, "THE IP HAS BEEN REGISTERED"), "201",
     "THE IP HAS BEEN REGISTERED", None, True),
    ("configuration", "enable_agent", "PUT", {}, 200, envelope(202, "501 agent has been enabled"), "202",
     "501 agent has been enabled", None, True),
    ("campaign", "start", "PUT", {"campaign_id": "23910"}, 200, envelope(200, "Campaign started"), "200",
     "Campaign started", None, True),
    ("reports_manager", "cdr_1", "GET", {}, 200, envelope("200", " 2 records were found", ROWS), "200",
     "2 records were found", ROWS, False),
    ("real_time", "agents", "GET", {}, 200, envelope(200, "2 records were found", ROWS), "200", "2 records were found",
     ROWS, False),
    ("real_time", "campaigns", "GET", {}, 200, [{"campaign": "23910 - Renewals", "status": "started"}], None, "",
     [{"campaign": "23910 - Renewals", "status": "started"}], False),
    ("billing", "ivr_minutes", "GET", {}, 200, envelope(200, "Information found for the current month", BILLED), "200",
     "Information found for the current month", BILLED, False),
    ("billing", "stereo_rec", "GET", {}, 200, envelope("200", "Information found for the current month", BILLED),
     "200", "Information found for the current month", BILLED, False),
    ("agentbox", "dial", "POST", {"agent_id": "501", "customer_phone": "3001112233"}, 200,
     envelope("200", "Call made", {"conn_id": "8817"}, error="null"), "200", "Call made", {"conn_id": "8817"}, True),
    ("whatsapp", "send_message_mobil", "POST", {}, 200, envelope(201, "Message has been sent successfully"), "201",
     "Message has been sent successfully", None, True),
    ("sms", "send_sms", "POST", {}, 200, envelope(201, "Message sent"), "201", "Message sent", None, True),
    ("speech_analytics", "speech_calls", "GET", {"filter": "id_agent", "value": "501"}, 200,
     envelope(200, " 2 records were found", ROWS), "200", "2 records were found", ROWS, False),
    ("wolkvox_storage", "files", "GET", {}, 200, envelope("200", "1 records were found", ROWS[:1]), "200",
     "1 records were found", ROWS[:1], False),
    ("customer", "update_customer", "PUT", {}, 200, envelope(202, "Customer updated"), "202", "Customer updated", None,
     True),
    ("gamification", "agents_kpi", "GET", {}, 200, envelope(200, "1 records were found", [{"agent_id": "501",
                                                                                           "stats": {"points": "12"}}]),
     "200", "1 records were found", [{"agent_id": "501", "stats": {"points": "12"}}], False),
    ("quality", "evaluations", "GET", {}, 200, envelope("200", " records were found", []), "200", "records were found",
     [], False),
]
DATED = {("reports_manager", "cdr_1"), ("speech_analytics", "speech_calls"), ("gamification", "agents_kpi")}


@pytest.mark.parametrize("file, api, method, query, status, body, code, msg, data, changed", SAMPLES,
                         ids=["%s.%s" % (sample[0], sample[1]) for sample in SAMPLES])
def test_each_file_answers_as_the_vendor_sends_it(file, api, method, query, status, body, code, msg, data, changed):
    canned = Canned((status, body))
    dates = {"date_ini": "2026-01-20", "date_end": "2026-01-20"} if (file, api) in DATED else {}
    result = canned.run(file=file, api=api, method=method, query=query,
                        body={"x": "1"} if method != "GET" else None, **dates)
    assert result == {"changed": changed, "code": code, "msg": msg, "data": data, "status": status, "truncated": False}
    assert canned.warnings == []  # every success shape is recognised: no code is keyed on
    assert canned.sent[0][1].startswith("https://wv0042.wolkvox.com/api/v2/%s.php?api=%s" % (file, api))


@pytest.mark.parametrize("code, error", [("1", None), (200, "DATABASE ERROR"), ("OK", None)])
def test_an_answer_that_is_no_known_success_is_returned_with_a_warning(code, error):
    canned = Canned((200, envelope(code, "done", [], error=error)))
    canned.run(file="information", api="token_info")
    assert len(canned.warnings) == 1
    assert "not the platform's success: check data" in canned.warnings[0]


@pytest.mark.parametrize("code, msg", [("404", "Agent not found"), (406, "INVALID PARAMETER"), ("500", "Error")])
def test_a_read_refused_in_the_body_code_fails_with_the_platforms_message(code, msg):
    canned = Canned((200, envelope(code, msg)))
    error = canned.fails(file="information", api="agents", query={"agent": "9"})
    assert (error.kind, error.status) == ("refused", 200)
    assert error.msg == "GET information.php?api=agents was refused (body code %s: %s)" % (code, msg)


def test_a_write_refused_in_the_body_code_still_fails_and_a_known_no_change_code_does_not():
    canned = Canned((200, envelope("406", "INVALID IP", error="NOT ACCEPTABLE")))
    error = canned.fails(file="configuration", api="add_ip", method="POST", body={"ip": "300.1.1.1"})
    assert error.msg == "POST configuration.php?api=add_ip was refused (body code 406: INVALID IP)"
    canned = Canned((200, envelope("404", "THE IP IS ALREADY REGISTERED")))
    result = canned.run(file="configuration", api="add_ip", method="POST", body={"ip": "203.0.113.7"})
    assert (result["changed"], result["code"]) == (False, "404")


def test_a_bare_array_on_a_2xx_is_the_data_and_elsewhere_a_bad_answer():
    canned = Canned((200, []))
    assert canned.run(file="real_time", api="campaigns")["data"] == []
    canned = Canned((500, ["x"]))
    error = canned.fails(file="real_time", api="campaigns")
    assert error.kind == "server_error" and "JSON that is not an object" in error.msg


# -- 404: no rows, no data, or no such API ----------------------------------------------------------------------


@pytest.mark.parametrize("status, body", [
    (404, envelope(404, "Validate dates entered", error="NOT FOUND")),
    (404, envelope("404", "Validate dates entered ")),
    (200, envelope("404", "Validate dates entered")),
])
@pytest.mark.parametrize("empty_on_not_found", [None, True, False])
def test_validate_dates_entered_on_a_report_is_an_empty_window(status, body, empty_on_not_found):
    canned = Canned((status, body))
    result = canned.run(file="reports_manager", api="cdr_1", date_ini="2026-01-01", date_end="2026-01-01",
                        empty_on_not_found=empty_on_not_found)
    assert (result["data"], result["changed"], result["status"]) == ([], False, status)


def test_a_404_no_data_keeps_following_empty_on_not_found():
    body = envelope(404, "No data", [], error="NOT FOUND")
    assert Canned((404, body)).run(file="information", api="get_dnc", query={"type": "all"})["data"] == []
    error = Canned((404, body)).fails(file="information", api="get_dnc", query={"type": "all"}, empty_on_not_found=False)
    assert (error.kind, error.status) == ("http", 404)
    assert error.msg == "the platform refused the request for get_dnc (HTTP 404 No data)"


@pytest.mark.parametrize("status, body, says", [
    (404, html_page(404), "HTTP 404 with a page that is not JSON"),
    (404, "<html><body><h1>404 Not Found</h1></body></html>", "HTTP 404 with a page that is not JSON"),
    (404, envelope(404, "THE API YOU WANT TO CONSULT DOES NOT EXIST", error="NOT FOUND"),
     "HTTP 404 THE API YOU WANT TO CONSULT DOES NOT EXIST"),
    (400, envelope(400, "THE API YOU WANT TO CONSULT DOES NOT EXIST", error="BAD REQUEST"),
     "HTTP 400 THE API YOU WANT TO CONSULT DOES NOT EXIST"),
    (404, envelope(404, "api not found"), "HTTP 404 api not found"),
    (404, envelope(404, "Unknown API"), "HTTP 404 Unknown API"),
])
def test_an_api_the_server_does_not_have_is_named(status, body, says):
    canned = Canned((status, body))
    error = canned.fails(file="whatsapp", api="sync_templates", method="POST", body={"connector_id": "1"})
    assert error.kind == "unknown_api"
    assert error.msg.startswith("this server has no api sync_templates (whatsapp.php?api=sync_templates answered %s)"
                                % says)
    assert len(canned.sent) == 1  # never retried


def test_a_file_the_simulator_does_not_serve_is_an_api_this_server_has_not(sim, client):
    with pytest.raises(WolkvoxError) as info:
        _api.run(client, options(file="sms", api="send_sms", method="POST", body={"telephone": "1", "message": "hi"}))
    assert info.value.kind == "unknown_api" and "this server has no api send_sms" in info.value.msg
    with pytest.raises(WolkvoxError) as info:
        _api.run(client, options(api="no_such_api"))
    assert info.value.kind == "unknown_api" and info.value.msg.startswith("this server has no api no_such_api")


def test_a_missing_record_is_not_a_missing_api():
    error = Canned((404, envelope(404, "Campaign not found", error="NOT FOUND"))).fails(
        file="campaign", api="start", method="PUT", query={"campaign_id": "9"})
    assert error.kind == "http"


# -- the catalogue's hints ---------------------------------------------------------------------------------------


def test_a_method_that_is_not_the_catalogues_is_sent_with_a_warning():
    canned = Canned((200, envelope("200", "Call made")))
    canned.run(file="agentbox", api="hang", method="GET", query={"agent_id": "501"})
    assert canned.warnings == ["agentbox.php?api=hang is a POST API (see the endpoint catalogue), and this task "
                               "sends GET"]


def test_a_report_without_dates_is_refused_before_sending():
    canned = Canned((200, envelope("200", "x", [])))
    error = canned.fails(file="reports_manager", api="act_2")
    assert "reports_manager.php?api=act_2 is a report: give date_ini and date_end" in error.msg
    assert error.kind == "bad_option" and canned.sent == []


# -- windows --------------------------------------------------------------------------------------------------


def day(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def shown(parts):
    return [(first.strftime("%Y-%m-%d %H:%M:%S"), last.strftime("%Y-%m-%d %H:%M:%S")) for first, last in parts]


@pytest.mark.parametrize("text, seconds", [("31d", 31 * 86400), ("1d", 86400), ("6h", 21600), ("30m", 1800),
                                           (" 12H ", 43200), ("744h", 31 * 86400)])
def test_windows_are_durations(text, seconds):
    assert _api.parse_window(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["6", "h", "1w", "1.5h", "-1d", "", "1d12h", "six hours", "0h", "32d", "745h"])
def test_a_window_that_is_not_a_duration_is_refused_with_the_accepted_forms(text):
    with pytest.raises(WolkvoxError) as info:
        _api.parse_window(text)
    assert info.value.kind == "bad_option"
    assert "d (days), h (hours) or m (minutes), such as 31d, 1d, 6h or 30m, of at most 31d" in info.value.msg


def test_windows_meet_exactly_and_cover_the_range():
    parts = _api.windows(day("2026-01-01 00:00:00"), day("2026-01-02 23:59:59"), _api.parse_window("1d"))
    assert shown(parts) == [("2026-01-01 00:00:00", "2026-01-01 23:59:59"), ("2026-01-02 00:00:00", "2026-01-02 23:59:59")]
    parts = _api.windows(day("2026-01-01 00:00:00"), day("2026-01-01 23:59:59"), _api.parse_window("6h"))
    assert shown(parts) == [("2026-01-01 00:00:00", "2026-01-01 05:59:59"), ("2026-01-01 06:00:00", "2026-01-01 11:59:59"),
                            ("2026-01-01 12:00:00", "2026-01-01 17:59:59"), ("2026-01-01 18:00:00", "2026-01-01 23:59:59")]
    # a range that does not fill the last window, and one of a single second
    parts = _api.windows(day("2026-01-01 08:30:00"), day("2026-01-01 20:00:00"), _api.parse_window("6h"))
    assert shown(parts) == [("2026-01-01 08:30:00", "2026-01-01 14:29:59"), ("2026-01-01 14:30:00", "2026-01-01 20:00:00")]
    assert shown(_api.windows(day("2026-01-01 00:00:00"), day("2026-01-01 00:00:00"), _api.parse_window("1d"))) == [
        ("2026-01-01 00:00:00", "2026-01-01 00:00:00")]


def test_seventy_days_are_three_windows_of_at_most_31_days():
    parts = _api.windows(day("2026-01-01 00:00:00"), day("2026-03-11 23:59:59"), _api.parse_window("31d"))
    assert shown(parts) == [("2026-01-01 00:00:00", "2026-01-31 23:59:59"), ("2026-02-01 00:00:00", "2026-03-03 23:59:59"),
                            ("2026-03-04 00:00:00", "2026-03-11 23:59:59")]
    assert all(last - first <= datetime.timedelta(days=31) for first, last in parts)


@pytest.mark.parametrize("values, says", [
    ({"split_range": True}, "split_range needs date_ini and date_end: the range to split into windows of 31d"),
    ({"split_range": True, "window": "6h"}, "the range to split into windows of 6h"),
    ({"split_range": True, "date_ini": "2026-01-01", "date_end": "2026-03-01", "window": "1 week"},
     "window '1 week' is not a duration"),
    ({"date_ini": "2026-01-01", "date_end": "2026-01-02", "window": "40d"}, "window '40d' is longer than the platform's"),
    ({"split_range": True, "date_ini": "2026-01-01", "date_end": "2026-01-02", "method": "POST"},
     "split_range is for reads: method must be GET, not POST"),
    ({"split_range": True, "date_ini": "2026-01-01", "date_end": "2026-12-31", "window": "1h"},
     "is 8760 calls, more than 1000 (each one a use of the daily quota)"),
    ({"split_range": True, "date_ini": "2026-02-01", "date_end": "2026-01-01"}, "is before date_ini"),
])
def test_bad_split_input_is_refused_before_sending(values, says):
    canned = Canned((200, envelope("200", "x", [])))
    error = canned.fails(file="reports_manager", api="cdr_1", **values)
    assert says in error.msg and error.kind == "bad_option"
    assert canned.sent == [] and canned.client.api_calls == 0


def test_without_split_range_a_range_over_31_days_stays_refused():
    error = Canned((200, envelope("200", "x", []))).fails(file="reports_manager", api="cdr_1", date_ini="2026-01-01",
                                                          date_end="2026-03-11")
    assert "spans 70.0 days; the platform answers at most 31 days per call" in error.msg


def test_seventy_days_split_with_an_empty_window(sim, client):
    sim.admin("/_sim/operations/acme", {"report_empty_days": ["2026-02-01..2026-03-03"]})
    result = _api.run(client, options(file="reports_manager", api="agent_1", date_ini="2026-01-01", date_end="2026-03-11",
                                      split_range=True, empty_on_not_found=False))
    sent = [entry["query"] for entry in sim.requests()]
    assert [(query["date_ini"], query["date_end"]) for query in sent] == [
        ("20260101000000", "20260131235959"), ("20260201000000", "20260303235959"), ("20260304000000", "20260311235959")]
    assert [entry["status"] for entry in sim.requests()] == [200, 404, 200]
    assert result["windows"] == [
        {"date_ini": "2026-01-01 00:00:00", "date_end": "2026-01-31 23:59:59", "records": 31, "status": "ok"},
        {"date_ini": "2026-02-01 00:00:00", "date_end": "2026-03-03 23:59:59", "records": 0, "status": "empty"},
        {"date_ini": "2026-03-04 00:00:00", "date_end": "2026-03-11 23:59:59", "records": 8, "status": "ok"}]
    days = [row["date"] for row in result["data"]]
    assert days == sorted(days) and len(days) == 39 and days[0] == "20260101" and days[-1] == "20260311"
    assert "20260201" not in days and "20260304" in days
    assert (result["changed"], result["code"], result["status"], result["truncated"]) == (False, "200", 200, False)
    assert result["msg"] == "39 records in 3 windows (1 empty)"
    assert client.api_calls == 3


def test_six_hour_windows_in_order(sim, client):
    sim.admin("/_sim/operations/acme", {"report_rows_per_day": 8})
    result = _api.run(client, options(file="reports_manager", api="cdr_1", date_ini="2026-01-01", date_end="2026-01-01",
                                      split_range=True, window="6h"))
    assert [window["records"] for window in result["windows"]] == [2, 2, 2, 2]
    assert [row["date"][8:] for row in result["data"]] == ["000000", "030000", "060000", "090000", "120000", "150000",
                                                           "180000", "210000"]


def test_a_window_that_fails_names_itself_and_the_windows_read_before_it():
    canned = Canned((200, envelope("200", "1 records were found", ROWS[:1])),
                    (403, envelope(403, "TOKEN LIMIT EXCEEDED", error="FORBIDDEN")))
    error = canned.fails(file="reports_manager", api="cdr_1", date_ini="2026-01-01", date_end="2026-03-11",
                         split_range=True)
    assert error.kind == "quota"
    assert error.msg.startswith("window 2 of 3, 2026-02-01 00:00:00 to 2026-03-03 23:59:59: the operation's daily "
                                "API quota is spent")
    assert error.details["windows"] == [{"date_ini": "2026-01-01 00:00:00", "date_end": "2026-01-31 23:59:59",
                                         "records": 1, "status": "ok"}]
    assert len(canned.sent) == 2


# -- the record cap -------------------------------------------------------------------------------------------


def rows(count):
    return envelope("200", " %d records were found" % count, [{"n": index} for index in range(count)])


def test_a_window_with_60000_records_is_reported_as_probably_truncated():
    canned = Canned((200, rows(59999)), (200, rows(60000)), (404, envelope(404, "Validate dates entered")))
    result = canned.run(file="reports_manager", api="cdr_1", date_ini="2026-01-01", date_end="2026-03-11",
                        split_range=True)
    assert [(window["records"], window["status"]) for window in result["windows"]] == [
        (59999, "ok"), (60000, "capped"), (0, "empty")]
    assert result["truncated"] is True and len(result["data"]) == 119999
    assert canned.warnings == [
        "window 2026-02-01 00:00:00 to 2026-03-03 23:59:59 returned 60,000 records, the platform's cap: set window: 7d "
        "(the answer is probably truncated; each window is one call, one use of the quota)"]


@pytest.mark.parametrize("window, suggested", [("1d", "6h"), ("6h", "1h"), ("1h", "15m")])
def test_the_suggested_window_is_a_quarter_of_the_capped_one_or_less(window, suggested):
    canned = Canned((200, rows(60000)))
    canned.run(file="reports_manager", api="cdr_1", date_ini="2026-01-01 00:00:00", date_end="2026-01-01 00:59:59"
               if window == "1h" else "2026-01-01 05:59:59" if window == "6h" else "2026-01-01 23:59:59",
               split_range=True, window=window)
    assert "set window: %s " % suggested in canned.warnings[0]


def test_one_call_at_the_cap_says_to_split(sim, client):
    warnings = []
    client._warn = warnings.append
    sim.admin("/_sim/operations/acme", {"report_rows_per_day": 2000})
    result = _api.run(client, options(file="reports_manager", api="cdr_1", date_ini="2026-01-01", date_end="2026-01-31"))
    assert (len(result["data"]), result["truncated"]) == (60000, True)
    assert warnings == ["date_ini 2026-01-01 00:00:00 to date_end 2026-01-31 23:59:59 returned 60,000 records, the "
                        "platform's cap: set split_range: true and window: 7d (the answer is probably truncated; each "
                        "window is one call, one use of the quota)"]


def test_a_listing_at_the_cap_is_reported_too():
    canned = Canned((200, rows(60000)))
    assert canned.run(file="information", api="get_dnc", query={"type": "all"})["truncated"] is True
    assert canned.warnings == ["the answer holds 60,000 records, the platform's cap of 60,000 per answer: it is "
                               "probably truncated; narrow the query"]


def test_a_bare_array_from_the_simulator(sim, client):
    sim.admin("/_sim/operations/acme", {"campaigns": [{"campaign_id": "23910", "campaign_name": "Renewals",
                                                       "type_campaign": "predictive"}]})
    result = _api.run(client, options(file="real_time", api="campaigns"))
    assert (result["code"], result["msg"], result["status"]) == (None, "", 200)
    assert [row["campaign"] for row in result["data"]] == ["23910 - Renewals"]
