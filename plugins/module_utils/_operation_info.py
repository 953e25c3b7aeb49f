# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_operation_info: what the operation is, one read per subset, each in the shape its own module returns.

``token`` is wolkvox_token_info's ``token_info``, ``routing_points`` wolkvox_routing_points_info's list; the
resources (agents, allowed IPs, skills with their agents, activity codes, do-not-call numbers, campaigns) are in
the ``config`` shape of their modules (what their ``state: gathered`` returns); ``services`` and ``connectors``
are read only.
"""

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _activity_codes, _agents, _allowed_ips, _campaigns
from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _dnc, _resource, _skills
from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _routing_points_info, _token_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty, to_flag, to_int

SUBSETS = ("token", "routing_points", "agents", "allowed_ips", "skills", "activity_codes", "dnc", "campaigns",
           "services", "connectors")

ARGUMENT_SPEC = dict(
    gather_subset=dict(type="list", elements="str", default=["token"], choices=["all"] + list(SUBSETS)),
)


def platform(params):
    return "contact_center"


def _token(client):
    answer = client.contact_center("information", "token_info")
    data = answer.data
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise WolkvoxError("the platform's token information held %s (msg: %r), where one record was expected"
                           % ("no record" if not data else "no single object", answer.msg), "no_record")
    return _token_info.normalize(data, "contact_center")


def _routing(client):
    answer = client.contact_center("information", "routing_points", allow_not_found=True)
    data = answer.data
    if answer.status == 404 or is_empty(data) or data == [] or data == {}:
        return []
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise WolkvoxError("the platform's routing points are not a list of records (msg: %r)" % answer.msg,
                           "bad_answer")
    points, odd = _routing_points_info.normalize(data)
    for (field, shown), count in sorted(odd.items()):
        client.warn("routing points: %s is %s in %d record(s), read as false" % (field, shown, count))
    return points


def _resource_reader(resource_class):
    def read(client):
        resource = resource_class({})
        items = resource.read(client)
        for warning in resource.warnings:
            client.warn(warning)
        return _resource.sorted_items(resource, items)
    return read


def _records(answer, what):
    """The records of a list read: [] for the platform's "no data"; raise on anything but a list of objects."""
    data = answer.data
    if answer.status == 404 or is_empty(data) or data == [] or data == {}:
        return []
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise WolkvoxError("the platform's %s are not a list of records (msg: %r)" % (what, answer.msg), "bad_answer")
    return data


def _text(value):
    return "" if is_empty(value) else to_text(value).strip()


def _services(client):
    """The operation's licenses and services: counts as numbers, yes/no flags as booleans, anything else as text."""
    answer = client.contact_center("information", "services", allow_not_found=True)
    records = _records(answer, "services")
    result = {}
    for record in records:
        for name, value in sorted(record.items()):
            flag = to_flag(value)
            if flag is not None:
                result[name] = flag
                continue
            try:
                number = to_int(value)
            except ValueError:
                number = None
            result[name] = number if number is not None else (None if is_empty(value) else _text(value))
    return result


def _connectors(client):
    """The channels connected to routing points, sorted by id: ``{id, rp_id, name, channel}``."""
    answer = client.contact_center("information", "connectors", allow_not_found=True)
    items = [dict(id=_text(record.get("connector_id")), rp_id=_text(record.get("rp_id")), name=_text(record.get("name")),
                  channel=_text(record.get("channel")))
             for record in _records(answer, "connectors")]
    return sorted(items, key=lambda item: (len(item["id"]), item["id"]))


READERS = {
    "token": _token,
    "routing_points": _routing,
    "agents": _resource_reader(_agents.Agents),
    "allowed_ips": _resource_reader(_allowed_ips.AllowedIps),
    "skills": _skills.gather,                  # with each skill's agents: one read more per skill
    "activity_codes": _activity_codes.gather,
    "dnc": _dnc.gather,
    "campaigns": _campaigns.gather,
    "services": _services,
    "connectors": _connectors,
}


def subsets(asked):
    """The subsets to read, in SUBSETS order, each once; ``all`` is every one."""
    asked = list(asked or [])
    if "all" in asked:
        return list(SUBSETS)
    return [subset for subset in SUBSETS if subset in asked]


def run(client, params, check_mode=False, diff=False):
    wanted = subsets(params.get("gather_subset"))
    if not wanted:
        raise WolkvoxError("gather_subset is empty: give one or more of all, %s" % ", ".join(SUBSETS), "bad_option")
    result = dict(changed=False, gather_subset=wanted)
    for subset in wanted:
        try:
            result[subset] = READERS[subset](client)
        except WolkvoxError as exc:
            exc.msg = "reading %s failed: %s" % (subset, exc.msg)
            exc.args = (exc.msg,)
            exc.details = dict((name, value) for name, value in result.items() if name != "changed")
            raise
    return result
