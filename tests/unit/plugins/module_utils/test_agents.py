# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_agents' logic on a fake client that answers like the platform: the agents read in config's shape,
created, edited and disabled with the platform's field names, and the passwords it generates kept privately."""

import copy
import json
import os
import stat

import pytest
import yaml

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _agents, _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import OUTCOME_UNKNOWN, WolkvoxError
from ansible_collections.wolkvox.wolkvox.tests.utils.fake_platform import FakeClient, answer, listing


AGENTS = [
    {"agent_id": "12989", "agent_name": "Phoenix  Jones", "agent_dni": "0010203", "agent_status": "Available",
     "last_use": "", "agent_sso": "", "enabled": "yes"},
    {"agent_id": "12990", "agent_name": "Dana Ruiz", "agent_dni": "0010204", "agent_status": "Disconnected",
     "last_use": "", "agent_sso": "dana", "enabled": "no"},
]


def agent_client(created=None, **answers):
    created = created or {"code": 201, "msg": "Agent has been created",
                          "data": [{"agent_id": "13000", "password": "Gen3rated#Pw"}]}
    defaults = dict(agents=listing(AGENTS, code=""),
                    create_agent=lambda query, body: (200, created), edit_agent=answer(202),
                    enable_agent=answer(202), disable_agent=answer(202))
    defaults.update(answers)
    return FakeClient(**defaults)


def agents(config=None, state="merged", client=None, check_mode=False, **options):
    client = client or agent_client()
    values = dict(state=state, config=config, update_password="on_create", generated_passwords_file=None,
                  allow_disable_all=False)
    values.update(options)
    return _agents.run(client, values, check_mode=check_mode), client


def test_agents_are_read_with_single_spaced_names_and_booleans():
    result = agents(state="gathered")[0]
    assert result["gathered"] == [
        {"dni": "0010203", "id": "12989", "name": "Phoenix Jones", "sso": "", "enabled": True},
        {"dni": "0010204", "id": "12990", "name": "Dana Ruiz", "sso": "dana", "enabled": False},
    ]


def test_an_agent_is_created_with_the_platforms_field_names_and_a_generated_password_is_kept_privately(tmp_path):
    path = str(tmp_path / "passwords.yml")
    result, client = agents([{"dni": "0010205", "name": "Eva  Mora", "enabled": False}], generated_passwords_file=path)
    assert client.calls[1:] == [
        ("POST", "create_agent", None, {"agent_dni": "0010205", "agent_name": "Eva Mora", "agent_sso": "", "agent_pass": ""}),
        ("PUT", "disable_agent", None, {"agent_id": "13000"}),
    ]
    assert [item["id"] for item in result["after"]] == ["12989", "12990", "13000"]
    assert "Gen3rated#Pw" not in json.dumps(result)
    with open(path, encoding="utf-8") as handle:
        assert yaml.safe_load(handle)[0]["password"] == "Gen3rated#Pw"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    agents([{"dni": "0010206", "name": "Ivan"}], generated_passwords_file=path)
    with open(path, encoding="utf-8") as handle:
        assert [entry["dni"] for entry in yaml.safe_load(handle)] == ["0010205", "0010206"]


def test_a_generated_password_without_a_file_is_dropped_with_a_warning():
    result, client = agents([{"dni": "0010205", "name": "Eva"}])
    assert any("set generated_passwords_file to keep generated passwords" in warning for warning in client.warnings)
    assert "Gen3rated#Pw" not in json.dumps(result) + json.dumps(client.warnings)


def test_a_password_file_that_cannot_be_written_fails_with_the_create_counted_as_made(tmp_path):
    path = str(tmp_path / "passwords.yml")
    os.symlink(str(tmp_path / "elsewhere"), path)
    with pytest.raises(WolkvoxError) as caught:
        agents([{"dni": "0010205", "name": "Eva"}], generated_passwords_file=path)
    assert "is not a regular file" in caught.value.msg  # checked before any request

    client = agent_client()
    resource = _agents.Agents(dict(state="merged", generated_passwords_file=str(tmp_path / "gone" / "pw.yml")))
    with pytest.raises(WolkvoxError) as caught:
        _resource.run(resource, client, dict(state="merged", config=[{"dni": "0010205", "name": "Eva"}]))
    assert caught.value.kind == "password_file"
    assert caught.value.details["changes"][0]["applied"] is True
    assert "Gen3rated#Pw" not in caught.value.msg


def test_a_password_is_sent_at_creation_only_unless_update_password_is_always():
    config = [{"dni": "0010203", "name": "Phoenix Jones", "password": "S3cret#1"}]
    result, client = agents(copy.deepcopy(config))
    assert result["changes"] == [] and len(client.calls) == 1
    result, client = agents(copy.deepcopy(config), update_password="always")
    assert result["changes"] == [{"action": "update", "key": "0010203", "id": "12989", "before": {}, "after": {},
                                  "password": "given"}]
    assert client.calls[1] == ("PUT", "edit_agent", {"agent_id": "12989"}, {"agent_pass": "S3cret#1"})
    assert "S3cret#1" not in json.dumps(result)


def test_deleting_an_agent_disables_it_with_a_warning_about_its_license():
    result, client = agents([{"dni": "0010203"}, {"dni": "0010204"}], "deleted")
    assert result["changes"] == [{"action": "disable", "key": "0010203", "id": "12989",
                                  "reason": "state deleted: the platform cannot delete an agent, so it is disabled"}]
    assert client.calls[1] == ("PUT", "disable_agent", None, {"agent_id": "12989"})
    assert [item["enabled"] for item in result["after"]] == [False, False]
    assert any("a disabled agent still holds its license" in warning for warning in client.warnings)


def test_a_lost_create_answer_is_found_by_its_dni_and_its_generated_password_said_lost():
    state = {"created": False}

    def create(query, body):
        state["created"] = True
        return WolkvoxError("POST create_agent was sent, but its outcome is unknown: no answer. The platform may "
                            "have applied it", OUTCOME_UNKNOWN), None

    def read(query, body):
        rows = AGENTS + ([dict(AGENTS[0], agent_id="13000", agent_dni="0010205", agent_name="Eva")]
                         if state["created"] else [])
        return 200, {"code": "", "data": rows}

    result, client = agents([{"dni": "0010205", "name": "Eva"}], client=agent_client(create_agent=create, agents=read))
    assert result["changed"] is True
    assert [call[1] for call in client.calls] == ["agents", "create_agent", "agents"]
    assert [item["id"] for item in result["after"]] == ["12989", "12990", "13000"]
    assert any("the answer with the password the platform generated for it was lost" in warning
               for warning in client.warnings)
