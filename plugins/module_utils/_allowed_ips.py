# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_allowed_ips: the addresses allowed to reach the operation, as a resource (see _resource.py).

Read: ``GET information.php?api=get_ip``.  Add: ``POST configuration.php?api=add_ip``.  Remove:
``DELETE configuration.php?api=remove_ip``.  The platform has no edit: a change of ``permanent`` or ``description``
is a remove and an add, and the address is not allowed in between.
"""

import ipaddress

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty, to_flag
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._resource import KEY, Attribute, Write

TYPE_WORDS = {"permanente": True, "permanent": True, "temporal": False, "temporary": False, "temporario": False,
              "temporário": False}
ADD_DONE = ("200", "201")
REMOVE_DONE = ("200", "202")
REPLACE_REASON = ("the platform cannot edit an allowed IP: it is removed and added again with the new permanent and "
                  "description, and is not allowed in between")


def normalize_ip(value):
    text = to_text(value).strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ValueError("is %r, not an IP address: give one IPv4 or IPv6 address, such as 203.0.113.7 or "
                         "2001:db8::7 (no network, port or host name)" % (value,)) from None


def strip(value):
    return to_text(value).strip()


def platform(params):
    return "contact_center"


class AllowedIps(_resource.Resource):
    NAME = "allowed IP"
    PLURAL = "allowed IPs"
    ATTRIBUTES = dict(
        ip=Attribute(kind=KEY, normalize=normalize_ip),
        permanent=Attribute(type="bool", default=False),
        description=Attribute(default="", normalize=strip),
    )

    def __init__(self, params=None):
        super().__init__(params)
        self.sent_as = {}  # normalised address -> as the platform wrote it (what remove_ip must be given)

    def sort_key(self, key):
        try:
            address = ipaddress.ip_address(key)
            return (address.version, int(address), "")
        except ValueError:
            return (9, 0, key)

    def read(self, client):
        answer = client.contact_center("information", "get_ip", allow_not_found=True)
        data = answer.data
        if answer.status == 404 or is_empty(data) or data == [] or data == {}:
            return []
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
            raise WolkvoxError("the platform's allowed IPs are not a list of records (msg: %r)" % answer.msg,
                               "bad_answer")
        items = []
        for record in data:
            raw = to_text(record.get("ip") if record.get("ip") is not None else "").strip()
            try:
                key = normalize_ip(raw)
            except ValueError:
                key = raw
            self.sent_as[key] = raw
            items.append(dict(ip=key, permanent=self._permanent(record, key),
                              description=to_text(record.get("description") or "").strip()))
        return items

    def _permanent(self, record, key):
        if "type_ip" in record:
            word = to_text(record.get("type_ip") or "").strip().lower()
            if word in TYPE_WORDS:
                return TYPE_WORDS[word]
        elif "permanent" in record and to_flag(record.get("permanent")) is not None:
            return to_flag(record.get("permanent"))
        self.warnings.append("allowed IP %s: its type is %r, neither temporal nor permanente; it shows as "
                             "permanent: null" % (key, record.get("type_ip", record.get("permanent"))))
        return None

    # -- writes ------------------------------------------------------------------------------------------------

    def create(self, after, given):
        return [self._add(after)]

    def remove(self, before):
        return [self._remove(before)]

    def update(self, before, after, given):
        note = ("%s was removed to be added again and the add failed: %s is NOT allowed now. Fix the cause and run "
                "the task again to add it" % (after["ip"], after["ip"]))
        return [self._remove(before, REPLACE_REASON), self._add(after, REPLACE_REASON, note)]

    def _add(self, item, reason=None, note=None):
        key = item["ip"]
        body = {"ip": key, "permanent": "yes" if item["permanent"] else "no", "description": item["description"]}

        def send(client):
            answer = client.contact_center("configuration", "add_ip", method="POST", body=body)
            if answer.code == "404":
                raise WolkvoxError("the platform says %s is already registered, though it was not when this task read "
                                   "the allowed IPs: something else changed them meanwhile. Run the task again"
                                   % key, "conflict", status=answer.status)
            self._refused(answer, ADD_DONE, "add", key)

        return Write("add", key, send, expect=lambda index: key in index, reason=reason, note=note,
                     details=dict(after=_resource.subset(item, self.shown())))

    def _remove(self, item, reason=None):
        key = item["ip"]
        body = {"ip": self.sent_as.get(key, key)}

        def send(client):
            answer = client.contact_center("configuration", "remove_ip", method="DELETE", body=body)
            if answer.code == "404":
                raise WolkvoxError("the platform says %s is not registered, though it was when this task read the "
                                   "allowed IPs: something else changed them meanwhile. Run the task again"
                                   % key, "conflict", status=answer.status)
            self._refused(answer, REMOVE_DONE, "remove", key)

        return Write("remove", key, send, expect=lambda index: key not in index, reason=reason,
                     details=dict(before=_resource.subset(item, self.shown())))

    @staticmethod
    def _refused(answer, done, verb, key):
        if answer.code in done or not answer.code.isdigit() or int(answer.code) < 400:
            return
        raise WolkvoxError("the platform refused to %s %s (body code %s: %s)"
                           % (verb, key, answer.code, answer.msg or answer.error or "no message"), "refused",
                           status=answer.status, body=answer.envelope)


ARGUMENT_SPEC = _resource.argument_spec(AllowedIps)


def run(client, params, check_mode=False, diff=False):
    return _resource.run(AllowedIps(params), client, params, check_mode=check_mode, diff=diff)
