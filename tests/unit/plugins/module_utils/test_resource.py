# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource engine: validation, the plan of every state, check mode, lost answers and failures part-way.

A toy resource on an in-memory platform keeps these tests free of HTTP; each resource has its own tests, in the
test file named after its logic file (test_allowed_ips.py, test_agents.py, ...).
"""

import copy
import json

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import OUTCOME_UNKNOWN, WolkvoxError
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
    if expected:
        assert list(result["diff"]["before"].values()) == result["before"]
        assert list(result["diff"]["after"].values()) == result["after"]
        assert list(result["diff"]["after"]) == [item["name"] for item in result["after"]]
        # check mode shows the same drift (a created item's platform id is not known before it exists)
        assert checked["diff"]["before"] == result["diff"]["before"]
        assert list(checked["diff"]["after"]) == list(result["diff"]["after"])
    else:  # no drift, no diff
        assert "diff" not in result and "diff" not in checked
    # the same config again: one read, nothing to do, nothing to show
    again, platform = run(copy.deepcopy(config), state, items=list(platform.items.values()))
    assert again["changes"] == [] and again["changed"] is False and platform.writes == []
    assert "diff" not in again
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
