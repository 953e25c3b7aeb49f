# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_campaigns against the simulator (real HTTP on loopback, the real client): reads, writes, every state,
check mode, lost answers, the platform's limits and bad input."""

import copy

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _campaigns
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import (
    CONNECTION_ARGSPEC,
    WolkvoxClient,
    WolkvoxError,
)
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator
from ansible_collections.wolkvox.wolkvox.tests.utils.fake_platform import FakeClient, answer, listing

TOKEN = "unit-campaigns-8a7b6c"

FIXTURE = {"operations": [{
    "name": "campaigns",
    "licenses": 1,
    "tokens": [{"name": "campaigns", "token": TOKEN}],
    "skills": [
        {"skill_id": "1", "skill_name": "Sales"},
        {"skill_id": "2", "skill_name": "Support"},
        {"skill_id": "3", "skill_name": "Twin"},
        {"skill_id": "4", "skill_name": "Twin"},
    ],
    "campaigns": [
        {"campaign_id": "23910", "campaign_name": "Renewals", "type_campaign": "predictive", "skill_id": "1",
         "status": "Stopped", "speed": "100", "start_time": "08:00:00", "end_time": "18:00:00"},
        {"campaign_id": "23911", "campaign_name": "Survey", "campaign_description": "yearly", "type_campaign": "preview",
         "skill_id": "2", "status": "Started", "speed": "40", "start_time": "09:00:00", "end_time": "17:30:00"},
    ],
}]}

RENEWALS = {"name": "Renewals", "id": "23910", "type": "predictive", "description": "", "skill": "1",
            "start_time": "08:00:00", "end_time": "18:00:00", "status": "stopped", "speed": 100}
SURVEY = {"name": "Survey", "id": "23911", "type": "preview", "description": "yearly", "skill": "2",
          "start_time": "09:00:00", "end_time": "17:30:00", "status": "started", "speed": 40}


@pytest.fixture
def sim():
    with Simulator(copy.deepcopy(FIXTURE)) as server:
        yield server


def client_for(sim, warnings):
    params = dict((name, spec.get("default")) for name, spec in CONNECTION_ARGSPEC.items())
    params.update(server=sim.url, token=TOKEN, retries=0)
    return WolkvoxClient(params, platform="contact_center", warn=warnings.append, deprecate=warnings.append)


class Run:
    """One task: its result (or error), the requests it sent and the warnings it gave."""

    def __init__(self, sim, state="merged", config=None, check_mode=False):
        sim.admin("/_sim/requests", method="DELETE")
        self.warnings = []
        self.result, self.error = None, None
        try:
            self.result = _campaigns.run(client_for(sim, self.warnings), dict(state=state, config=copy.deepcopy(config)),
                                         check_mode=check_mode, diff=True)
        except WolkvoxError as exc:
            self.error = exc
        self.requests = sim.requests()
        self.calls = [(request["method"], request["api"]) for request in self.requests]

    @property
    def writes(self):
        return [request for request in self.requests if request["method"] != "GET"]

    def actions(self):
        return [(change["action"], change["key"]) for change in self.result["changes"]]


def stored(sim):
    return dict((campaign["campaign_name"], campaign) for campaign in sim.admin("/_sim/operations/campaigns")["campaigns"])


def test_gathered_reads_the_campaigns_once_in_configs_shape(sim):
    run = Run(sim, "gathered")
    assert run.result == {"changed": False, "gathered": [RENEWALS, SURVEY]}
    assert run.calls == [("GET", "campaigns")]
    assert _campaigns.gather(client_for(sim, [])) == [RENEWALS, SURVEY]


def test_odd_values_read_show_as_null_with_a_warning():
    # the simulator keeps its statuses to Started and Stopped: an odd one comes from the fake platform's answer
    resource = _campaigns.Campaigns()
    odd = dict(campaign_id="1", campaign_name="Odd", type_campaign="Predictive", status="Paused", speed="fast",
               start_time="8:00", end_time="")
    item = resource.read(FakeClient(campaigns=listing([odd], code="")))[0]
    assert (item["type"], item["status"], item["speed"], item["start_time"], item["end_time"]) == (
        "predictive", None, None, None, None)
    assert len(resource.warnings) == 3


# -- merged, check mode, idempotence ------------------------------------------------------------------------------

MERGE = [
    {"name": "Renewals", "end_time": "19:30:00", "speed": 55, "status": "started", "skill": "Support"},
    {"name": "Winback", "type": "predictive", "skill": "1", "start_time": "07:00:00", "end_time": "12:00:00",
     "status": "started", "speed": 70, "description": "old customers"},
    {"name": "Survey", "status": "started"},
]


def test_merged_sends_only_the_differences_and_check_mode_predicts_them(sim):
    checked = Run(sim, "merged", MERGE, check_mode=True)
    assert checked.calls == [("GET", "campaigns"), ("GET", "skills")]
    run = Run(sim, "merged", MERGE)
    assert run.result["changes"] == checked.result["changes"]
    assert run.actions() == [("update", "Renewals"), ("speed", "Renewals"), ("start", "Renewals"),
                             ("create", "Winback"), ("speed", "Winback"), ("start", "Winback")]
    assert run.result["changes"][0] == {"action": "update", "key": "Renewals", "id": "23910",
                                        "before": {"skill": "1", "end_time": "18:00:00"},
                                        "after": {"skill": "2", "end_time": "19:30:00"}}
    assert run.result["changes"][5]["reason"] == "created started: the platform creates a campaign stopped"
    assert [(request["api"], request["query"], request["body"]) for request in run.writes] == [
        ("edit_campaign", {"api": "edit_campaign", "campaign_id": "23910"}, {"skill_id": "2", "end_time": "19:30:00"}),
        ("speed", {"api": "speed", "campaign_id": "23910"}, {"speed": "55"}),
        ("start", {"api": "start", "campaign_id": "23910"}, None),
        ("create_campaign", {"api": "create_campaign", "type_campaign": "predictive"},
         {"campaign_name": "Winback", "campaign_description": "old customers", "start_time": "070000",
          "end_time": "120000", "skill_id": "1"}),
        ("speed", {"api": "speed", "campaign_id": "23912"}, {"speed": "70"}),
        ("start", {"api": "start", "campaign_id": "23912"}, None),
    ]
    winback = [item for item in run.result["after"] if item["name"] == "Winback"][0]
    assert winback["id"] == "23912" and winback["status"] == "started" and winback["speed"] == 70
    gathered = Run(sim, "gathered").result["gathered"]
    assert gathered == run.result["after"]
    again = Run(sim, "merged", MERGE)
    assert again.result["changed"] is False and again.writes == []
    assert again.calls == [("GET", "campaigns"), ("GET", "skills")]


def test_a_status_is_switched_only_when_it_differs_and_a_stop_comes_first(sim):
    run = Run(sim, "merged", [{"name": "Survey", "status": "stopped", "description": "done"}])
    assert run.actions() == [("stop", "Survey"), ("update", "Survey")]
    assert run.writes[1]["body"] == {"campaign_description": "done"}


def test_replaced_resets_the_description_and_keeps_what_has_no_default(sim):
    run = Run(sim, "replaced", [{"name": "Survey"}])
    assert run.result["changes"] == [{"action": "update", "key": "Survey", "id": "23911",
                                      "before": {"description": "yearly"}, "after": {"description": ""}}]
    assert stored(sim)["Survey"]["status"] == "Started"


def test_a_created_campaign_without_speed_shows_the_platforms_once_read(sim):
    config = [{"name": "Plain", "type": "preview", "skill": "", "start_time": "08:00:00", "end_time": "18:00:00"}]
    run = Run(sim, "merged", config)
    assert run.actions() == [("create", "Plain")]
    assert [item for item in run.result["after"] if item["name"] == "Plain"][0]["speed"] is None
    assert Run(sim, "merged", config).result["changed"] is False


# -- overridden never deletes; deleted deletes the campaigns named only ---------------------------------------------


def test_overridden_leaves_the_campaigns_not_listed_with_a_warning(sim):
    run = Run(sim, "overridden", [{"name": "Renewals", "description": "q3"}])
    assert run.actions() == [("update", "Renewals")]
    assert [item["name"] for item in run.result["after"]] == ["Renewals", "Survey"]
    assert any("state overridden never deletes a campaign (deleting one cannot be undone): 1 campaign(s) not in config "
               "were left as they are: Survey" in warning for warning in run.warnings)
    assert sorted(stored(sim)) == ["Renewals", "Survey"]


def test_the_round_trip_changes_nothing(sim):
    gathered = Run(sim, "gathered").result["gathered"]
    run = Run(sim, "overridden", gathered)
    assert run.result["changed"] is False and run.calls == [("GET", "campaigns")]


def test_deleted_deletes_the_campaigns_named(sim):
    checked = Run(sim, "deleted", [{"name": "Survey", "id": "23911"}, {"name": "Nowhere"}], check_mode=True)
    run = Run(sim, "deleted", [{"name": "Survey", "id": "23911"}, {"name": "Nowhere"}])
    assert run.result["changes"] == checked.result["changes"] == [
        {"action": "delete", "key": "Survey", "id": "23911", "before": SURVEY}]
    assert run.writes[0]["body"] == {"campaign_ids": ["23911"]}
    assert sorted(stored(sim)) == ["Renewals"]
    assert [item["name"] for item in run.result["after"]] == ["Renewals"]
    assert Run(sim, "deleted", [{"name": "Survey"}]).result["changed"] is False


@pytest.mark.parametrize("config", [None, []])
def test_deleted_with_no_campaign_listed_fails_before_any_request(sim, config):
    run = Run(sim, "deleted", config)
    assert run.error.kind == "bad_option"
    assert "state deleted with no campaign in config would delete every campaign of the operation, and deleting a " \
           "campaign cannot be undone" in run.error.msg
    assert run.requests == []


def test_a_delete_the_platform_counts_as_failed_fails():
    client = FakeClient(
        campaigns=listing([{"campaign_id": "7", "campaign_name": "Gone", "type_campaign": "preview", "status": "Stopped"}],
                          code=""),
        delete_campaign=answer("200", "0 campaigns deleted successfully. 1 operations failed."))
    with pytest.raises(WolkvoxError) as caught:
        _campaigns.run(client, dict(state="deleted", config=[{"name": "Gone"}]))
    assert "the platform did not delete campaign Gone (id 7): 0 campaigns deleted successfully. 1 operations failed" \
        in caught.value.msg
    assert client.calls[1] == ("DELETE", "delete_campaign", None, {"campaign_ids": ["7"]})


# -- lost answers, limits ---------------------------------------------------------------------------------------------


def test_a_lost_create_is_found_by_its_name_and_not_sent_again(sim):
    sim.admin("/_sim/faults", {"kind": "lose_answer", "api": "create_campaign"})
    config = [{"name": "Lost", "type": "preview", "skill": "1", "start_time": "08:00:00", "end_time": "18:00:00",
               "status": "started"}]
    run = Run(sim, "merged", config)
    assert run.calls == [("GET", "campaigns"), ("POST", "create_campaign"), ("GET", "campaigns"), ("PUT", "start")]
    assert run.writes[1]["query"]["campaign_id"] == "23912"
    assert any("the answer to create campaign Lost was lost" in warning for warning in run.warnings)
    assert sorted(stored(sim)) == ["Lost", "Renewals", "Survey"]


def test_the_eighth_predictive_campaign_started_is_refused_with_the_platforms_message(sim):
    campaigns = [dict(campaign_id=str(100 + number), campaign_name="P%d" % number, type_campaign="predictive",
                      status="Started" if number < 7 else "Stopped") for number in range(8)]
    sim.admin("/_sim/operations/campaigns", {"campaigns": campaigns})
    run = Run(sim, "merged", [{"name": "P7", "status": "started"}])
    assert run.error.kind == "refused"
    assert "the platform refused to start campaign P7 (id 107) (body code 406: The operation already has 7 predictive " \
           "campaigns started, the maximum)" in run.error.msg
    assert run.error.details["changes"] == [{"action": "start", "key": "P7", "id": "107", "applied": False,
                                             "error": run.error.msg}]


# -- bad input ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("config, says", [
    ([{"name": "X", "start_time": "25:00:00"}],
     "config[0].start_time is '25:00:00', not a time of day: give HH:MM:SS, from 00:00:00 to 23:59:59"),
    ([{"name": "X", "end_time": "18:00"}], "config[0].end_time is '18:00', not a time of day"),
    ([{"name": "X", "end_time": 64800}], "(YAML reads an unquoted 18:00:00 as the number 64800: quote it)"),
    ([{"name": "X", "speed": 101}], "config[0].speed is 101: give a whole number from 0 to 100"),
    ([{"name": "X", "speed": -1}], "config[0].speed is -1"),
    ([{"name": "X", "type": "progressive"}], "config[0].type is 'progressive': give one of predictive, preview"),
    ([{"name": "X", "status": "running"}], "config[0].status is 'running': give one of started, stopped"),
])
def test_bad_input_fails_before_any_request(sim, config, says):
    run = Run(sim, "merged", config)
    assert run.error.kind == "bad_option"
    assert says in run.error.msg
    assert run.requests == []


@pytest.mark.parametrize("config, says, calls", [
    ([{"name": "Renewals", "type": "preview"}],
     "config[0]: campaign Renewals is predictive on the platform, and the platform cannot change a campaign's type",
     [("GET", "campaigns")]),
    ([{"name": "Renewals", "skill": "Billing"}], "config[0].skill: no skill is named Billing on the platform",
     [("GET", "campaigns"), ("GET", "skills")]),
    ([{"name": "Renewals", "skill": "Twin"}], "the platform holds 2 skills named Twin (ids 3, 4): give the skill's id",
     [("GET", "campaigns"), ("GET", "skills")]),
    ([{"name": "Renewals", "skill": "Sales"}, {"name": "Survey", "skill": "9"}],
     "config[1].skill: no skill has id 9 on the platform", [("GET", "campaigns"), ("GET", "skills")]),
    ([{"name": "New", "type": "preview", "skill": "1"}], "campaign New does not exist, and start_time is needed",
     [("GET", "campaigns")]),
])
def test_what_the_reads_show_to_be_wrong_fails_before_any_write(sim, config, says, calls):
    run = Run(sim, "merged", config)
    assert run.error.kind == "bad_option"
    assert says in run.error.msg
    assert run.calls == calls


def test_the_argument_spec_has_the_choices():
    options = _campaigns.ARGUMENT_SPEC["config"]["options"]
    assert options["type"] == {"type": "str", "choices": ["predictive", "preview"]}
    assert options["status"] == {"type": "str", "choices": ["started", "stopped"]}
    assert options["speed"] == {"type": "int"}


def test_overridden_names_every_campaign_it_leaves_even_a_name_held_twice(sim):
    sim.admin("/_sim/operations/campaigns", {"campaigns": [
        dict(campaign_id="1", campaign_name="Keep", type_campaign="preview"),
        dict(campaign_id="2", campaign_name="Twin", type_campaign="preview"),
        dict(campaign_id="3", campaign_name="Twin", type_campaign="predictive")]})
    run = Run(sim, "overridden", [{"name": "Keep"}])
    assert run.result["changed"] is False and run.calls == [("GET", "campaigns")]
    assert any("1 campaign(s) not in config were left as they are: Twin." in warning for warning in run.warnings)
