# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource engine: validation, the plan of every state, check mode, lost answers and failures part-way.

A toy resource on an in-memory platform keeps these tests free of HTTP; the allowed IPs and the agents get their
own tests with a fake client that answers like the platform.
"""

import copy
import json
import os
import stat

import pytest
import yaml

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _agents, _allowed_ips, _operation_info, _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _routing_points, _token_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import OUTCOME_UNKNOWN, Answer, WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._resource import (
    KEY,
    MANAGED,
    READ_ONLY,
    WRITE_ONLY,
    Attribute,
    Write,
)

# -- a toy resource ------------------------------------------------------------------------------------------


class Platform:
    """An in-memory platform: items by name, each write logged; faults by write number (1-based)."""

    def __init__(self, items, lose=(), fail=(), unreadable_after=None, extra=()):
        self.items = dict((item["name"], dict(item)) for item in items)
        self.extra = [dict(item) for item in extra]  # more items, whose names may repeat
        self.writes = []
        self.reads = 0
        self.warnings = []
        self.lose = set(lose)
        self.fail = set(fail)
        self.unreadable_after = unreadable_after
        self.next_id = 100

    def warn(self, msg):
        self.warnings.append(msg)

    def read(self):
        self.reads += 1
        if self.unreadable_after is not None and self.reads > self.unreadable_after:
            raise WolkvoxError("the platform failed to answer (HTTP 500)", "server_error")
        return [dict(item) for item in self.items.values()] + [dict(item) for item in self.extra]

    def write(self, what, name, fields=None):
        self.writes.append((what, name, fields))
        number = len(self.writes)
        if number in self.fail:
            raise WolkvoxError("the operation's daily API quota is spent", "quota")
        if what == "create":
            self.next_id += 1
            self.items[name] = dict(fields, name=name, id=str(self.next_id))
        elif what == "update":
            self.items[name].update(fields)
        elif what == "delete":
            del self.items[name]
        if number in self.lose:
            raise WolkvoxError("POST %s was sent, but its outcome is unknown: no answer. The platform may have "
                               "applied it" % what, OUTCOME_UNKNOWN)
        return str(self.next_id) if what == "create" else None


class Things(_resource.Resource):
    NAME = "thing"
    PLURAL = "things"
    ATTRIBUTES = dict(
        name=Attribute(kind=KEY, normalize=lambda value: value.strip().lower()),
        id=Attribute(kind=READ_ONLY),
        size=Attribute(type="int", default=1),
        color=Attribute(default=""),
        label=Attribute(),  # no default: needed to create, kept otherwise
        secret=Attribute(kind=WRITE_ONLY, no_log=True),
    )

    def read(self, client):
        return [dict(name=item["name"], id=item["id"], size=item["size"], color=item["color"], label=item["label"])
                for item in client.read()]

    def create(self, after, given):
        fields = dict((name, after[name]) for name in ("size", "color", "label"))
        name = after["name"]
        return [Write("create", name, lambda client: dict(id=client.write("create", name, fields)),
                      expect=lambda index: name in index, learn=lambda index: dict(id=index[name]["id"]),
                      details=dict(after=fields, secret="given" if "secret" in given else "none"))]

    def update(self, before, after, given):
        changed = _resource.differing(self, before, after)
        fields = dict((name, after[name]) for name in changed)
        name = after["name"]
        return [Write("update", name, lambda client: client.write("update", name, fields),
                      expect=lambda index: all(index[name][field] == value for field, value in fields.items()),
                      details=dict(before=_resource.subset(before, changed), after=fields))]

    def remove(self, before):
        name = before["name"]
        return [Write("delete", name, lambda client: client.write("delete", name),
                      expect=lambda index: name not in index, details=dict(before=before))]


class SoftThings(Things):
    """Things whose removal only blanks their color (as agents are disabled, not deleted)."""

    REMOVE_ALL_OPTION = "blank_all"
    REMOVE_VERB = "blank"

    def removed(self, item):
        return dict(item, color="")


CURRENT = [
    dict(name="a", id="1", size=1, color="red", label="A"),
    dict(name="b", id="2", size=2, color="", label="B"),
]


def params(state="merged", config=None, **extra):
    values = dict(state=state, config=config)
    values.update(extra)
    return values


def run(config, state="merged", items=None, check_mode=False, resource=Things, platform=None, **extra):
    platform = platform or Platform(CURRENT if items is None else items)
    result = _resource.run(resource(), platform, params(state, config, **extra), check_mode=check_mode, diff=True)
    return result, platform


def actions(result):
    return [(change["action"], change["key"]) for change in result["changes"]]


# -- validation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state, config, says", [
    ("merged", [{"name": "a", "colour": "red"}], "config[0] has an unknown attribute colour: the attributes of "
                                                 "thing are name, id, size, color, label, secret"),
    ("merged", [{"name": "a", "size": "big"}], "config[0].size is 'big': give a whole number"),
    ("merged", [{"name": "a", "color": ["red"]}], "config[0].color is ['red']: give text"),
    ("merged", [{"size": 2}], "config[0] has no name: every item of config names its name"),
    ("merged", [{"name": "a"}, {"name": " A "}], "config[1] and config[0] are the same thing (name a)"),
    ("merged", ["a"], "config[0] is 'a': each item of config is a mapping"),
    ("merged", None, "state merged needs config"),
    ("replaced", None, "state replaced needs config"),
    ("overridden", None, "state overridden needs config: the complete list of things (config: [] removes every one)"),
    ("gathered", [{"name": "a"}], "state gathered only reads: leave config out"),
    ("deleted", [{"name": "a", "secret": "s3cret!"}], "config[0] gives secret with state deleted, which sends none"),
    ("bogus", [], "state must be one of merged, replaced, overridden, deleted, gathered"),
])
def test_bad_config_fails_before_any_request(state, config, says):
    platform = Platform(CURRENT)
    with pytest.raises(WolkvoxError) as caught:
        _resource.run(Things(), platform, params(state, config))
    assert says in caught.value.msg
    assert caught.value.kind == "bad_option"
    assert platform.reads == 0 and platform.writes == []


def test_values_are_typed_and_normalised():
    items = _resource.validate(Things(), [{"name": " Box ", "size": "3", "color": None, "secret": "x"}], "merged")
    assert items == [{"name": "box", "size": 3, "secret": "x"}]


@pytest.mark.parametrize("state, config", [("deleted", None), ("deleted", []), ("overridden", [])])
def test_removing_everything_needs_the_confirming_option_when_the_resource_has_one(state, config):
    with pytest.raises(WolkvoxError) as caught:
        run(config, state, resource=SoftThings)
    assert "would blank every thing of the operation: set blank_all: true to confirm" in caught.value.msg
    result, platform = run(config, state, resource=SoftThings, blank_all=True)
    assert actions(result) == [("update", "a")]  # b has no color already
    assert platform.items["a"]["color"] == ""


def test_a_read_only_value_given_must_match_the_platforms():
    with pytest.raises(WolkvoxError) as caught:
        run([{"name": "a", "id": "9"}])
    assert "config[0]: thing a has id 1 on the platform, not 9" in caught.value.msg
    with pytest.raises(WolkvoxError) as caught:
        run([{"name": "c", "id": "9", "label": "C"}])
    assert "thing c does not exist, and its id is set by the platform when it is created: leave id out" in caught.value.msg
    result = run([{"name": "a", "id": "1", "size": 5}])[0]
    assert actions(result) == [("update", "a")]


def test_an_attribute_without_default_is_needed_to_create_only():
    with pytest.raises(WolkvoxError) as caught:
        run([{"name": "c"}], "replaced")
    assert "config[0]: thing c does not exist, and label is needed to create it" in caught.value.msg
    result = run([{"name": "a"}], "replaced")[0]
    assert result["changes"] == [{"action": "update", "key": "a", "before": {"color": "red"}, "after": {"color": ""}}]


# -- the plan of every state ---------------------------------------------------------------------------------

NEW = {"name": "c", "label": "C", "size": 3}      # missing on the platform
SAME = {"name": "a", "size": 1, "color": "red"}   # as the platform has it
OTHER = {"name": "b", "size": 5}                  # differs from the platform (b has size 2)
PARTIAL = {"name": "a", "size": 1}                # as the platform has it, color not given


@pytest.mark.parametrize("state, config, expected, after", [
    # merged: create the missing, set what is given, remove nothing
    ("merged", [NEW], [("create", "c")], {"a": (1, "red"), "b": (2, ""), "c": (3, "")}),
    ("merged", [SAME], [], {"a": (1, "red"), "b": (2, "")}),
    ("merged", [PARTIAL], [], {"a": (1, "red"), "b": (2, "")}),
    ("merged", [OTHER], [("update", "b")], {"a": (1, "red"), "b": (5, "")}),
    ("merged", [], [], {"a": (1, "red"), "b": (2, "")}),
    # replaced: what is not given goes back to its default; others untouched
    ("replaced", [NEW], [("create", "c")], {"a": (1, "red"), "b": (2, ""), "c": (3, "")}),
    ("replaced", [SAME], [], {"a": (1, "red"), "b": (2, "")}),
    ("replaced", [PARTIAL], [("update", "a")], {"a": (1, ""), "b": (2, "")}),
    ("replaced", [OTHER], [("update", "b")], {"a": (1, "red"), "b": (5, "")}),
    # overridden: exactly config
    ("overridden", [NEW], [("delete", "a"), ("delete", "b"), ("create", "c")], {"c": (3, "")}),
    ("overridden", [SAME], [("delete", "b")], {"a": (1, "red")}),
    ("overridden", [PARTIAL], [("delete", "b"), ("update", "a")], {"a": (1, "")}),
    ("overridden", [OTHER, SAME], [("update", "b")], {"a": (1, "red"), "b": (5, "")}),
    ("overridden", [], [("delete", "a"), ("delete", "b")], {}),
    # deleted: the listed ones (attributes do not count), all of them when none is listed
    ("deleted", [NEW], [], {"a": (1, "red"), "b": (2, "")}),
    ("deleted", [SAME], [("delete", "a")], {"b": (2, "")}),
    ("deleted", [OTHER], [("delete", "b")], {"a": (1, "red")}),
    ("deleted", [], [("delete", "a"), ("delete", "b")], {}),
    ("deleted", None, [("delete", "a"), ("delete", "b")], {}),
])
def test_every_state_plans_the_writes_and_the_result_in_check_mode_and_for_real(state, config, expected, after):
    checked, untouched = run(copy.deepcopy(config), state, check_mode=True)
    assert untouched.writes == [] and untouched.reads == 1
    result, platform = run(copy.deepcopy(config), state)
    assert actions(result) == expected
    assert result["changes"] == checked["changes"]
    assert result["changed"] is checked["changed"] is bool(expected)
    assert len(platform.writes) == len(expected) and platform.reads == 1
    assert dict((item["name"], (item["size"], item["color"])) for item in result["after"]) == after
    assert dict((item["name"], (item["size"], item["color"])) for item in platform.items.values()) == after
    assert result["before"] == checked["before"] == _resource.sorted_items(Things(), CURRENT)
    assert list(result["diff"]["before"].values()) == result["before"]
    assert list(result["diff"]["after"].values()) == result["after"]
    assert list(result["diff"]["after"]) == [item["name"] for item in result["after"]]
    # the same config again: one read, nothing to do
    again, platform = run(copy.deepcopy(config), state, items=list(platform.items.values()))
    assert again["changes"] == [] and again["changed"] is False and platform.writes == []
    assert again["before"] == again["after"] == result["after"]


def test_after_of_a_created_item_has_what_its_write_learnt_and_none_in_check_mode():
    checked = run([NEW], check_mode=True)[0]
    result = run([NEW])[0]
    assert [item["id"] for item in checked["after"]] == ["1", "2", None]
    assert [item["id"] for item in result["after"]] == ["1", "2", "101"]
    assert "secret" not in json.dumps(result["after"])


def test_gathered_fed_back_as_overridden_changes_nothing():
    gathered, platform = run(None, "gathered")
    assert gathered == dict(changed=False, gathered=_resource.sorted_items(Things(), CURRENT))
    result, platform = run(gathered["gathered"], "overridden")
    assert result["changed"] is False and platform.writes == []


def test_a_soft_removal_keeps_the_item_as_the_resource_says():
    result, platform = run([{"name": "b", "label": "B", "size": 2}], "overridden", resource=SoftThings)
    assert actions(result) == [("update", "a")]
    assert [item["color"] for item in result["after"]] == ["", ""]
    assert sorted(platform.items) == ["a", "b"]


def test_removals_come_first_then_changes_then_creations_each_in_key_order():
    config = [{"name": "z", "label": "Z"}, {"name": "b", "size": 9}, {"name": "c", "label": "C"}]
    result = run(config, "overridden")[0]
    assert actions(result) == [("delete", "a"), ("update", "b"), ("create", "c"), ("create", "z")]


# -- lost answers and failures part-way ----------------------------------------------------------------------


def test_a_create_whose_answer_was_lost_counts_as_done_when_the_list_shows_it():
    platform = Platform(CURRENT, lose=[1])  # the update's answer is lost: the list shows the new size
    result, platform = run([NEW, OTHER], platform=platform)
    assert actions(result) == [("update", "b"), ("create", "c")]
    assert platform.reads == 2 and len(platform.writes) == 2
    platform = Platform(CURRENT, lose=[2])
    result, platform = run([NEW, OTHER], platform=platform)
    assert result["changed"] is True
    assert platform.reads == 2  # one more read, and the create was not sent again
    assert [write[0] for write in platform.writes] == ["update", "create"]
    assert [item["id"] for item in result["after"] if item["name"] == "c"] == ["101"]  # learnt from the list
    assert any("the answer to create thing c was lost" in warning for warning in platform.warnings)


def test_a_write_whose_answer_was_lost_and_does_not_show_fails_with_its_outcome_unknown():
    class Vanishing(Platform):
        def write(self, what, name, fields=None):
            self.writes.append((what, name, fields))
            raise WolkvoxError("POST create was sent, but its outcome is unknown: timeout", OUTCOME_UNKNOWN)

    with pytest.raises(WolkvoxError) as caught:
        run([NEW], platform=Vanishing(CURRENT))
    error = caught.value
    assert error.kind == OUTCOME_UNKNOWN
    assert "the answer to create thing c was lost (timeout), and the things, read again, do not show it: its " \
           "outcome is unknown" in error.msg
    assert error.details["changes"] == [dict(action="create", key="c", after=dict(size=3, color="", label="C"),
                                             secret="none", applied=False, error=error.details["changes"][0]["error"])]
    assert error.details["changed"] is False


def test_a_lost_answer_and_an_unreadable_list_fail_saying_both():
    platform = Platform(CURRENT, lose=[1], unreadable_after=1)
    with pytest.raises(WolkvoxError) as caught:
        run([NEW], platform=platform)
    assert caught.value.kind == OUTCOME_UNKNOWN
    assert "Reading the things again to see whether create thing c was applied failed too" in caught.value.msg


def test_a_failure_part_way_lists_what_was_applied_and_what_was_not_and_a_rerun_converges():
    config = [{"name": "c", "label": "C"}, {"name": "d", "label": "D"}, {"name": "e", "label": "E"}]
    platform = Platform(CURRENT, fail=[2])
    with pytest.raises(WolkvoxError) as caught:
        run(config, platform=platform)
    error = caught.value
    assert error.kind == "quota"
    assert "1 of the 3 changes of this task were applied before it stopped" in error.msg
    assert [(c["key"], c["applied"]) for c in error.details["changes"]] == [("c", True), ("d", False), ("e", False)]
    assert "error" in error.details["changes"][1] and "error" not in error.details["changes"][2]
    assert error.details["changed"] is True
    assert error.details["before"] == _resource.sorted_items(Things(), CURRENT)
    result, again = run(config, items=list(platform.items.values()))
    assert actions(result) == [("create", "d"), ("create", "e")]
    result = run(config, items=list(again.items.values()))[0]
    assert result["changed"] is False


def test_the_platform_holding_a_key_twice_fails_only_where_it_matters():
    twin = [dict(name="a", id="3", size=1, color="red", label="A2")]
    gathered, platform = run(None, "gathered", platform=Platform(CURRENT, extra=twin))
    assert [item["id"] for item in gathered["gathered"]] == ["1", "3", "2"]
    assert "the platform holds 2 things with name a" in platform.warnings[0]
    result = run([{"name": "b", "size": 7}], platform=Platform(CURRENT, extra=twin))[0]
    assert actions(result) == [("update", "b")]
    for state, config in (("merged", [{"name": "a"}]), ("overridden", [{"name": "b"}])):
        with pytest.raises(WolkvoxError) as caught:
            run(config, state, platform=Platform(CURRENT, extra=twin))
        assert "the platform holds 2 things with name a ({'id': '1'}, {'id': '3'}): the module cannot tell them " \
               "apart" in caught.value.msg


def test_argument_spec_of_a_resource():
    spec = _resource.argument_spec(Things, extra=dict(type="bool", default=False))
    assert spec["state"] == dict(type="str", default="merged", choices=list(_resource.STATES))
    assert spec["config"]["options"]["name"] == dict(type="str", required=True)
    assert spec["config"]["options"]["secret"] == dict(type="str", no_log=True)
    assert spec["config"]["options"]["size"] == dict(type="int")
    assert spec["extra"] == dict(type="bool", default=False)
    assert [name for name in Things.ATTRIBUTES if Things.ATTRIBUTES[name].kind == MANAGED] == ["size", "color", "label"]


# -- a key of several attributes, batched writes, choices, check_item ---------------------------------------


class Shelves(_resource.Resource):
    """Items keyed by (room, name), removed one request per room; a ``size`` of 0 is refused in a cellar."""

    NAME = "shelf"
    PLURAL = "shelves"
    ATTRIBUTES = dict(
        room=Attribute(kind=KEY, choices=["cellar", "attic"], normalize=lambda value: value.strip().lower()),
        name=Attribute(kind=KEY),
        size=Attribute(type="int", default=1),
    )

    def check_item(self, item, where):
        if item["room"] == "cellar" and item.get("size") == 0:
            raise _resource.bad_option("%s.size is 0: a cellar shelf has a size" % where)

    def read(self, client):
        return client.read()

    def create(self, after, given):
        key = (after["room"], after["name"])
        return [Write("create", key, lambda client: client.write("create", key, after["size"]),
                      expect=lambda index: key in index, details=dict(size=after["size"]))]

    def update(self, before, after, given):
        key = (after["room"], after["name"])
        return [Write("update", key, lambda client: client.write("update", key, after["size"]),
                      expect=lambda index: key in index and index[key]["size"] == after["size"])]

    def remove(self, before):
        key = (before["room"], before["name"])
        return [Write("remove", key, lambda client: client.write("remove", [key]), expect=lambda index: key not in index)]

    def batched(self, phase, writes):
        if phase != _resource.PHASE_REMOVE:
            return writes
        rooms = {}
        for write in writes:
            rooms.setdefault(write.key[0], []).append(write)
        return [_resource.batch("remove", parts, self._remover([part.key for part in parts]),
                                details=dict(room=room, names=[part.key[1] for part in parts]),
                                label="remove the %s shelves %s" % (room, ", ".join(part.key[1] for part in parts)))
                for room, parts in rooms.items()]

    @staticmethod
    def _remover(keys):
        return lambda client: client.write("remove", keys)


class Storeroom:
    """Shelves by (room, name); each write logged; ``lose``: writes (1-based) whose answer is lost once applied,
    ``keep``: keys a removal leaves in place (so that a lost batch does not fully show)."""

    def __init__(self, shelves, lose=(), keep=(), fail=()):
        self.shelves = dict(((shelf["room"], shelf["name"]), dict(shelf)) for shelf in shelves)
        self.writes, self.reads, self.warnings = [], 0, []
        self.lose, self.keep, self.fail = set(lose), set(keep), set(fail)

    def warn(self, msg):
        self.warnings.append(msg)

    def read(self):
        self.reads += 1
        return [dict(shelf) for shelf in self.shelves.values()]

    def write(self, what, key, size=None):
        self.writes.append((what, key))
        if len(self.writes) in self.fail:
            raise WolkvoxError("the operation's daily API quota is spent", "quota")
        if what == "remove":
            for one in key:
                if one not in self.keep:
                    self.shelves.pop(one, None)
        else:
            self.shelves[key] = dict(room=key[0], name=key[1], size=size)
        if len(self.writes) in self.lose:
            raise WolkvoxError("DELETE x was sent, but its outcome is unknown: no answer. The platform may have "
                               "applied it", OUTCOME_UNKNOWN)


SHELVES = [dict(room="cellar", name="a", size=1), dict(room="cellar", name="b", size=2),
           dict(room="attic", name="a", size=3)]


def shelves(config, state="merged", room=None, check_mode=False):
    room = room or Storeroom(SHELVES)
    return _resource.run(Shelves(), room, params(state, config), check_mode=check_mode, diff=True), room


def test_a_key_of_several_attributes_is_a_tuple_shown_as_text():
    result, room = shelves([{"room": "Attic", "name": "a", "size": 4}, {"room": "cellar", "name": "c"}])
    assert result["changes"] == [{"action": "update", "key": "attic/a"}, {"action": "create", "key": "cellar/c", "size": 1}]
    assert room.writes == [("update", ("attic", "a")), ("create", ("cellar", "c"))]
    assert list(result["diff"]["after"]) == ["attic/a", "cellar/a", "cellar/b", "cellar/c"]
    assert [(item["room"], item["name"], item["size"]) for item in result["after"]] == [
        ("attic", "a", 4), ("cellar", "a", 1), ("cellar", "b", 2), ("cellar", "c", 1)]
    assert Shelves.key_names() == ["room", "name"] and Shelves.key_name() == "room"
    assert Shelves().key_words(("attic", "a")) == "room attic, name a"
    assert Things().key_text("a") == "a" and Things().key_words("a") == "name a"


@pytest.mark.parametrize("config, says", [
    ([{"room": "cellar", "name": "a"}, {"room": " CELLAR", "name": "a"}],
     "config[1] and config[0] are the same shelf (room cellar, name a): list each shelf once"),
    ([{"room": "cellar"}], "config[0] has no name: every item of config names its name"),
    ([{"room": "garage", "name": "a"}], "config[0].room is 'garage': give one of cellar, attic"),
    ([{"room": "cellar", "name": "a", "size": 0}], "config[0].size is 0: a cellar shelf has a size"),
])
def test_several_keys_choices_and_check_item_fail_before_any_request(config, says):
    room = Storeroom(SHELVES)
    with pytest.raises(WolkvoxError) as caught:
        shelves(config, room=room)
    assert says in caught.value.msg
    assert room.reads == 0 and room.writes == []


def test_choices_are_in_the_argument_spec():
    assert _resource.argument_spec(Shelves)["config"]["options"]["room"] == dict(
        type="str", required=True, choices=["cellar", "attic"])


def test_a_platform_holding_a_key_of_several_attributes_twice_is_named_in_words():
    room = Storeroom(SHELVES)
    room.read = lambda: [dict(shelf) for shelf in SHELVES] + [dict(room="cellar", name="a", size=9)]
    with pytest.raises(WolkvoxError) as caught:
        shelves([{"room": "cellar", "name": "a"}], room=room)
    assert "the platform holds 2 shelves with room cellar, name a" in caught.value.msg
    assert "Give each its own room/name on the platform first" in caught.value.msg
    shelves(None, "gathered", room=room)
    assert "the platform holds 2 shelves with room cellar, name a: give each its own room/name" in room.warnings[0]


def test_the_writes_of_a_phase_are_batched_as_the_resource_says():
    checked, untouched = shelves([{"room": "attic", "name": "b"}], "overridden", check_mode=True)
    result, room = shelves([{"room": "attic", "name": "b"}], "overridden")
    assert result["changes"] == checked["changes"] == [
        {"action": "remove", "room": "attic", "names": ["a"]},
        {"action": "remove", "room": "cellar", "names": ["a", "b"]},
        {"action": "create", "key": "attic/b", "size": 1}]
    assert room.writes == [("remove", [("attic", "a")]), ("remove", [("cellar", "a"), ("cellar", "b")]),
                           ("create", ("attic", "b"))]
    assert untouched.writes == []
    assert sorted(room.shelves) == [("attic", "b")]


def test_a_batch_whose_answer_was_lost_counts_as_applied_when_every_key_of_it_shows():
    result, room = shelves(None, "deleted", room=Storeroom(SHELVES, lose=[2]))
    assert result["changed"] is True and room.reads == 2 and len(room.writes) == 2
    assert any("the answer to remove the cellar shelves a, b was lost" in warning for warning in room.warnings)


def test_a_batch_whose_answer_was_lost_and_that_shows_in_part_fails_with_its_outcome_unknown():
    with pytest.raises(WolkvoxError) as caught:
        shelves(None, "deleted", room=Storeroom(SHELVES, lose=[2], keep=[("cellar", "b")]))
    error = caught.value
    assert error.kind == OUTCOME_UNKNOWN
    assert "the answer to remove the cellar shelves a, b was lost (no answer), and the shelves, read again, do not " \
           "show it" in error.msg
    assert [change["applied"] for change in error.details["changes"]] == [True, False]


def test_a_batch_write_covers_the_keys_of_its_parts_and_reports_like_any_write():
    parts = [Write("remove", key, None, expect=lambda index, key=key: key not in index) for key in ("x", "y")]
    merged = _resource.batch("remove", parts, send=None, details=dict(names=["x", "y"]))
    assert merged.key is None and merged.keys == ["x", "y"] and merged.entry == {"action": "remove", "names": ["x", "y"]}
    assert merged.expect({}) is True
    assert merged.expect({"y": {}}) is False
    unknown = Write("remove", "z", None, expect=lambda index: None)
    assert _resource.batch("remove", parts + [unknown], send=None).expect({}) is None
    with pytest.raises(WolkvoxError) as caught:
        shelves(None, "deleted", room=Storeroom(SHELVES, fail=[2]))
    assert [change["applied"] for change in caught.value.details["changes"]] == [True, False]
    assert "1 of the 2 changes of this task were applied" in caught.value.msg


# -- the allowed IPs and the agents, on a fake client that answers like the platform --------------------------


class FakeClient:
    """Answers contact_center() calls from ``answers`` (api -> a function of (query, body) returning
    (status, envelope)); records each call."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls = []
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)

    def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False):
        self.calls.append((method, api, query, copy.deepcopy(body)))
        status, envelope = self.answers[api](query, body)
        if isinstance(status, Exception):
            raise status
        return Answer(status, envelope, 1)


def listing(rows):
    return lambda query, body: (200, {"code": "200", "msg": " %d records were found" % len(rows), "data": rows})


def answer(code, msg="", data=None, status=200):
    return lambda query, body: (status, {"code": code, "msg": msg, "data": data})


IPS = [
    {"operation": "acme", "ip": "203.0.113.7", "type_ip": "permanente", "description": "office ", "last_use": ""},
    {"operation": "acme", "ip": "2001:DB8:0::7", "type_ip": "temporal", "description": "lab"},
]


def ips(state="merged", config=None, client=None, check_mode=False):
    client = client or FakeClient(get_ip=listing(IPS), add_ip=answer("201"), remove_ip=answer("202"))
    result = _allowed_ips.run(client, dict(state=state, config=config), check_mode=check_mode)
    return result, client


def test_allowed_ips_are_read_in_configs_shape_with_canonical_addresses():
    result, client = ips("gathered")
    assert result["gathered"] == [{"ip": "203.0.113.7", "permanent": True, "description": "office"},
                                  {"ip": "2001:db8::7", "permanent": False, "description": "lab"}]
    assert client.calls == [("GET", "get_ip", None, None)]


@pytest.mark.parametrize("record, permanent", [
    ({"type_ip": "Permanent"}, True), ({"type_ip": "temporary"}, False), ({"permanent": "yes"}, True),
    ({"type_ip": "forever"}, None),
])
def test_the_type_of_an_allowed_ip_is_read_in_spanish_or_english(record, permanent):
    client = FakeClient(get_ip=listing([dict(record, ip="192.0.2.1")]))
    result = ips("gathered", client=client)[0]
    assert result["gathered"][0]["permanent"] is permanent
    assert bool(client.warnings) is (permanent is None)


def test_no_allowed_ip_is_an_empty_list():
    client = FakeClient(get_ip=answer(404, "No data", [], status=404))
    assert ips("gathered", client=client)[0]["gathered"] == []


def test_an_allowed_ip_is_removed_as_the_platform_wrote_it_and_changed_by_a_remove_and_an_add():
    result, client = ips("overridden", [{"ip": "203.0.113.7", "description": "office"}])
    assert [change["action"] for change in result["changes"]] == ["remove", "remove", "add"]
    assert client.calls[1:] == [
        ("DELETE", "remove_ip", None, {"ip": "2001:DB8:0::7"}),
        ("DELETE", "remove_ip", None, {"ip": "203.0.113.7"}),
        ("POST", "add_ip", None, {"ip": "203.0.113.7", "permanent": "no", "description": "office"}),
    ]
    assert result["changes"][1]["reason"] == result["changes"][2]["reason"] == _allowed_ips.REPLACE_REASON


def test_a_refused_add_after_its_remove_says_the_address_is_not_allowed_now():
    client = FakeClient(get_ip=listing(IPS), remove_ip=answer("202"),
                        add_ip=answer("406", "THE LIMIT OF 5 PERMANENT IPS HAS BEEN REACHED"))
    with pytest.raises(WolkvoxError) as caught:
        ips(config=[{"ip": "2001:db8::7", "permanent": True}], client=client)
    error = caught.value
    assert error.kind == "refused"
    assert "the platform refused to add 2001:db8::7 (body code 406: THE LIMIT OF 5 PERMANENT IPS HAS BEEN REACHED)" \
        in error.msg
    assert "2001:db8::7 is NOT allowed now" in error.msg
    assert [change["applied"] for change in error.details["changes"]] == [True, False]


def test_an_add_the_platform_says_is_already_there_is_a_conflict():
    client = FakeClient(get_ip=listing([]), add_ip=answer("404", "THE IP IS ALREADY REGISTERED"))
    with pytest.raises(WolkvoxError) as caught:
        ips(config=[{"ip": "192.0.2.1"}], client=client)
    assert caught.value.kind == "conflict"
    assert "something else changed them meanwhile" in caught.value.msg


AGENTS = [
    {"agent_id": "12989", "agent_name": "Phoenix  Jones", "agent_dni": "0010203", "agent_status": "Available",
     "last_use": "", "agent_sso": "", "enabled": "yes"},
    {"agent_id": "12990", "agent_name": "Dana Ruiz", "agent_dni": "0010204", "agent_status": "Disconnected",
     "last_use": "", "agent_sso": "dana", "enabled": "no"},
]


def agent_client(created=None, **answers):
    created = created or {"code": 201, "msg": "Agent has been created",
                          "data": [{"agent_id": "13000", "password": "Gen3rated#Pw"}]}
    defaults = dict(agents=lambda query, body: (200, {"code": "", "msg": " 2 records were found", "data": AGENTS}),
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


# -- wolkvox_operation_info: each subset in its own module's shape -------------------------------------------


@pytest.mark.parametrize("asked, read", [
    (["token"], ["token"]),
    (["agents", "token", "agents"], ["token", "agents"]),
    (["all"], list(_operation_info.SUBSETS)),
    (["allowed_ips", "all"], list(_operation_info.SUBSETS)),
    (["connectors", "services", "skills"], ["skills", "services", "connectors"]),
])
def test_operation_info_reads_each_subset_once_in_order(asked, read):
    assert _operation_info.subsets(asked) == read


def test_operation_info_returns_each_subset_in_its_modules_shape():
    token = {"description": "main", "token_limit": "2000", "token_use_today": "40", "all_token_today": "52",
             "available_consumption_options": "1960"}
    points = [{"rp_id": "101", "rp_name": "Sales", "ivr_active": "yes", "chat_active": "no", "interaction_active": "si",
               "crm_active": "", "last_use": "2026-01-20 13:42:47"}]
    client = agent_client(token_info=listing([token]), routing_points=listing(points), get_ip=listing(IPS))
    result = _operation_info.run(client, dict(gather_subset=["token", "routing_points", "agents", "allowed_ips"]))
    assert result["token"] == _token_info.normalize(token, "contact_center")
    assert result["routing_points"] == _routing_points.normalize(points)[0]
    assert result["agents"] == agents(state="gathered")[0]["gathered"]
    assert result["allowed_ips"] == ips("gathered")[0]["gathered"]
    assert [call[1] for call in client.calls] == ["token_info", "routing_points", "agents", "get_ip"]
    assert client.warnings == ["routing points: crm_active is '' in 1 record(s), read as false"]


def test_operation_info_reads_services_and_connectors_typed():
    services = {"licenses": "10", "pbx": " 2 ", "whatsapp": "yes", "crm": "no", "region": "co", "sms": ""}
    connectors = [{"connector_id": "9", "rp_id": "3001", "name": " Web ", "channel": "chat-web"},
                  {"connector_id": "10", "rp_id": "3001", "name": "WA", "channel": "whatsapp"}]
    client = FakeClient(services=lambda query, body: (200, {"code": "200", "data": services}),
                        connectors=listing(connectors))
    result = _operation_info.run(client, dict(gather_subset=["services", "connectors"]))
    assert result["services"] == {"licenses": 10, "pbx": 2, "whatsapp": True, "crm": False, "region": "co", "sms": None}
    assert result["connectors"] == [{"id": "9", "rp_id": "3001", "name": "Web", "channel": "chat-web"},
                                    {"id": "10", "rp_id": "3001", "name": "WA", "channel": "whatsapp"}]
    assert [call[1] for call in client.calls] == ["services", "connectors"]


def test_operation_info_fails_with_the_subsets_read_before():
    client = FakeClient(token_info=listing([{"token_limit": "10", "token_use_today": "1"}]),
                        routing_points=lambda query, body: (WolkvoxError("the platform failed", "server_error"), None))
    with pytest.raises(WolkvoxError) as caught:
        _operation_info.run(client, dict(gather_subset=["token", "routing_points"]))
    assert caught.value.msg == "reading routing_points failed: the platform failed"
    assert caught.value.details["token"]["token_limit"] == 10
