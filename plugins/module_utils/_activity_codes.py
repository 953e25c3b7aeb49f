# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_activity_codes: the operation's activity codes (dispositions), as a resource (see _resource.py).

Read: ``GET information.php?api=activity_codes`` (body code ``"0"`` on success).  Create: ``POST
configuration.php?api=create_cod_act``.  Edit: ``PUT configuration.php?api=edit_cod_act`` (the code is named by
``type_code`` and ``cod_act`` in the body).  Remove: ``DELETE configuration.php?api=remove_cod_act``, which takes a
list of codes of one group: the removals of a run are sent as one request per group.

A code is identified by its group and its code: ``main`` is the platform's ``cod_act1``, ``alternate`` its
``cod_act2``, and the same code may exist in both.  The platform reads ``hit`` and ``rpc`` of an alternate code back
empty: they are read as false, an alternate code cannot be given them true (the task fails before any request), and
so they never show a difference there.
"""

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty, to_flag
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._resource import KEY, Attribute, Write

GROUPS = {"main": "cod_act1", "alternate": "cod_act2"}
TYPE_CODES = dict((type_code, group) for group, type_code in GROUPS.items())
FLAGS = ("hit", "rpc", "chat", "studio", "voice", "interactions")
MAIN_ONLY = ("hit", "rpc")  # the platform reads them back empty for an alternate code
DONE = ("200", "201", "202")


def text(value):
    return to_text(value if value is not None else "").strip()


def group_text(value):
    return text(value).lower()


def code_text(value):
    code = text(value)
    if not code:
        raise ValueError("is empty: give the activity code (quote it in YAML, as in '020', to keep its leading zeros)")
    return code


def description_text(value):
    description = text(value)
    if not description:
        raise ValueError("is empty: give the activity code's description")
    return description


def platform(params):
    return "contact_center"


def yes_no(value):
    return "yes" if value else "no"


class ActivityCodes(_resource.Resource):
    NAME = "activity code"
    PLURAL = "activity codes"
    ATTRIBUTES = dict(
        group=Attribute(kind=KEY, normalize=group_text, choices=list(GROUPS)),
        code=Attribute(kind=KEY, normalize=code_text),
        description=Attribute(normalize=description_text),
        hit=Attribute(type="bool", default=False),
        rpc=Attribute(type="bool", default=False),
        chat=Attribute(type="bool", default=False),
        studio=Attribute(type="bool", default=False),
        voice=Attribute(type="bool", default=False),
        interactions=Attribute(type="bool", default=False),
    )

    def sort_key(self, key):
        group, code = key
        return (list(GROUPS).index(group) if group in GROUPS else len(GROUPS), to_text(group), to_text(code))

    def check_item(self, item, where):
        if item["group"] == "alternate":
            given = [name for name in MAIN_ONLY if item.get(name)]
            if given:
                raise _resource.bad_option(
                    "%s.%s is true for an alternate code: the platform keeps hit and rpc for main codes only (it reads "
                    "them back empty for an alternate code, so they count as false there): leave them out, or false"
                    % (where, given[0]))

    # -- reading -------------------------------------------------------------------------------------------

    def read(self, client):
        answer = client.contact_center("information", "activity_codes", allow_not_found=True)
        data = answer.data
        if answer.status == 404 or is_empty(data) or data == [] or data == {}:
            return []
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
            raise WolkvoxError("the platform's activity codes are not a list of records (msg: %r)" % answer.msg,
                               "bad_answer")
        items = []
        for record in data:
            code, type_code = text(record.get("cod_act")), text(record.get("type_code"))
            group = TYPE_CODES.get(type_code.lower())
            if group is None:
                self.warnings.append("activity code %s has type_code %r, neither cod_act1 (main) nor cod_act2 "
                                     "(alternate): it is left out" % (code, record.get("type_code")))
                continue
            item = dict(group=group, code=code, description=text(record.get("description_cod_act")))
            for name in FLAGS:
                if group == "alternate" and name in MAIN_ONLY:
                    item[name] = False  # read back empty for an alternate code: false, never a difference
                    continue
                item[name] = to_flag(record.get(name))
                if item[name] is None:
                    self.warnings.append("activity code %s/%s: %s is %r, neither yes nor no; it shows as %s: null"
                                         % (group, code, name, record.get(name), name))
            items.append(item)
        return items

    # -- writes --------------------------------------------------------------------------------------------

    @staticmethod
    def body(item):
        body = {"type_code": GROUPS[item["group"]], "cod_act": item["code"], "description_cod_act": item["description"]}
        body.update((name, yes_no(item[name])) for name in FLAGS)
        return body

    def create(self, after, given):
        key = (after["group"], after["code"])
        body = self.body(after)
        shown = self.key_text(key)

        def send(client):
            answer = client.contact_center("configuration", "create_cod_act", method="POST", body=body)
            if answer.code == "406" and "EXIST" in answer.msg.upper():
                raise WolkvoxError("the platform says activity code %s already exists, though it did not when this "
                                   "task read the codes: something else changed them meanwhile. Run the task again"
                                   % shown, "conflict", status=answer.status)
            self._refused(answer, "create activity code %s" % shown)

        return [Write("create", key, send, expect=lambda index: key in index,
                      details=dict(after=_resource.subset(after, self.shown())))]

    def update(self, before, after, given):
        key = (after["group"], after["code"])
        changed = _resource.differing(self, before, after)
        body = self.body(after)
        shown = self.key_text(key)

        def send(client):
            answer = client.contact_center("configuration", "edit_cod_act", method="PUT", body=body)
            self._refused(answer, "edit activity code %s" % shown)

        def expect(index):
            return key in index and all(index[key][name] == after[name] for name in changed)

        details = dict(before=_resource.subset(before, changed), after=_resource.subset(after, changed))
        return [Write("update", key, send, expect, details=details)]

    def remove(self, before):
        key = (before["group"], before["code"])
        return [Write("remove", key, self._remover(before["group"], [before["code"]]),
                      expect=lambda index: key not in index,
                      details=dict(before=_resource.subset(before, self.shown())))]

    def batched(self, phase, writes):
        """The removals of one group go in one request (remove_cod_act takes a list of codes)."""
        if phase != _resource.PHASE_REMOVE:
            return writes
        groups = {}
        for write in writes:
            groups.setdefault(write.key[0], []).append(write)
        merged = []
        for group, parts in groups.items():
            codes = [part.key[1] for part in parts]
            keys = [self.key_text(part.key) for part in parts]
            details = dict(group=group, codes=codes, covers=keys, before=[part.entry["before"] for part in parts])
            label = "remove %s %s (%s)" % (len(codes), self.NAME if len(codes) == 1 else self.PLURAL, ", ".join(keys))
            merged.append(_resource.batch("remove", parts, self._remover(group, codes), details=details, label=label))
        return merged

    def _remover(self, group, codes):
        body = {"type_code": GROUPS[group], "cod_act": list(codes)}
        shown = ", ".join(self.key_text((group, code)) for code in codes)

        def send(client):
            answer = client.contact_center("configuration", "remove_cod_act", method="DELETE", body=body)
            self._refused(answer, "remove activity code%s %s" % ("s" if len(codes) > 1 else "", shown))

        return send

    @staticmethod
    def _refused(answer, what):
        if answer.code in DONE or not answer.code.isdigit() or int(answer.code) < 400:
            return
        raise WolkvoxError("the platform refused to %s (body code %s: %s)"
                           % (what, answer.code, answer.msg or answer.error or "no message"), "refused",
                           status=answer.status, body=answer.envelope)


def gather(client):
    """The activity codes in config's shape (what state gathered returns), for wolkvox_operation_info."""
    resource = ActivityCodes({})
    items = resource.read(client)
    for warning in resource.warnings:
        client.warn(warning)
    return _resource.sorted_items(resource, items)


ARGUMENT_SPEC = _resource.argument_spec(ActivityCodes)


def run(client, params, check_mode=False, diff=False):
    return _resource.run(ActivityCodes(params), client, params, check_mode=check_mode, diff=diff)
