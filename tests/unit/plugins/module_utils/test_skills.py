# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_skills against the simulator (real HTTP on loopback, the real client): reads, writes, every state, check
mode, lost answers and bad input; and the engine's lists of mappings and attributes kept when not given."""

import copy

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _resource, _skills
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import CONNECTION_ARGSPEC, WolkvoxClient, WolkvoxError
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator

TOKEN = "unit-skills-4f1e2d"

FIXTURE = {"operations": [{
    "name": "skills",
    "licenses": 1,
    "tokens": [{"name": "skills", "token": TOKEN}],
    "agents": [
        {"agent_id": "101", "agent_name": "Ana", "agent_dni": "D1"},
        {"agent_id": "102", "agent_name": "Luis", "agent_dni": "D2"},
        {"agent_id": "103", "agent_name": "Eva", "agent_dni": "D3"},
        {"agent_id": "104", "agent_name": "Twin one", "agent_dni": "TWIN"},
        {"agent_id": "105", "agent_name": "Twin two", "agent_dni": "TWIN"},
    ],
    "skills": [
        {"skill_id": "1", "skill_name": "Sales", "skill_description": "sales desk",
         "agents": [{"agent_id": "101", "expertise": "3"}, {"agent_id": "102", "expertise": "7"}]},
        {"skill_id": "2", "skill_name": "Support", "skill_description": ""},
    ],
}]}

SALES = {"name": "Sales", "id": "1", "description": "sales desk",
         "agents": [{"id": "101", "expertise": 3}, {"id": "102", "expertise": 7}]}
SUPPORT = {"name": "Support", "id": "2", "description": "", "agents": []}


@pytest.fixture
def sim():
    with Simulator(copy.deepcopy(FIXTURE)) as server:
        yield server


class Run:
    """One task: its result (or error), the requests it sent and the warnings it gave."""

    def __init__(self, sim, state="merged", config=None, check_mode=False):
        sim.admin("/_sim/requests", method="DELETE")
        self.warnings = []
        params = dict((name, spec.get("default")) for name, spec in CONNECTION_ARGSPEC.items())
        params.update(server=sim.url, token=TOKEN, retries=0)
        client = WolkvoxClient(params, platform="contact_center", warn=self.warnings.append, deprecate=self.warnings.append)
        self.result, self.error = None, None
        try:
            self.result = _skills.run(client, dict(state=state, config=copy.deepcopy(config)), check_mode=check_mode,
                                      diff=True)
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
    return dict((skill["skill_name"], skill) for skill in sim.admin("/_sim/operations/skills")["skills"])


# -- reading ----------------------------------------------------------------------------------------------------


def test_gathered_reads_the_skills_and_each_ones_agents():
    with Simulator(copy.deepcopy(FIXTURE)) as sim:
        run = Run(sim, "gathered")
    assert run.result == {"changed": False, "gathered": [SALES, SUPPORT]}
    assert run.calls == [("GET", "skills"), ("GET", "agents_in_skill"), ("GET", "agents_in_skill")]
    assert [request["query"]["skill_id"] for request in run.requests[1:]] == ["1", "2"]


def test_operation_info_gathers_the_same_shape(sim):
    params = dict((name, spec.get("default")) for name, spec in CONNECTION_ARGSPEC.items())
    params.update(server=sim.url, token=TOKEN)
    client = WolkvoxClient(params, platform="contact_center", warn=None, deprecate=None)
    assert _skills.gather(client) == [SALES, SUPPORT]
    assert client.api_calls == 3


def test_agents_not_given_are_neither_read_nor_changed(sim):
    run = Run(sim, "replaced", [{"name": "Sales", "description": "sales desk"}, {"name": "Support"}])
    assert run.result["changed"] is False
    assert run.calls == [("GET", "skills")]
    assert [item["agents"] for item in run.result["after"]] == [None, None]


# -- merged, check mode, idempotence -------------------------------------------------------------------------------

MERGE = [
    {"name": "Sales", "agents": [{"dni": "D1", "expertise": 5}, {"id": "103", "expertise": 2}]},
    {"name": "Billing", "description": "invoices", "vto": "hold_music", "agents": [{"dni": "D2", "expertise": 1}]},
]


def test_merged_resolves_dnis_with_one_read_and_check_mode_predicts_the_writes(sim):
    checked = Run(sim, "merged", MERGE, check_mode=True)
    assert checked.writes == []
    assert checked.calls == [("GET", "skills"), ("GET", "agents"), ("GET", "agents_in_skill")]
    run = Run(sim, "merged", MERGE)
    assert run.result["changes"] == checked.result["changes"]
    assert run.actions() == [("remove_agent", "Sales"), ("add_agent", "Sales"), ("add_agent", "Sales"),
                             ("create", "Billing"), ("add_agent", "Billing")]
    assert run.result["changes"][1] == {
        "action": "add_agent", "key": "Sales", "id": "1", "agent": {"id": "101", "expertise": 5, "dni": "D1"},
        "before": {"expertise": 3}, "reason": _skills.READD % (3, 5)}
    assert run.result["changes"][3] == {"action": "create", "key": "Billing", "after": {
        "name": "Billing", "description": "invoices", "voicemail": "", "welcome_message": "", "vto": "hold_music"}}
    assert [request["body"] for request in run.writes] == [
        {"skill_id": "1", "agent_id": "102"},
        {"skill_id": "1", "agent_id": "101", "expertise": "5"},
        {"skill_id": "1", "agent_id": "103", "expertise": "2"},
        {"skill_name": "Billing", "description_skill": "invoices", "voicemail": "", "welcome_message": "",
         "vto": "hold_music"},
        {"skill_id": "3", "agent_id": "102", "expertise": "1"},
    ]
    assert [item["id"] for item in checked.result["after"]] == [None, "1", "2"]
    assert run.result["after"] == [
        {"name": "Billing", "id": "3", "description": "invoices", "agents": [{"id": "102", "expertise": 1}]},
        {"name": "Sales", "id": "1", "description": "sales desk",
         "agents": [{"id": "101", "expertise": 5}, {"id": "103", "expertise": 2}]},
        {"name": "Support", "id": "2", "description": "", "agents": None},
    ]
    assert stored(sim)["Billing"]["vto"] == "hold_music"
    again = Run(sim, "merged", MERGE)
    assert again.result["changed"] is False and again.writes == []
    assert again.calls == [("GET", "skills"), ("GET", "agents"), ("GET", "agents_in_skill"), ("GET", "agents_in_skill")]
    assert again.result["before"] == again.result["after"] == run.result["after"]


def test_agents_given_as_an_empty_list_take_every_agent_out(sim):
    run = Run(sim, "merged", [{"name": "Sales", "agents": []}])
    assert run.actions() == [("remove_agent", "Sales"), ("remove_agent", "Sales")]
    assert stored(sim)["Sales"]["agents"] == []


def test_the_messages_are_sent_with_a_change_of_description_only(sim):
    run = Run(sim, "merged", [{"name": "Support", "vto": "wait_2"}])
    assert run.result["changed"] is False and run.writes == []  # not readable: a change of them alone is not seen
    run = Run(sim, "merged", [{"name": "Support", "description": "second level", "vto": "wait_2"}])
    assert run.result["changes"] == [{"action": "update", "key": "Support", "id": "2", "before": {"description": ""},
                                      "after": {"description": "second level", "vto": "wait_2"}}]
    assert run.writes[0]["query"]["skill_id"] == "2"
    assert run.writes[0]["body"] == {"skill_name": "Support", "description_skill": "second level", "vto": "wait_2"}
    assert stored(sim)["Support"]["vto"] == "wait_2"
    assert stored(sim)["Support"]["skill_description"] == "second level"


# -- removal: the platform cannot delete a skill ------------------------------------------------------------------


def test_deleted_takes_the_agents_out_and_says_the_skill_stays(sim):
    run = Run(sim, "deleted", [{"name": "Sales"}, {"name": "Nowhere"}])
    assert run.actions() == [("remove_agent", "Sales"), ("remove_agent", "Sales")]
    assert run.result["changes"][0]["reason"] == "state deleted: " + _skills.REMOVAL
    assert run.result["after"] == [dict(SALES, agents=[]), dict(SUPPORT, agents=None)]
    assert any("the platform cannot delete a skill: state deleted took the agents out of 1 skill(s) (Sales)" in warning
               for warning in run.warnings)
    assert sorted(stored(sim)) == ["Sales", "Support"]
    again = Run(sim, "deleted", [{"name": "Sales"}])
    assert again.result["changed"] is False and again.calls == [("GET", "skills"), ("GET", "agents_in_skill")]
    assert any("stay on the platform" in warning for warning in again.warnings)


def test_deleted_with_no_skill_listed_empties_every_skill(sim):
    run = Run(sim, "deleted")
    assert run.actions() == [("remove_agent", "Sales"), ("remove_agent", "Sales")]
    assert [item["agents"] for item in run.result["after"]] == [[], []]


def test_overridden_empties_the_skills_not_listed_and_the_round_trip_changes_nothing(sim):
    run = Run(sim, "overridden", [{"name": "Support", "agents": [{"id": "103", "expertise": 4}]}])
    assert run.actions() == [("remove_agent", "Sales"), ("remove_agent", "Sales"), ("add_agent", "Support")]
    assert run.result["changes"][0]["reason"] == "not in config (state overridden): " + _skills.REMOVAL
    assert any("took the agents out of 1 skill(s) (Sales) not in config" in warning for warning in run.warnings)
    gathered = Run(sim, "gathered").result["gathered"]
    assert gathered == [dict(SALES, agents=[]), dict(SUPPORT, agents=[{"id": "103", "expertise": 4}])]
    again = Run(sim, "overridden", gathered)
    assert again.result["changed"] is False and again.writes == []
    assert again.calls == [("GET", "skills"), ("GET", "agents_in_skill"), ("GET", "agents_in_skill")]


# -- lost answers, refusals ------------------------------------------------------------------------------------------


def test_a_lost_create_is_found_by_its_name_and_its_agents_added_to_the_id_read(sim):
    sim.admin("/_sim/faults", {"kind": "lose_answer", "api": "create_skill"})
    run = Run(sim, "merged", [{"name": "Billing", "agents": [{"id": "101", "expertise": 2}]}])
    assert run.calls == [("GET", "skills"), ("POST", "create_skill"), ("GET", "skills"), ("POST", "add_agents_skill")]
    assert run.writes[1]["body"]["skill_id"] == "3"
    assert [item["id"] for item in run.result["after"]] == ["3", "1", "2"]
    assert any("the answer to create skill Billing was lost" in warning for warning in run.warnings)
    assert sorted(stored(sim)) == ["Billing", "Sales", "Support"]


def test_a_lost_answer_to_an_agent_added_is_checked_in_the_skills_agents(sim):
    sim.admin("/_sim/faults", {"kind": "lose_answer", "api": "add_agents_skill"})
    run = Run(sim, "merged", [{"name": "Support", "agents": [{"id": "101", "expertise": 2}]}])
    assert run.result["changed"] is True
    assert run.calls == [("GET", "skills"), ("GET", "agents_in_skill"), ("POST", "add_agents_skill"),
                         ("GET", "skills"), ("GET", "agents_in_skill")]
    assert any("the answer to add_agent skill Support was lost" in warning for warning in run.warnings)


def test_the_license_limit_is_reported_with_the_platforms_message(sim):
    config = [{"name": "Skill %02d" % number} for number in range(9)]
    run = Run(sim, "merged", config)
    error = run.error
    assert error.kind == "refused"
    assert "the platform refused to create skill Skill 08 (body code 406: Skill limit reached: 10 skills per license)" \
        in error.msg
    assert [change["applied"] for change in error.details["changes"]] == [True] * 8 + [False]


# -- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state, config, says", [
    ("merged", [{"name": "Sales", "agents": [{"dni": "D1", "expertise": 11}]}],
     "config[0].agents[0].expertise is 11: give a whole number from 1 to 10"),
    ("merged", [{"name": "Sales", "agents": [{"dni": "D1", "expertise": 0}]}], "expertise is 0"),
    ("merged", [{"name": "Sales", "agents": [{"dni": "D1"}]}], "config[0].agents[0] has no expertise: give it"),
    ("merged", [{"name": "Sales", "agents": [{"expertise": 3}]}],
     "config[0].agents[0] names no agent: give its dni or its id"),
    ("merged", [{"name": "Sales", "agents": [{"dni": "D1", "expertise": 3, "level": 2}]}],
     "config[0].agents[0] has an unknown key level: give dni, id, expertise"),
    ("merged", [{"name": "Sales", "agents": {"dni": "D1"}}], "config[0].agents is {'dni': 'D1'}: give a list"),
    ("merged", [{"name": "Sales", "agents": ["D1"]}], "config[0].agents[0] is 'D1': give a mapping of dni, id"),
    ("deleted", [{"name": "Sales", "vto": "x"}], "config[0] gives vto with state deleted"),
    ("merged", [{"name": " "}], "config[0].name is empty: give the skill's name"),
])
def test_bad_input_fails_before_any_request(sim, state, config, says):
    run = Run(sim, state, config)
    assert run.error.kind == "bad_option"
    assert says in run.error.msg
    assert run.requests == []


@pytest.mark.parametrize("config, says", [
    ([{"name": "Sales", "agents": [{"dni": "D9", "expertise": 3}]}],
     "config[0].agents[0]: no agent has dni D9 on the platform: create it first (wolkvox.wolkvox.wolkvox_agents)"),
    ([{"name": "Sales", "agents": [{"dni": "TWIN", "expertise": 3}]}],
     "config[0].agents[0]: the platform holds 2 agents with dni TWIN (ids 104, 105): name the agent by its id"),
    ([{"name": "Sales", "agents": [{"dni": "D1", "id": "102", "expertise": 3}]}],
     "the agent with dni D1 has id 101 on the platform, not 102"),
    ([{"name": "Sales", "agents": [{"dni": "D1", "expertise": 3}, {"id": "999", "expertise": 3}]}],
     "config[0].agents[1]: no agent has id 999 on the platform"),
    ([{"name": "Sales", "agents": [{"dni": "D1", "expertise": 3}, {"id": "101", "expertise": 4}]}],
     "config[0].agents[1] and config[0].agents[0] are the same agent (id 101): list each agent once"),
])
def test_an_agent_the_reads_do_not_know_fails_before_any_write(sim, config, says):
    run = Run(sim, "merged", config)
    assert run.error.kind == "bad_option"
    assert says in run.error.msg
    assert run.calls == [("GET", "skills"), ("GET", "agents")]


# -- the engine: lists of mappings, attributes kept when not given ---------------------------------------------------


def test_the_argument_spec_has_the_agents_as_a_list_of_mappings():
    options = _skills.ARGUMENT_SPEC["config"]["options"]
    assert options["agents"] == {"type": "list", "elements": "dict", "options": {
        "dni": {"type": "str"}, "id": {"type": "str"}, "expertise": {"type": "int", "required": True}}}
    assert options["vto"] == {"type": "str"}


def test_validation_types_each_element_and_leaves_none_out():
    items = _resource.validate(_skills.Skills(), [{"name": "S", "agents": [
        {"dni": " D1 ", "id": None, "expertise": "4"}]}], "merged")
    assert items == [{"name": "S", "agents": [{"dni": "D1", "expertise": 4}]}]


def test_a_kept_attribute_stays_with_replaced_and_a_new_item_gets_its_default():
    resource = _skills.Skills()
    before = {"name": "S", "id": "1", "description": "d", "agents": [{"id": "1", "expertise": 2}]}
    plan = _resource.plan(resource, [before], [{"name": "S"}, {"name": "T"}], "replaced")
    assert [(target.key, target.after["agents"], target.after["description"]) for target in plan] == [
        ("S", [{"id": "1", "expertise": 2}], ""), ("T", [], "")]


def test_a_name_held_twice_fails_only_where_agents_would_be_taken_out(sim):
    sim.admin("/_sim/operations/skills", {"skills": [
        {"skill_id": "1", "skill_name": "Sales", "agents": [{"agent_id": "101", "expertise": "3"}]},
        {"skill_id": "5", "skill_name": "Twin"}, {"skill_id": "6", "skill_name": "Twin"}]})
    run = Run(sim, "overridden", [{"name": "Sales"}])
    assert run.result["changed"] is False
    assert run.calls == [("GET", "skills"), ("GET", "agents_in_skill"), ("GET", "agents_in_skill")]
    sim.admin("/_sim/operations/skills", {"skills": [
        {"skill_id": "1", "skill_name": "Sales"}, {"skill_id": "5", "skill_name": "Twin"},
        {"skill_id": "6", "skill_name": "Twin", "agents": [{"agent_id": "101", "expertise": "3"}]}]})
    run = Run(sim, "overridden", [{"name": "Sales"}])
    assert "the platform holds 2 skills with name Twin" in run.error.msg and run.writes == []
    run = Run(sim, "merged", [{"name": "Twin", "agents": []}])
    assert "the platform holds 2 skills with name Twin" in run.error.msg
    assert run.calls == [("GET", "skills")]
