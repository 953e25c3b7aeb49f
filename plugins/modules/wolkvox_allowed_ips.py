#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_allowed_ips
short_description: Manage the allowed IP addresses of a wolkvox operation
version_added: 0.2.0
description:
  - Manages the whole list of the operation's allowed IP addresses in one task, in the style of the network resource
    modules - O(state=merged), O(state=replaced), O(state=overridden), O(state=deleted) and O(state=gathered).
  - Each run reads the list once (C(information.php?api=get_ip)), compares it with O(config) by address, and sends
    only the writes the differences need - C(configuration.php?api=add_ip) and C(api=remove_ip). A second run with the
    same O(config) only reads, and reports no change.
  - B(The platform cannot edit an allowed IP.) When O(config[].permanent) or O(config[].description) of a listed
    address differ from the platform's, the address is removed and added again (two writes, both in RV(changes)
    with a C(reason)). B(The address is not allowed between the two writes), for the time of one request.
  - Every request spends one use of the operation's daily API quota; RV(api_calls) tells how many were spent.
  - B(A write is never sent twice.) When the answer to a write is lost, the list is read once more (one more use of
    the quota). A change that shows there counts as made; otherwise the task fails, saying that the outcome is
    unknown.
  - When a write fails part-way (the daily quota is spent, the platform refuses an address), the task fails and
    RV(changes) says which writes were applied and which were not. Running the task again makes the rest.
author:
  - wolkvox.wolkvox contributors (@wolkvox)
extends_documentation_fragment:
  - wolkvox.wolkvox.connection
  - wolkvox.wolkvox.attributes
  - wolkvox.wolkvox.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the list (one use of the quota), predicts every write exactly in RV(changes) and sends none.
  diff_mode:
    support: full
    details:
      - The list before and after, in O(config)'s shape.
  idempotent:
    support: full
options:
  config:
    description:
      - The allowed IP addresses, each one an address and its attributes.
      - With O(state=merged), O(state=replaced) and O(state=overridden), the addresses to have. With O(state=deleted),
        the addresses to remove (only O(config[].ip) counts); when it lists none, every address is removed.
      - Required with O(state=merged), O(state=replaced) and O(state=overridden); V([]) is a valid list (with
        O(state=overridden) it removes every address). Not allowed with O(state=gathered).
      - The RV(gathered) list of O(state=gathered) is a valid O(config).
    type: list
    elements: dict
    suboptions:
      ip:
        description:
          - One IPv4 or IPv6 address, such as V(203.0.113.7) or V(2001:db8::7). No network, port or host name.
          - Compared in its canonical form, so V(2001:DB8:0::7) is V(2001:db8::7).
        type: str
        required: true
      permanent:
        description:
          - Whether the address is permanent (the platform's C(permanente)) or temporary (C(temporal)).
          - When not given, V(false) for a new address, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
          - The platform accepts a limited number of permanent addresses; an add it refuses fails the task with its
            message.
        type: bool
      description:
        description:
          - A description of the address. Leading and trailing spaces are not compared.
          - When not given, empty for a new address, and with O(state=replaced) and O(state=overridden); the
            platform's value with O(state=merged).
        type: str
  state:
    description:
      - V(merged) adds the listed addresses that are missing and sets the given attributes of those that exist;
        it removes nothing.
      - V(replaced) gives each listed address exactly the given attributes; an attribute not given goes back to its
        default. Addresses not listed are left alone.
      - V(overridden) makes the list exactly O(config) - listed addresses as V(replaced) sets them, and every
        address not listed removed.
      - V(deleted) removes the listed addresses, or every address when O(config) lists none.
      - V(gathered) only reads, and returns the current list in RV(gathered).
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
notes:
  - Each run sends one read, plus one write per change in RV(changes), plus one read after each write whose answer was
    lost. A change of O(config[].permanent) or O(config[].description) is two writes.
  - The order of writes is removals first (they make room under the platform's limits), then changes, then additions;
    within each, the addresses in order.
seealso:
  - module: wolkvox.wolkvox.wolkvox_operation_info
    description: Read the allowed IPs with other information of the operation.
  - module: wolkvox.wolkvox.wolkvox_api
    description: Call C(add_ip) or C(remove_ip) directly.
"""

EXAMPLES = r"""
- name: Make sure the office and the VPN may reach the operation, leaving other addresses alone
  wolkvox.wolkvox.wolkvox_allowed_ips:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"  # vaulted
    config:
      - ip: 203.0.113.7
        permanent: true
        description: Office
      - ip: 198.51.100.20
        description: VPN
  delegate_to: localhost

- name: Allow exactly these addresses, and remove every other one
  wolkvox.wolkvox.wolkvox_allowed_ips:
    state: overridden
    config:
      - ip: 203.0.113.7
        permanent: true
        description: Office
  delegate_to: localhost

- name: Remove an address
  wolkvox.wolkvox.wolkvox_allowed_ips:
    state: deleted
    config:
      - ip: 198.51.100.20
  delegate_to: localhost

- name: Read the list
  wolkvox.wolkvox.wolkvox_allowed_ips:
    state: gathered
  delegate_to: localhost
  register: allowed

- name: Show the permanent addresses
  ansible.builtin.debug:
    msg: "{{ allowed.gathered | selectattr('permanent') | map(attribute='ip') | list }}"
"""

RETURN = r"""
before:
  description: The allowed IPs before the task, in O(config)'s shape, sorted by address.
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample: [{"ip": "203.0.113.7", "permanent": true, "description": "Office"}]
after:
  description:
    - The allowed IPs after the task, in O(config)'s shape, sorted by address (in check mode, as they would be).
    - Computed from the list read and the writes made; not read again.
  returned: success, when O(state) is not V(gathered)
  type: list
  elements: dict
  sample: [{"ip": "198.51.100.20", "permanent": false, "description": "VPN"},
           {"ip": "203.0.113.7", "permanent": true, "description": "Office"}]
gathered:
  description: The allowed IPs, in O(config)'s shape, sorted by address.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{"ip": "203.0.113.7", "permanent": true, "description": "Office"}]
changes:
  description:
    - One entry per write, in the order sent (in check mode, the writes that would be sent).
    - C(action) is V(add) or V(remove); C(key) the address; C(after) the address added, C(before) the address removed.
    - C(reason) explains a remove followed by an add of the same address (the platform cannot edit one).
    - On a failure, each entry has C(applied) (whether the write was made), and the failed one C(error).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample:
    - {"action": "remove", "key": "203.0.113.7", "before": {"ip": "203.0.113.7", "permanent": false, "description": ""},
       "reason": "the platform cannot edit an allowed IP: ..."}
    - {"action": "add", "key": "203.0.113.7", "after": {"ip": "203.0.113.7", "permanent": true, "description": "Office"},
       "reason": "the platform cannot edit an allowed IP: ..."}
diff:
  description: The list before and after, in diff mode.
  returned: success, in diff mode, when something changes (or would, in check mode); never for O(state=gathered)
  type: dict
  sample: {"before": [], "after": [{"ip": "203.0.113.7", "permanent": true, "description": "Office"}]}
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 2
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _allowed_ips
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_allowed_ips)


if __name__ == "__main__":
    main()
