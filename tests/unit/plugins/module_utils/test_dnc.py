# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_dnc: sets of numbers by direction, one read, batches of at most 10,000 numbers per direction and action,
check mode, lost answers and failures part-way; on a fake platform that answers as the vendor documents."""

import copy
import json
import math
import tracemalloc

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _dnc
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import OUTCOME_UNKNOWN, Answer, WolkvoxError


class Platform:
    """get_dnc, add_dnc and remove_dnc as the simulator serves them; ``lose`` names writes (1-based) whose answer is
    lost after they are applied, ``fail`` writes that fail (the quota is spent) before they are applied."""

    def __init__(self, inbound=(), outbound=(), lose=(), fail=(), unreadable=False):
        self.numbers = {"inbound": dict.fromkeys(inbound, "2026-01-20 10:00:00"),
                        "outbound": dict.fromkeys(outbound, "2026-01-20 10:00:00")}
        self.calls = []
        self.warnings = []
        self.lose = set(lose)
        self.fail = set(fail)
        self.unreadable = unreadable
        self.writes = 0

    def warn(self, msg):
        self.warnings.append(msg)

    def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False):
        self.calls.append((method, api, query, body))
        if api == "get_dnc":
            assert query == {"type": "all"}
            if self.unreadable and self.reads() > 1:
                raise WolkvoxError("the platform failed to answer (HTTP 500)", "server_error")
            rows = [{"phone_number": number, "type": side, "date_delete": added}
                    for side in ("inbound", "outbound") for number, added in self.numbers[side].items()]
            if not rows:
                return Answer(404, {"code": 404, "error": "NOT FOUND", "msg": "No data", "data": []}, 1)
            return Answer(200, {"code": "200", "msg": " %d records were found" % len(rows), "data": rows}, 1)
        self.writes += 1
        if self.writes in self.fail:
            raise WolkvoxError("the operation's daily API quota is spent", "quota")
        assert len(body["telephones"]) <= 10000
        if api == "add_dnc":
            held = self.numbers[body["type_call"]]
            added = [number for number in body["telephones"] if number not in held]
            held.update(dict.fromkeys(added, "2026-01-21 10:00:00"))
            envelope = {"code": 201, "msg": "%d telephones were added" % len(added)}
        elif api == "remove_dnc":
            held = self.numbers[body["type"]]
            removed = [number for number in body["telephones"] if held.pop(number, None)]
            envelope = {"code": 202, "msg": "%d telephones were deleted" % len(removed)}
        else:
            raise AssertionError(api)
        if self.writes in self.lose:
            raise WolkvoxError("%s %s was sent, but its outcome is unknown: no answer. The platform may have applied it"
                               % (method, api), OUTCOME_UNKNOWN)
        return Answer(200, envelope, 1)

    def reads(self):
        return len([call for call in self.calls if call[1] == "get_dnc"])

    def apis(self):
        return [call[1] for call in self.calls]


def items(numbers, direction="outbound"):
    return [{"phone": number, "direction": direction} for number in numbers]


def run(config=None, state="merged", platform=None, check_mode=False, **options):
    platform = platform or Platform(inbound=["573001110000"], outbound=["573002220000", "573002220001"])
    params = dict(state=state, config=copy.deepcopy(config), allow_remove_all=False)
    params.update(options)
    return _dnc.run(platform, params, check_mode=check_mode, diff=True), platform


def test_both_directions_are_read_at_once_in_configs_shape():
    result, platform = run(state="gathered")
    assert result == {"changed": False, "gathered": [
        {"phone": "573001110000", "direction": "inbound"},
        {"phone": "573002220000", "direction": "outbound"},
        {"phone": "573002220001", "direction": "outbound"}]}
    assert platform.calls == [("GET", "get_dnc", {"type": "all"}, None)]
    assert _dnc.gather(Platform(inbound=["9", "10"])) == items(["9", "10"], "inbound")


def test_no_number_is_an_empty_list():
    assert run(state="gathered", platform=Platform())[0]["gathered"] == []


def test_numbers_are_compared_by_their_digits():
    config = [{"phone": "+57 300-111 0000", "direction": "inbound"}, {"phone": 573002220000, "direction": "Outbound"}]
    result, platform = run(config)
    assert result["changed"] is False and platform.apis() == ["get_dnc"]
    result, platform = run([{"phone": "(604) 555.0199", "direction": "inbound"}])
    assert platform.calls[1] == ("POST", "add_dnc", None, {"type_call": "inbound", "telephones": ["6045550199"]})
    assert result["changes"] == [{"action": "add", "direction": "inbound", "count": 1, "numbers": ["6045550199"],
                                  "truncated": False}]


def test_merged_adds_the_missing_numbers_and_removes_nothing_and_check_mode_predicts_it():
    config = items(["573002220000", "573002229999"]) + items(["1", "2"], "inbound")
    checked, untouched = run(config, check_mode=True)
    result, platform = run(config)
    assert untouched.apis() == ["get_dnc"]
    assert result["changes"] == checked["changes"] == [
        {"action": "add", "direction": "inbound", "count": 2, "numbers": ["1", "2"], "truncated": False},
        {"action": "add", "direction": "outbound", "count": 1, "numbers": ["573002229999"], "truncated": False}]
    assert result["after"] == checked["after"] == {"inbound": ["1", "2", "573001110000"],
                                                   "outbound": ["573002220000", "573002220001", "573002229999"]}
    assert result["before"] == {"inbound": ["573001110000"], "outbound": ["573002220000", "573002220001"]}
    assert result["diff"] == {"before": result["before"], "after": result["after"]}
    assert platform.apis() == ["get_dnc", "add_dnc", "add_dnc"]
    again = run(config, platform=platform)[0]
    assert again["changed"] is False and again["changes"] == [] and platform.reads() == 2 and platform.writes == 2


def test_replaced_is_merged():
    result = run(items(["573002229999"]), "replaced")[0]
    assert [change["action"] for change in result["changes"]] == ["add"]


def test_overridden_removes_first_and_adds_then():
    config = items(["573002220000", "3"]) + items(["4"], "inbound")
    result, platform = run(config, "overridden")
    assert [(change["action"], change["direction"], change["numbers"]) for change in result["changes"]] == [
        ("remove", "inbound", ["573001110000"]), ("remove", "outbound", ["573002220001"]),
        ("add", "inbound", ["4"]), ("add", "outbound", ["3"])]
    assert platform.calls[1] == ("DELETE", "remove_dnc", None, {"telephones": ["573001110000"], "type": "inbound"})
    assert result["after"] == {"inbound": ["4"], "outbound": ["3", "573002220000"]}


def test_gathered_fed_back_as_overridden_changes_nothing():
    platform = Platform(inbound=["1", "2"], outbound=["2", "3"])
    gathered = run(state="gathered", platform=platform)[0]["gathered"]
    result = run(gathered, "overridden", platform=platform)[0]
    assert result["changed"] is False and platform.apis() == ["get_dnc", "get_dnc"]


def test_deleted_removes_the_listed_numbers_that_are_there():
    result, platform = run(items(["573002220001", "7"]) + items(["573002220000"], "inbound"), "deleted")
    assert platform.calls[1:] == [("DELETE", "remove_dnc", None, {"telephones": ["573002220001"], "type": "outbound"})]
    assert result["after"]["outbound"] == ["573002220000"]


def test_removing_every_number_needs_allow_remove_all():
    for state, config in (("deleted", None), ("deleted", []), ("overridden", [])):
        platform = Platform(inbound=["1"])
        with pytest.raises(WolkvoxError) as caught:
            run(config, state, platform=platform)
        assert "would remove every do-not-call number of the operation (both directions): set allow_remove_all: " \
               "true to confirm" in caught.value.msg
        assert platform.calls == []
    result, platform = run(None, "deleted", allow_remove_all=True)
    assert platform.apis() == ["get_dnc", "remove_dnc", "remove_dnc"]
    assert result["after"] == {"inbound": [], "outbound": []}


def test_a_number_the_platform_holds_with_signs_is_removed_as_it_holds_it():
    platform = Platform(outbound=["+573002220000", "573002220000", "+1 555 0100"])
    result, platform = run(items(["15550100", "573002220000"]), "overridden", platform=platform)
    assert result["changes"] == []
    result, platform = run(items(["1"]), "overridden", platform=platform)
    assert platform.calls[-2][3] == {"telephones": ["+1 555 0100", "+573002220000", "573002220000"], "type": "outbound"}
    assert platform.numbers["outbound"] == {"1": "2026-01-21 10:00:00"}


def batches(count, start=3000000000):
    return [str(number) for number in range(start, start + count)]


def test_25000_numbers_are_three_requests_and_the_changes_list_the_first_100_of_each():
    numbers = batches(25000)
    checked, untouched = run(items(numbers), platform=Platform(), check_mode=True)
    result, platform = run(items(numbers), platform=Platform())
    assert untouched.apis() == ["get_dnc"]
    assert platform.apis() == ["get_dnc", "add_dnc", "add_dnc", "add_dnc"]
    assert [len(call[3]["telephones"]) for call in platform.calls[1:]] == [10000, 10000, 5000]
    assert platform.calls[1][3]["telephones"][:2] == numbers[:2] and platform.calls[3][3]["telephones"][-1] == numbers[-1]
    assert result["changes"] == checked["changes"]
    assert [(change["count"], len(change["numbers"]), change["truncated"]) for change in result["changes"]] == [
        (10000, 100, True), (10000, 100, True), (5000, 100, True)]
    assert result["changes"][1]["numbers"][0] == numbers[10000]
    assert len(result["after"]["outbound"]) == 25000
    assert len(platform.numbers["outbound"]) == 25000


@pytest.mark.parametrize("count", [1, 9999, 10000, 10001, 20000, 20001])
def test_each_direction_and_action_is_ceil_n_over_10000_requests(count):
    platform = Platform(inbound=batches(count, 5000000000))
    config = items(batches(count, 6000000000), "inbound") + items(batches(count))
    result, platform = run(config, "overridden", platform=platform)
    expected = math.ceil(count / 10000.0)
    assert platform.apis().count("remove_dnc") == expected
    assert platform.apis().count("add_dnc") == 2 * expected
    assert len(result["changes"]) == 3 * expected


def test_overridden_with_50000_numbers_sends_only_the_difference():
    current = batches(50000)
    platform = Platform(outbound=current)
    wanted = current[:49990] + batches(10, 7000000000)
    result, platform = run(items(wanted), "overridden", platform=platform)
    assert platform.apis() == ["get_dnc", "remove_dnc", "add_dnc"]
    assert platform.calls[1][3]["telephones"] == current[49990:]
    assert platform.calls[2][3]["telephones"] == batches(10, 7000000000)
    assert len(json.dumps(result["changes"])) < 2000


def test_20000_numbers_stay_small_in_memory():
    config = items(batches(20000))
    platform = Platform(outbound=batches(20000, 4000000000))
    tracemalloc.start()
    try:
        run(config, "overridden", platform=platform, check_mode=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30 * 1024 * 1024


def test_a_lost_answer_counts_as_applied_when_all_its_numbers_show():
    result, platform = run(items(batches(15000)), platform=Platform(lose=[1]))
    assert platform.apis() == ["get_dnc", "add_dnc", "get_dnc", "add_dnc"]
    assert result["changed"] is True and len(platform.numbers["outbound"]) == 15000
    assert any("the answer to add 10000 outbound do-not-call numbers (request 1 of 2) was lost" in warning
               for warning in platform.warnings)
    result, platform = run(items(["1"]), "overridden", platform=Platform(outbound=["2", "3"], lose=[1]))
    assert platform.apis() == ["get_dnc", "remove_dnc", "get_dnc", "add_dnc"]


def test_a_lost_answer_that_does_not_show_fails_and_is_not_sent_again():
    class Vanishing(Platform):
        def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False):
            if api == "add_dnc":
                self.calls.append((method, api, query, body))
                raise WolkvoxError("POST add_dnc was sent, but its outcome is unknown: timeout", OUTCOME_UNKNOWN)
            return super().contact_center(file, api, method, query, body, allow_not_found)

    platform = Vanishing()
    with pytest.raises(WolkvoxError) as caught:
        run(items(["1"]), platform=platform)
    error = caught.value
    assert error.kind == OUTCOME_UNKNOWN
    assert "the answer to add 1 outbound do-not-call number was lost (timeout), and the do-not-call numbers, read " \
           "again, do not show it" in error.msg
    assert platform.apis() == ["get_dnc", "add_dnc", "get_dnc"]
    assert error.details["changes"] == [{"action": "add", "direction": "outbound", "count": 1, "numbers": ["1"],
                                         "truncated": False, "applied": False, "error": error.details["changes"][0]["error"]}]
    assert error.details["changed"] is False


def test_a_lost_answer_with_the_list_unreadable_fails_saying_both():
    with pytest.raises(WolkvoxError) as caught:
        run(items(["1"]), platform=Platform(lose=[1], unreadable=True))
    assert caught.value.kind == OUTCOME_UNKNOWN
    assert "Reading the do-not-call numbers again to see whether add 1 outbound do-not-call number was applied " \
           "failed too" in caught.value.msg


def test_a_failure_part_way_says_which_batches_were_applied():
    with pytest.raises(WolkvoxError) as caught:
        run(items(batches(25000)), platform=Platform(fail=[2]))
    error = caught.value
    assert error.kind == "quota"
    assert "1 of the 3 changes of this task were applied before it stopped" in error.msg
    assert [(change["count"], change["applied"]) for change in error.details["changes"]] == [
        (10000, True), (10000, False), (5000, False)]
    assert error.details["changed"] is True
    assert error.details["before"] == {"inbound": [], "outbound": []}


def test_a_refused_batch_fails_with_the_platforms_message():
    class Refusing(Platform):
        def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False):
            if api == "add_dnc":
                self.calls.append((method, api, query, body))
                return Answer(200, {"code": "406", "msg": "Invalid telephone number"}, 1)
            return super().contact_center(file, api, method, query, body, allow_not_found)

    with pytest.raises(WolkvoxError) as caught:
        run(items(["1"]), platform=Refusing())
    assert caught.value.kind == "refused"
    assert "the platform refused to add 1 outbound do-not-call number (body code 406: Invalid telephone number)" \
        in caught.value.msg


@pytest.mark.parametrize("state, config, says", [
    ("merged", [{"phone": "call me", "direction": "inbound"}], "config[0].phone is 'call me': a telephone number is digits"),
    ("merged", [{"phone": "+() -", "direction": "inbound"}], "config[0].phone is '+() -', which has no digit"),
    ("merged", [{"phone": "1" * 21, "direction": "inbound"}], "21 digits: the platform takes numbers of at most 20"),
    ("merged", [{"phone": True, "direction": "inbound"}], "config[0].phone is True: give text"),
    ("merged", [{"phone": "1", "direction": "both"}], "config[0].direction is 'both': give one of inbound, outbound"),
    ("merged", [{"phone": "1", "direction": "inbound", "note": "x"}], "config[0] has an unknown attribute note: the "
                                                                      "attributes of do-not-call number are phone, direction"),
    ("merged", [{"phone": "1"}], "config[0] has no direction"),
    ("merged", [{"direction": "inbound"}], "config[0] has no phone"),
    ("merged", ["1"], "config[0] is '1': each item of config is a mapping of phone, direction"),
    ("merged", [{"phone": "1", "direction": "inbound"}, {"phone": "2", "direction": "inbound"},
                {"phone": "+1", "direction": "inbound"}],
     "config[2] and config[0] are the same do-not-call number (phone 1, direction inbound): list each"),
    ("merged", None, "state merged needs config"),
    ("overridden", None, "state overridden needs config: the complete list of do-not-call numbers"),
    ("gathered", [{"phone": "1", "direction": "inbound"}], "state gathered only reads"),
])
def test_bad_input_fails_before_any_request(state, config, says):
    platform = Platform()
    with pytest.raises(WolkvoxError) as caught:
        run(config, state, platform=platform)
    assert says in caught.value.msg
    assert caught.value.kind == "bad_option"
    assert platform.calls == []


def test_the_same_number_in_both_directions_is_two_numbers():
    result, platform = run([{"phone": "1", "direction": "inbound"}, {"phone": "1", "direction": "outbound"}],
                           platform=Platform())
    assert platform.apis() == ["get_dnc", "add_dnc", "add_dnc"]


def test_odd_records_are_left_out_with_a_warning():
    class Odd(Platform):
        def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False):
            rows = [{"phone_number": "1", "type": "inbound"}, {"phone_number": "2", "type": "both"},
                    {"phone_number": "--", "type": "outbound"}]
            return Answer(200, {"code": "200", "msg": "", "data": rows}, 1)

    platform = Odd()
    result = run(state="gathered", platform=platform)[0]
    assert result["gathered"] == [{"phone": "1", "direction": "inbound"}]
    assert len(platform.warnings) == 2


def test_argument_spec():
    spec = _dnc.ARGUMENT_SPEC
    assert spec["config"]["options"] == {"phone": dict(type="str", required=True),
                                         "direction": dict(type="str", required=True, choices=["inbound", "outbound"])}
    assert spec["allow_remove_all"] == dict(type="bool", default=False)


# -- src: a CSV file instead of a list in a variable ---------------------------------------------------------------


def test_a_csv_file_gives_the_same_numbers_as_config(tmp_path):
    src = tmp_path / "dnc.csv"
    src.write_text("phone,direction\n# the collections team's list\n+57 300 123 4567,inbound\n\n3009990000,outbound\n")
    from_file, platform = run(state="overridden", src=str(src), allow_remove_all=False, platform=Platform(inbound=["1"]))
    from_config, dummy = run(state="overridden", config=[{"phone": "+57 300 123 4567", "direction": "inbound"},
                                                         {"phone": "3009990000", "direction": "outbound"}],
                             platform=Platform(inbound=["1"]))
    assert from_file == from_config
    assert from_file["after"] == {"inbound": ["573001234567"], "outbound": ["3009990000"]}


@pytest.mark.parametrize("text, says", [
    ("3001234567\n", "line 1 is '3001234567': each line is phone,direction"),
    ("3001234567,inbound,extra\n", "each line is phone,direction"),
    ("abc,inbound\n", "not letters"),
    ("3001234567,sideways\n", "sideways"),
])
def test_a_bad_csv_line_fails_before_any_request(tmp_path, text, says):
    src = tmp_path / "dnc.csv"
    src.write_text(text)
    platform = Platform()
    with pytest.raises(WolkvoxError) as caught:
        run(src=str(src), platform=platform)
    assert caught.value.kind == "bad_option" and says in caught.value.msg
    assert platform.calls == []


def test_a_missing_csv_file_fails_before_any_request(tmp_path):
    platform = Platform()
    with pytest.raises(WolkvoxError) as caught:
        run(src=str(tmp_path / "nope.csv"), platform=platform)
    assert "cannot be read" in caught.value.msg and platform.calls == []
