# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_skills: the operation's skills and the agents in each, as a resource (see _resource.py).

Read: ``GET information.php?api=skills``, and ``GET information.php?api=agents_in_skill&skill_id=ID`` for each skill
whose agents the task manages; ``GET information.php?api=agents`` once when an agent is named by its dni.  Create:
``POST configuration.php?api=create_skill``.  Edit: ``PUT configuration.php?api=edit_skill&skill_id=ID``.  Members:
``POST configuration.php?api=add_agents_skill`` and ``DELETE configuration.php?api=remove_agents_skill``.

The platform cannot delete a skill: removing one takes its agents out, and the skill stays (with a warning).
``voicemail``, ``welcome_message`` and ``vto`` (the names of the skill's audio messages) are written but never read
back: they are sent when the skill is created, and with an edit that a change of ``description`` makes.
"""

import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._resource import KEY, READ_ONLY, WRITE_ONLY, Attribute, Write

DONE = ("200", "201", "202")
MESSAGES = ("voicemail", "welcome_message", "vto")  # written, never read back
EXPERTISE_MIN, EXPERTISE_MAX = 1, 10  # the vendor documents no range: the module's own check
REMOVAL = "the platform cannot delete a skill, so its agents are taken out of it"
READD = ("the expertise changes from %s to %s: the agent is added to the skill again, which sets its expertise (the "
         "platform has no call to change an expertise; adding an agent already in a skill is assumed to update it)")


def text(value):
    return to_text(value if value is not None else "").strip()


def name_text(value):
    name = text(value)
    if not name:
        raise ValueError("is empty: give the skill's name")
    return name


def agent_ref(value):
    ref = text(value)
    if not ref:
        raise ValueError("is empty: leave it out, or give the agent's")
    return ref


def expertise_value(value):
    if not EXPERTISE_MIN <= value <= EXPERTISE_MAX:
        raise ValueError("is %d: give a whole number from %d to %d" % (value, EXPERTISE_MIN, EXPERTISE_MAX))
    return value


def member_given(member):
    if "dni" not in member and "id" not in member:
        raise ValueError("names no agent: give its dni or its id")
    return member


def id_order(agent_id):
    """IDs in numeric order, those that are not numbers after them."""
    return (0, int(agent_id), "") if agent_id.isdigit() else (1, 0, agent_id)


def canonical(members):
    """Members ({id, expertise}) sorted by id: the form items are compared in."""
    return sorted((dict(id=member["id"], expertise=member["expertise"]) for member in members),
                  key=lambda member: id_order(member["id"]))


def platform(params):
    return "contact_center"


MEMBER = Attribute(type="dict", normalize=member_given, options=dict(
    dni=Attribute(normalize=agent_ref),
    id=Attribute(normalize=agent_ref),
    expertise=Attribute(type="int", required=True, normalize=expertise_value),
))


class Skills(_resource.Resource):
    NAME = "skill"
    PLURAL = "skills"
    ATTRIBUTES = dict(
        name=Attribute(kind=KEY, normalize=name_text),
        id=Attribute(kind=READ_ONLY, normalize=text),
        description=Attribute(default="", normalize=text),
        voicemail=Attribute(kind=WRITE_ONLY),
        welcome_message=Attribute(kind=WRITE_ONLY),
        vto=Attribute(kind=WRITE_ONLY),
        agents=Attribute(type="list", elements=MEMBER, keep=True, default=[]),
    )

    def __init__(self, params=None):
        super().__init__(params)
        self.ids = {}        # name -> the platform's skill_id, read or learnt from a create
        self.sent_as = {}    # name -> the name as the platform holds it (what an edit sends back)
        self.dnis = None     # dni -> [agent ids], once the agents are read
        self.agent_dnis = {}  # agent id -> dni, once the agents are read (for changes)
        self.recheck = None  # the skill whose agents a read again (after a lost answer) reads too

    # -- reading -------------------------------------------------------------------------------------------

    def read(self, client):
        answer = client.contact_center("information", "skills", allow_not_found=True)
        items = []
        for record in records(answer, "skills"):
            name, skill_id = text(record.get("skill_name")), text(record.get("skill_id"))
            items.append(dict(name=name, id=skill_id, description=text(record.get("skill_description")), agents=None))
            self.ids.setdefault(name, skill_id)
            self.sent_as.setdefault(name, to_text(record.get("skill_name") or ""))
        if self.recheck is not None:  # a read again after a lost answer to a change of this skill's agents
            for item in items:
                if item["name"] == self.recheck:
                    item["agents"] = self.members(client, item["id"], item["name"])
        return items

    def members(self, client, skill_id, name):
        """The agents of a skill, canonical."""
        answer = client.contact_center("information", "agents_in_skill", query={"skill_id": skill_id},
                                       allow_not_found=True)
        members = []
        for record in records(answer, "agents of skill %s" % name):
            agent_id = text(record.get("agent_id"))
            raw = text(record.get("expertise"))
            expertise = int(raw) if raw.isdigit() else (raw or None)
            if not isinstance(expertise, int):
                self.warnings.append("skill %s: agent %s has expertise %r, not a whole number; it shows as is"
                                     % (name, agent_id, record.get("expertise")))
            members.append(dict(id=agent_id, expertise=expertise))
        return canonical(members)

    def read_agents(self, client):
        """The operation's agents, once: dni -> [ids]."""
        answer = client.contact_center("information", "agents", allow_not_found=True)
        self.dnis = {}
        for record in records(answer, "agents"):
            dni, agent_id = text(record.get("agent_dni")), text(record.get("agent_id"))
            self.dnis.setdefault(dni, []).append(agent_id)
            self.agent_dnis[agent_id] = dni

    def prepare(self, client, items, wanted, state):
        if state not in ("gathered", "deleted"):
            if any("dni" in member for item in wanted for member in item.get("agents") or []):
                self.read_agents(client)
            for position, item in enumerate(wanted):
                if "agents" in item:
                    item["agents"] = self.resolve(item["agents"], position)
        names = set(item["name"] for item in items)
        listed = set(item["name"] for item in wanted)
        if state == "gathered" or (state == "deleted" and not wanted):
            needed = names
        elif state == "deleted":
            needed = listed
        else:
            needed = set(item["name"] for item in wanted if "agents" in item)
            if state == "overridden":
                needed |= names - listed  # their agents are taken out
        # a name the platform holds twice: a listed one fails as ambiguous, so its agents are not read; one that is
        # not listed fails only if it has agents to take out
        duplicates = _resource.index_items(self, items)[1]
        for item in sorted(items, key=lambda item: (item["name"], id_order(item["id"]))):
            if item["name"] in needed and not (item["name"] in duplicates and item["name"] in listed):
                item["agents"] = self.members(client, item["id"], item["name"])

    def resolve(self, members, position):
        """A config item's agents with their platform IDs, canonical; a bad agent fails, saying which."""
        seen = {}
        resolved = []
        for number, member in enumerate(members):
            where = "config[%d].agents[%d]" % (position, number)
            agent_id = member.get("id")
            if "dni" in member:
                ids = self.dnis.get(member["dni"], [])
                if not ids:
                    raise _resource.bad_option(
                        "%s: no agent has dni %s on the platform: create it first (wolkvox.wolkvox.wolkvox_agents), or "
                        "correct the dni" % (where, member["dni"]))
                if len(ids) > 1:
                    raise _resource.bad_option(
                        "%s: the platform holds %d agents with dni %s (ids %s): name the agent by its id instead"
                        % (where, len(ids), member["dni"], ", ".join(ids)))
                if agent_id is not None and agent_id != ids[0]:
                    raise _resource.bad_option("%s: the agent with dni %s has id %s on the platform, not %s: give one "
                                               "of them, or both right" % (where, member["dni"], ids[0], agent_id))
                agent_id = ids[0]
            elif self.dnis is not None and agent_id not in self.agent_dnis:
                raise _resource.bad_option("%s: no agent has id %s on the platform" % (where, agent_id))
            if agent_id in seen:
                raise _resource.bad_option("%s and config[%d].agents[%d] are the same agent (id %s): list each agent "
                                           "once" % (where, position, seen[agent_id], agent_id))
            seen[agent_id] = number
            resolved.append(dict(id=agent_id, expertise=member["expertise"]))
        return canonical(resolved)

    def removed(self, item):
        return dict(item, agents=[])

    # -- planning ------------------------------------------------------------------------------------------

    def create(self, after, given):
        name = after["name"]
        messages = dict((field, (given or {}).get(field, "")) for field in MESSAGES)
        body = dict(skill_name=name, description_skill=after["description"], **messages)

        def send(client):
            self.recheck = None
            answer = client.contact_center("configuration", "create_skill", method="POST", body=body)
            refused(answer, "create skill %s" % name)
            record = answer.data[0] if isinstance(answer.data, list) and answer.data else answer.data
            skill_id = text(record.get("skill_id")) if isinstance(record, dict) else ""
            self.ids[name] = skill_id or None
            return {"id": skill_id or None}

        def learn(index):
            self.ids[name] = index[name]["id"]
            return {"id": index[name]["id"]}

        details = dict(after=dict(_resource.subset(after, ("name", "description")), **messages))
        writes = [Write("create", name, send, expect=lambda index: name in index, learn=learn, details=details)]
        writes.extend(self._add(name, None, member) for member in after["agents"] or [])
        return writes

    def update(self, before, after, given):
        name, skill_id = after["name"], before["id"]
        writes = []
        if before["description"] != after["description"]:
            messages = dict((field, given[field]) for field in MESSAGES if given and field in given)
            body = dict(skill_name=self.sent_as.get(name, name), description_skill=after["description"], **messages)
            wanted = after["description"]

            def send(client):
                self.recheck = None
                answer = client.contact_center("configuration", "edit_skill", method="PUT",
                                               query={"skill_id": skill_id}, body=body)
                refused(answer, "edit skill %s (id %s)" % (name, skill_id))

            writes.append(Write("update", name, send,
                                expect=lambda index: name in index and index[name]["description"] == wanted,
                                details=dict(id=skill_id, before=dict(description=before["description"]),
                                             after=dict(description=wanted, **messages))))
        if before["agents"] != after["agents"]:
            reason = None
            if given is None or self.params.get("state") == "deleted":
                reason = "%s: %s" % ("not in config (state overridden)" if given is None else "state deleted", REMOVAL)
            old = dict((member["id"], member["expertise"]) for member in before["agents"] or [])
            new = dict((member["id"], member["expertise"]) for member in after["agents"])
            for member in before["agents"] or []:
                if member["id"] not in new:
                    writes.append(self._remove(name, skill_id, member, reason))
            for member in after["agents"]:
                if member["id"] not in old:
                    writes.append(self._add(name, skill_id, member))
                elif old[member["id"]] != member["expertise"]:
                    writes.append(self._add(name, skill_id, member, old[member["id"]]))
        return writes

    def _agent(self, member):
        shown = dict(id=member["id"], expertise=member["expertise"])
        if self.agent_dnis.get(member["id"]):
            shown["dni"] = self.agent_dnis[member["id"]]
        return shown

    def _add(self, name, skill_id, member, before_expertise=None):
        agent_id, expertise = member["id"], member["expertise"]

        def send(client):
            self.recheck = name
            current = self.ids.get(name)
            answer = client.contact_center("configuration", "add_agents_skill", method="POST",
                                           body={"skill_id": current, "agent_id": agent_id, "expertise": str(expertise)})
            refused(answer, "add agent %s to skill %s (id %s)" % (agent_id, name, current))

        def expect(index):
            agents = index[name]["agents"] if name in index else None
            return agents is not None and dict(id=agent_id, expertise=expertise) in agents

        details = dict(id=skill_id) if skill_id else {}
        details["agent"] = self._agent(member)
        reason = None
        if before_expertise is not None:
            details["before"] = dict(expertise=before_expertise)
            reason = READD % (before_expertise, expertise)
        return Write("add_agent", name, send, expect, details=details, reason=reason)

    def _remove(self, name, skill_id, member, reason=None):
        agent_id = member["id"]

        def send(client):
            self.recheck = name
            answer = client.contact_center("configuration", "remove_agents_skill", method="DELETE",
                                           body={"skill_id": skill_id, "agent_id": agent_id}, allow_not_found=True)
            if answer.status == 404:
                raise WolkvoxError("the platform says agent %s is not in skill %s (id %s), though it was when this "
                                   "task read the skill's agents: something else changed them meanwhile. Run the task "
                                   "again" % (agent_id, name, skill_id), "conflict", status=answer.status)
            refused(answer, "remove agent %s from skill %s (id %s)" % (agent_id, name, skill_id))

        def expect(index):
            agents = index[name]["agents"] if name in index else None
            return None if agents is None else all(other["id"] != agent_id for other in agents)

        return Write("remove_agent", name, send, expect, reason=reason,
                     details=dict(id=skill_id, agent=self._agent(member)))

    def planned(self, targets):
        kept = [target.key for target in targets if target.removal and target.before is not None]
        if kept:
            state = self.params.get("state")
            self.warnings.append(
                "the platform cannot delete a skill: state %s took the agents out of %d skill(s) (%s)%s, and the "
                "skill(s) stay on the platform, with no agent" % (
                    state, len(kept), ", ".join(kept), " not in config" if state == "overridden" else ""))


def records(answer, what):
    """The records of a read: [] for the platform's "no data" (a 404 or an empty data)."""
    data = answer.data
    if answer.status == 404 or is_empty(data) or data == [] or data == {}:
        return []
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
        raise WolkvoxError("the platform's %s are not a list of records (msg: %r)" % (what, answer.msg), "bad_answer")
    return data


def refused(answer, what):
    if answer.code in DONE or not re.match(r"^\d+$", answer.code) or int(answer.code) < 400:
        return
    raise WolkvoxError("the platform refused to %s (body code %s: %s)"
                       % (what, answer.code, answer.msg or answer.error or "no message"), "refused",
                       status=answer.status, body=answer.envelope)


def gather(client):
    """The skills with their agents, in config's shape (what state gathered returns): for wolkvox_operation_info."""
    resource = Skills(dict(state="gathered"))
    items = resource.read(client)
    resource.prepare(client, items, [], "gathered")
    for warning in resource.warnings:
        client.warn(warning)
    return _resource.sorted_items(resource, items)


ARGUMENT_SPEC = _resource.argument_spec(Skills)


def run(client, params, check_mode=False, diff=False):
    return _resource.run(Skills(params), client, params, check_mode=check_mode, diff=diff)
