# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_activity_codes: a key of two attributes (group and code), removals batched per group, and the alternate
group's hit and rpc, which the platform reads back empty; on a fake platform that answers as the vendor documents."""

import copy

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _activity_codes
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import OUTCOME_UNKNOWN, Answer, WolkvoxError

FLAGS = ("hit", "rpc", "chat", "studio", "voice", "interactions")


def code(type_code, cod_act, description, **flags):
    row = {"cod_act": cod_act, "description_cod_act": description, "type_code": type_code}
    row.update((flag, flags.get(flag, "no")) for flag in FLAGS)
    return row


CODES = [
    code("cod_act1", "020", "Sale", hit="yes", rpc="yes", voice="yes"),
    code("cod_act1", "021", "No answer", voice="yes"),
    code("cod_act1", "030", "Call back later", chat="yes"),
    code("cod_act2", "020", "Sale - card", voice="yes"),
    code("cod_act2", "021", "Sale - cash"),
]


class Platform:
    """The activity code endpoints, as the simulator serves them; ``lose`` names writes (1-based) whose answer is lost
    after they are applied, ``refuse`` writes answered with a body code 406."""

    def __init__(self, codes=None, lose=(), refuse=(), unreadable=False):
        self.codes = copy.deepcopy(CODES if codes is None else codes)
        self.calls = []
        self.warnings = []
        self.lose = set(lose)
        self.refuse = set(refuse)
        self.unreadable = unreadable
        self.writes = 0

    def warn(self, msg):
        self.warnings.append(msg)

    def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False):
        self.calls.append((method, api, copy.deepcopy(body)))
        if api == "activity_codes":
            if self.unreadable and len([call for call in self.calls if call[1] == api]) > 1:
                raise WolkvoxError("the platform failed to answer (HTTP 500)", "server_error")
            rows = []
            for row in self.codes:
                row = dict(row)
                if row["type_code"] == "cod_act2":
                    row.update(hit="", rpc="")
                rows.append(row)
            if not rows:
                return Answer(404, {"code": 404, "error": "NOT FOUND", "msg": "No data", "data": []}, 1)
            return Answer(200, {"code": "0", "msg": " %d records were found" % len(rows), "data": rows}, 1)
        self.writes += 1
        if self.writes in self.refuse:
            return Answer(200, {"code": "406", "error": "NOT ACCEPTABLE", "msg": "Refused"}, 1)
        if api == "create_cod_act":
            self.codes.append(dict(body))
            envelope = {"code": 201, "msg": "Code successfully created"}
        elif api == "edit_cod_act":
            for row in self.codes:
                if (row["type_code"], row["cod_act"]) == (body["type_code"], body["cod_act"]):
                    row.update(body)
            envelope = {"code": "201", "msg": "Successfully updated code"}
        elif api == "remove_cod_act":
            self.codes = [row for row in self.codes
                          if not (row["type_code"] == body["type_code"] and row["cod_act"] in body["cod_act"])]
            envelope = {"code": "201", "msg": "Removed successfully"}
        else:
            raise AssertionError(api)
        if self.writes in self.lose:
            raise WolkvoxError("%s %s was sent, but its outcome is unknown: no answer. The platform may have applied it"
                               % (method, api), OUTCOME_UNKNOWN)
        return Answer(200, envelope, 1)


def run(config=None, state="merged", platform=None, check_mode=False):
    platform = platform or Platform()
    result = _activity_codes.run(platform, dict(state=state, config=copy.deepcopy(config)), check_mode=check_mode,
                                 diff=True)
    return result, platform


def apis(platform):
    return [call[1] for call in platform.calls]


GATHERED = [
    {"group": "main", "code": "020", "description": "Sale", "hit": True, "rpc": True, "chat": False, "studio": False,
     "voice": True, "interactions": False},
    {"group": "main", "code": "021", "description": "No answer", "hit": False, "rpc": False, "chat": False,
     "studio": False, "voice": True, "interactions": False},
    {"group": "main", "code": "030", "description": "Call back later", "hit": False, "rpc": False, "chat": True,
     "studio": False, "voice": False, "interactions": False},
    {"group": "alternate", "code": "020", "description": "Sale - card", "hit": False, "rpc": False, "chat": False,
     "studio": False, "voice": True, "interactions": False},
    {"group": "alternate", "code": "021", "description": "Sale - cash", "hit": False, "rpc": False, "chat": False,
     "studio": False, "voice": False, "interactions": False},
]


def test_codes_are_read_by_group_then_code_with_booleans_and_the_alternate_hit_and_rpc_false():
    result, platform = run(state="gathered")
    assert result == {"changed": False, "gathered": GATHERED}
    assert platform.calls == [("GET", "activity_codes", None)]
    assert platform.warnings == []
    assert _activity_codes.gather(Platform()) == GATHERED


def test_no_code_is_an_empty_list():
    assert run(state="gathered", platform=Platform(codes=[]))[0]["gathered"] == []


def test_gathered_fed_back_as_overridden_changes_nothing():
    result, platform = run(GATHERED, "overridden")
    assert result["changed"] is False and result["changes"] == []
    assert apis(platform) == ["activity_codes"]


def test_a_code_is_created_with_the_nine_fields_as_the_platform_names_them():
    config = [{"group": "alternate", "code": "022", "description": "Sale - transfer", "voice": True}]
    checked, untouched = run(config, check_mode=True)
    result, platform = run(config)
    assert untouched.calls == [("GET", "activity_codes", None)]
    assert result["changes"] == checked["changes"] == [{
        "action": "create", "key": "alternate/022",
        "after": {"group": "alternate", "code": "022", "description": "Sale - transfer", "hit": False, "rpc": False,
                  "chat": False, "studio": False, "voice": True, "interactions": False}}]
    assert platform.calls[1] == ("POST", "create_cod_act", {
        "type_code": "cod_act2", "cod_act": "022", "description_cod_act": "Sale - transfer", "hit": "no", "rpc": "no",
        "chat": "no", "studio": "no", "voice": "yes", "interactions": "no"})
    assert result["after"] == checked["after"] and len(result["after"]) == 6
    assert list(result["diff"]["after"]) == ["main/020", "main/021", "main/030", "alternate/020", "alternate/021",
                                             "alternate/022"]
    again = run(config, platform=platform)[0]
    assert again["changed"] is False and apis(platform)[-1] == "activity_codes"


def test_a_code_is_edited_with_its_whole_body_and_only_the_differences_in_changes():
    result, platform = run([{"group": "main", "code": "021", "description": "No answer", "voice": False,
                             "chat": True}], "merged")
    assert result["changes"] == [{"action": "update", "key": "main/021", "before": {"chat": False, "voice": True},
                                  "after": {"chat": True, "voice": False}}]
    assert platform.calls[1] == ("PUT", "edit_cod_act", {
        "type_code": "cod_act1", "cod_act": "021", "description_cod_act": "No answer", "hit": "no", "rpc": "no",
        "chat": "yes", "studio": "no", "voice": "no", "interactions": "no"})


def test_replaced_sets_what_is_not_given_to_false_and_keeps_the_description():
    result = run([{"group": "main", "code": "020"}], "replaced")[0]
    assert result["changes"] == [{"action": "update", "key": "main/020",
                                  "before": {"hit": True, "rpc": True, "voice": True},
                                  "after": {"hit": False, "rpc": False, "voice": False}}]
    assert result["after"][0]["description"] == "Sale"


def test_a_new_code_needs_a_description():
    with pytest.raises(WolkvoxError) as caught:
        run([{"group": "main", "code": "099"}])
    assert "config[0]: activity code main/099 does not exist, and description is needed to create it" in caught.value.msg


def test_the_same_code_in_both_groups_is_two_codes():
    result, platform = run([{"group": "alternate", "code": "030", "description": "Later - chat"}])
    assert [change["key"] for change in result["changes"]] == ["alternate/030"]
    assert len(platform.codes) == 6


def test_removals_are_one_request_per_group_before_the_edits_and_creations():
    config = [GATHERED[0], dict(GATHERED[3], description="Sale - credit card"),
              {"group": "main", "code": "040", "description": "Wrong number"}]
    checked = run(config, "overridden", check_mode=True)[0]
    result, platform = run(config, "overridden")
    assert result["changes"] == checked["changes"]
    assert [(change["action"], change.get("key"), change.get("covers")) for change in result["changes"]] == [
        ("remove", None, ["main/021", "main/030"]),
        ("remove", None, ["alternate/021"]),
        ("update", "alternate/020", None),
        ("create", "main/040", None),
    ]
    assert result["changes"][0]["group"] == "main" and result["changes"][0]["codes"] == ["021", "030"]
    assert [item["code"] for item in result["changes"][0]["before"]] == ["021", "030"]
    assert platform.calls[1:3] == [
        ("DELETE", "remove_cod_act", {"type_code": "cod_act1", "cod_act": ["021", "030"]}),
        ("DELETE", "remove_cod_act", {"type_code": "cod_act2", "cod_act": ["021"]}),
    ]
    assert apis(platform) == ["activity_codes", "remove_cod_act", "remove_cod_act", "edit_cod_act", "create_cod_act"]
    assert [(item["group"], item["code"]) for item in result["after"]] == [
        ("main", "020"), ("main", "040"), ("alternate", "020")]
    assert run(config, "overridden", platform=platform)[0]["changed"] is False


def test_deleted_removes_the_listed_codes_or_all_of_them_in_one_request_per_group():
    result, platform = run([{"group": "main", "code": "020"}, {"group": "main", "code": "030"},
                            {"group": "main", "code": "999"}], "deleted")
    assert platform.calls[1:] == [("DELETE", "remove_cod_act", {"type_code": "cod_act1", "cod_act": ["020", "030"]})]
    result, platform = run(None, "deleted")
    assert apis(platform) == ["activity_codes", "remove_cod_act", "remove_cod_act"]
    assert result["after"] == [] and platform.codes == []


def test_a_lost_batch_answer_counts_as_applied_when_every_code_of_it_is_gone():
    result, platform = run(None, "deleted", platform=Platform(lose=[1]))
    assert apis(platform) == ["activity_codes", "remove_cod_act", "activity_codes", "remove_cod_act"]
    assert result["changed"] is True and platform.codes == []
    assert any("the answer to remove 3 activity codes (main/020, main/021, main/030) was lost" in warning
               for warning in platform.warnings)


def test_a_lost_create_answer_is_not_sent_again():
    config = [{"group": "main", "code": "050", "description": "Fax"},
              {"group": "main", "code": "051", "description": "Busy"}]
    result, platform = run(config, platform=Platform(lose=[1]))
    assert apis(platform) == ["activity_codes", "create_cod_act", "activity_codes", "create_cod_act"]
    assert len(platform.codes) == 7


def test_a_lost_answer_with_the_list_unreadable_fails_with_its_outcome_unknown():
    with pytest.raises(WolkvoxError) as caught:
        run([{"group": "main", "code": "020"}], "deleted", platform=Platform(lose=[1], unreadable=True))
    error = caught.value
    assert error.kind == OUTCOME_UNKNOWN
    assert "Reading the activity codes again to see whether remove 1 activity code (main/020) was applied failed" \
        in error.msg
    assert error.details["changes"][0]["applied"] is False and error.details["changes"][0]["covers"] == ["main/020"]


def test_a_refusal_part_way_says_what_was_applied():
    config = [{"group": "main", "code": "05%d" % number, "description": "New %d" % number} for number in range(3)]
    with pytest.raises(WolkvoxError) as caught:
        run(config, platform=Platform(refuse=[2]))
    error = caught.value
    assert error.kind == "refused"
    assert "the platform refused to create activity code main/051 (body code 406: Refused)" in error.msg
    assert "1 of the 3 changes of this task were applied" in error.msg
    assert [change["applied"] for change in error.details["changes"]] == [True, False, False]


@pytest.mark.parametrize("config, says", [
    ([{"group": "alternate", "code": "020", "hit": True}], "config[0].hit is true for an alternate code"),
    ([{"group": "alternate", "code": "020", "rpc": "yes"}], "config[0].rpc is true for an alternate code"),
    ([{"group": "main", "code": "020", "colour": "red"}], "config[0] has an unknown attribute colour"),
    ([{"group": "main", "code": "020"}, {"group": "MAIN", "code": " 020 "}],
     "config[1] and config[0] are the same activity code (group main, code 020): list each activity code once"),
    ([{"group": "other", "code": "020"}], "config[0].group is 'other': give one of main, alternate"),
    ([{"code": "020"}], "config[0] has no group"),
    ([{"group": "main", "code": " "}], "config[0].code is empty"),
    ([{"group": "main", "code": "020", "description": " "}], "config[0].description is empty"),
])
def test_bad_input_fails_before_any_request(config, says):
    platform = Platform()
    with pytest.raises(WolkvoxError) as caught:
        run(config, platform=platform)
    assert says in caught.value.msg
    assert platform.calls == []


def test_alternate_hit_and_rpc_false_are_accepted_and_never_a_difference():
    config = [dict(GATHERED[3], hit=False, rpc=False)]
    for state in ("merged", "replaced"):
        result, platform = run(config, state)
        assert result["changed"] is False and apis(platform) == ["activity_codes"]


def test_an_odd_record_is_warned_about():
    codes = [code("cod_act3", "1", "x"), dict(code("cod_act1", "2", "y"), chat="maybe")]
    result, platform = run(state="gathered", platform=Platform(codes=codes))
    assert [item["code"] for item in result["gathered"]] == ["2"]
    assert result["gathered"][0]["chat"] is None
    assert len(platform.warnings) == 2


def test_argument_spec():
    options = _activity_codes.ARGUMENT_SPEC["config"]["options"]
    assert options["group"] == dict(type="str", required=True, choices=["main", "alternate"])
    assert options["code"] == dict(type="str", required=True)
    assert options["rpc"] == dict(type="bool")
