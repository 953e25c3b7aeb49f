# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_operation_info: what the operation is, one read per subset, each in the shape its own module returns.

``token`` is wolkvox_token_info's ``token_info``, ``routing_points`` wolkvox_routing_points_info's list, and
``agents`` and ``allowed_ips`` the ``config`` shape of wolkvox_agents and wolkvox_allowed_ips (what their
``state: gathered`` returns).
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _agents, _allowed_ips, _resource
from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _routing_points, _token_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._normalize import is_empty

SUBSETS = ("token", "routing_points", "agents", "allowed_ips")

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
    points, odd = _routing_points.normalize(data)
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


READERS = {
    "token": _token,
    "routing_points": _routing,
    "agents": _resource_reader(_agents.Agents),
    "allowed_ips": _resource_reader(_allowed_ips.AllowedIps),
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
