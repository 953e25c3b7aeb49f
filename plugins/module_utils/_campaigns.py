# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_campaigns: the operation's campaigns, as a resource (see _resource.py).

Read: ``GET information.php?api=campaigns`` (and ``GET information.php?api=skills`` once when a skill is named by its
name).  Create: ``POST campaign.php?api=create_campaign&type_campaign=T``.  Edit: ``PUT
campaign.php?api=edit_campaign&campaign_id=ID`` with the changed fields only.  Start, stop and speed: ``PUT
campaign.php?api=start|stop|speed&campaign_id=ID``.  Delete: ``DELETE campaign.php?api=delete_campaign``.

Deleting a campaign cannot be undone: only ``state: deleted`` deletes, and only the campaigns its config names;
``overridden`` leaves the campaigns it does not list alone, with a warning.  A campaign's type cannot change.
"""

import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._resource import KEY, READ_ONLY, Attribute, Write

DONE = ("200", "201", "202")
TYPES = ("predictive", "preview")
STATUSES = ("started", "stopped")
FIELDS = (("description", "campaign_description"), ("skill", "skill_id"), ("start_time", "start_time"),
          ("end_time", "end_time"))  # what edit_campaign changes, and its body's names
SPEED_MIN, SPEED_MAX = 0, 100
TIME = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})$")


def text(value):
    return to_text(value if value is not None else "").strip()


def name_text(value):
    name = text(value)
    if not name:
        raise ValueError("is empty: give the campaign's name")
    return name


def lower(value):
    return text(value).lower()


def clock(value):
    """A time of day as HH:MM:SS."""
    shown = text(value)
    match = TIME.match(shown)
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60 and int(match.group(3)) < 60:
        return "%02d:%02d:%02d" % tuple(int(part) for part in match.groups())
    hint = ""
    if shown.isdigit() and int(shown) < 86400:
        seconds = int(shown)
        hint = (" (YAML reads an unquoted %02d:%02d:%02d as the number %d: quote it)"
                % (seconds // 3600, seconds // 60 % 60, seconds % 60, seconds))
    raise ValueError("is %r, not a time of day: give HH:MM:SS, from 00:00:00 to 23:59:59%s" % (shown, hint))


def speed_value(value):
    if not SPEED_MIN <= value <= SPEED_MAX:
        raise ValueError("is %d: give a whole number from %d to %d" % (value, SPEED_MIN, SPEED_MAX))
    return value


def compact(value):
    """HH:MM:SS as create_campaign takes it: hhmmss."""
    return value.replace(":", "")


def platform(params):
    return "contact_center"


class Campaigns(_resource.Resource):
    NAME = "campaign"
    PLURAL = "campaigns"
    ATTRIBUTES = dict(
        name=Attribute(kind=KEY, normalize=name_text),
        id=Attribute(kind=READ_ONLY, normalize=text),
        type=Attribute(normalize=lower, choices=TYPES),
        description=Attribute(default="", normalize=text),
        skill=Attribute(normalize=text),
        start_time=Attribute(normalize=clock),
        end_time=Attribute(normalize=clock),
        status=Attribute(normalize=lower, choices=STATUSES, keep=True, default="stopped"),
        speed=Attribute(type="int", normalize=speed_value, keep=True, default=None),
    )

    def __init__(self, params=None):
        super().__init__(params)
        self.ids = {}  # name -> the platform's campaign_id, read or learnt from a create
        self.leaving = []

    def check(self, params):
        if params.get("state") == "deleted" and not params.get("config"):
            raise _resource.bad_option(
                "state deleted with no campaign in config would delete every campaign of the operation, and deleting "
                "a campaign cannot be undone: this module deletes only the campaigns config names. List them")

    # -- reading -------------------------------------------------------------------------------------------

    def read(self, client):
        answer = client.contact_center("information", "campaigns", allow_not_found=True)
        items = []
        for record in records(answer, "campaigns"):
            name, campaign_id = text(record.get("campaign_name")), text(record.get("campaign_id"))
            item = dict(name=name, id=campaign_id, description=text(record.get("campaign_description")),
                        skill=text(record.get("skill_id")))
            item["type"] = self._word(record, "type_campaign", TYPES, name)
            item["status"] = self._word(record, "status", STATUSES, name)
            for field in ("start_time", "end_time"):
                item[field] = self._clock(record, field, name)
            item["speed"] = self._speed(record, name)
            items.append(item)
            self.ids.setdefault(name, campaign_id)
        return items

    def _word(self, record, field, words, name):
        word = lower(record.get(field))
        if word in words:
            return word
        self.warnings.append("campaign %s: %s is %r, neither %s; it shows as null"
                             % (name, field, record.get(field), " nor ".join(words)))
        return None

    def _clock(self, record, field, name):
        if is_empty(record.get(field)):
            return None
        try:
            return clock(record.get(field))
        except ValueError:
            self.warnings.append("campaign %s: %s is %r, not a time of day HH:MM:SS; it shows as null"
                                 % (name, field, record.get(field)))
            return None

    def _speed(self, record, name):
        raw = text(record.get("speed"))
        if raw.isdigit():
            return int(raw)
        if raw:
            self.warnings.append("campaign %s: speed is %r, not a whole number; it shows as null"
                                 % (name, record.get("speed")))
        return None

    def prepare(self, client, items, wanted, state):
        if state == "overridden":
            listed = set(item["name"] for item in wanted)
            self.leaving = sorted(set(item["name"] for item in items) - listed)
        if state in ("gathered", "deleted"):
            return
        index = _resource.index_items(self, items)[0]
        for position, item in enumerate(wanted):
            before = index.get(item["name"])
            if before is not None and "type" in item and item["type"] != before["type"]:
                raise _resource.bad_option(
                    "config[%d]: campaign %s is %s on the platform, and the platform cannot change a campaign's type: "
                    "leave type out, or create a %s campaign under another name" % (
                        position, item["name"], before["type"] or "of an unknown type", item["type"]))
        named = [item for item in wanted if item.get("skill") and not item["skill"].isdigit()]
        if not named:
            return
        answer = client.contact_center("information", "skills", allow_not_found=True)
        skills = {}
        known = set()
        for record in records(answer, "skills"):
            skill_id = text(record.get("skill_id"))
            skills.setdefault(text(record.get("skill_name")), []).append(skill_id)
            known.add(skill_id)
        for position, item in enumerate(wanted):
            skill = item.get("skill")
            if not skill:
                continue
            where = "config[%d].skill" % position
            if skill.isdigit():
                if skill not in known:
                    raise _resource.bad_option("%s: no skill has id %s on the platform" % (where, skill))
                continue
            ids = skills.get(skill, [])
            if not ids:
                raise _resource.bad_option("%s: no skill is named %s on the platform: create it first "
                                           "(wolkvox.wolkvox.wolkvox_skills), or correct the name" % (where, skill))
            if len(ids) > 1:
                raise _resource.bad_option("%s: the platform holds %d skills named %s (ids %s): give the skill's id "
                                           "instead" % (where, len(ids), skill, ", ".join(ids)))
            item["skill"] = ids[0]

    def removed(self, item):
        if self.params.get("state") == "overridden":
            return item  # never deleted by overridden: deleting a campaign cannot be undone
        return None

    # -- planning ------------------------------------------------------------------------------------------

    def create(self, after, given):
        name = after["name"]
        body = {"campaign_name": name, "campaign_description": after["description"],
                "start_time": compact(after["start_time"]), "end_time": compact(after["end_time"]),
                "skill_id": after["skill"]}

        def send(client):
            answer = client.contact_center("campaign", "create_campaign", method="POST",
                                           query={"type_campaign": after["type"]}, body=body)
            refused(answer, "create campaign %s" % name)
            record = answer.data[0] if isinstance(answer.data, list) and answer.data else answer.data
            record = record if isinstance(record, dict) else {}
            campaign_id = text(record.get("id_campaign", record.get("id_campaing"))) or None
            self.ids[name] = campaign_id
            return {"id": campaign_id}

        def learn(index):
            self.ids[name] = index[name]["id"]
            return {"id": index[name]["id"]}

        shown = ("name", "type", "description", "skill", "start_time", "end_time")
        writes = [Write("create", name, send, expect=lambda index: name in index, learn=learn,
                        details=dict(after=_resource.subset(after, shown)))]
        if after["speed"] is not None:
            writes.append(self._speed_write(name, None, after["speed"]))
        if after["status"] == "started":
            writes.append(self._switch(name, None, True, "created started: the platform creates a campaign stopped"))
        return writes

    def update(self, before, after, given):
        name, campaign_id = after["name"], before["id"]
        changed = _resource.differing(self, before, after)
        writes = []
        if "status" in changed and after["status"] == "stopped":
            writes.append(self._switch(name, campaign_id, False))
        fields = [field for field, dummy in FIELDS if field in changed]
        if fields:
            body = dict((wire, after[field]) for field, wire in FIELDS if field in fields)
            wanted = dict((field, after[field]) for field in fields)

            def send(client):
                answer = client.contact_center("campaign", "edit_campaign", method="PUT",
                                               query={"campaign_id": campaign_id}, body=body)
                refused(answer, "edit campaign %s (id %s)" % (name, campaign_id))

            def expect(index):
                return name in index and all(index[name][field] == value for field, value in wanted.items())

            writes.append(Write("update", name, send, expect, details=dict(
                id=campaign_id, before=_resource.subset(before, fields), after=wanted)))
        if "speed" in changed and after["speed"] is not None:
            writes.append(self._speed_write(name, campaign_id, after["speed"], before["speed"]))
        if "status" in changed and after["status"] == "started":
            writes.append(self._switch(name, campaign_id, True))
        return writes

    def _speed_write(self, name, campaign_id, speed, before=None):
        def send(client):
            current = self.ids.get(name)
            answer = client.contact_center("campaign", "speed", method="PUT", query={"campaign_id": current},
                                           body={"speed": str(speed)})
            refused(answer, "set the speed of campaign %s (id %s)" % (name, current))

        details = dict(id=campaign_id) if campaign_id else {}
        if campaign_id:
            details["before"] = dict(speed=before)
        details["after"] = dict(speed=speed)
        return Write("speed", name, send, expect=lambda index: name in index and index[name]["speed"] == speed,
                     details=details)

    def _switch(self, name, campaign_id, start, reason=None):
        api = "start" if start else "stop"
        status = "started" if start else "stopped"

        def send(client):
            current = self.ids.get(name)
            answer = client.contact_center("campaign", api, method="PUT", query={"campaign_id": current})
            refused(answer, "%s campaign %s (id %s)" % (api, name, current))

        details = dict(id=campaign_id) if campaign_id else {}
        return Write(api, name, send, expect=lambda index: name in index and index[name]["status"] == status,
                     reason=reason, details=details)

    def remove(self, before):
        name, campaign_id = before["name"], before["id"]

        def send(client):
            answer = client.contact_center("campaign", "delete_campaign", method="DELETE",
                                           body={"campaign_ids": [campaign_id]})
            refused(answer, "delete campaign %s (id %s)" % (name, campaign_id))
            failed = re.search(r"(\d+)\s+operations?\s+failed", answer.msg or "", re.IGNORECASE)
            if failed and int(failed.group(1)) > 0:
                raise WolkvoxError("the platform did not delete campaign %s (id %s): %s" % (name, campaign_id, answer.msg),
                                   "refused", status=answer.status, body=answer.envelope)

        return [Write("delete", name, send, expect=lambda index: name not in index,
                      details=dict(id=campaign_id, before=_resource.subset(before, self.shown())))]

    def planned(self, targets):
        if self.leaving:
            self.warnings.append(
                "state overridden never deletes a campaign (deleting one cannot be undone): %d campaign(s) not in "
                "config were left as they are: %s. To delete a campaign, name it in config with state deleted"
                % (len(self.leaving), ", ".join(self.leaving)))


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
    """The campaigns, in config's shape (what state gathered returns): for wolkvox_operation_info."""
    resource = Campaigns(dict(state="gathered"))
    items = resource.read(client)
    for warning in resource.warnings:
        client.warn(warning)
    return _resource.sorted_items(resource, items)


ARGUMENT_SPEC = _resource.argument_spec(Campaigns)


def run(client, params, check_mode=False, diff=False):
    return _resource.run(Campaigns(params), client, params, check_mode=check_mode, diff=diff)
