#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_dnc
short_description: Manage the do-not-call numbers of a wolkvox operation
version_added: 0.2.0
description:
  - Manages the operation's do-not-call lists, inbound and outbound, in one task, in the style of the network
    resource modules - O(state=merged), O(state=replaced), O(state=overridden), O(state=deleted) and
    O(state=gathered). Each item is a number and a direction, O(config[].phone) and O(config[].direction); the same
    number may be in both lists.
  - B(Numbers are compared by their digits only.) V(+57 300-123 4567) is V(573001234567), on the platform as in
    O(config), and numbers are sent as digits only. A number with no digit, or with letters, fails the task before
    any request.
  - Each run reads both lists in one request (C(information.php?api=get_dnc&type=all)), compares them with O(config)
    as sets, and sends only the differences - C(configuration.php?api=add_dnc) and C(api=remove_dnc), B(at most
    10,000 numbers a request), so N numbers to add to one list take ceil(N / 10,000) requests. A second run with the
    same O(config) only reads, and reports no change. Large lists (tens of thousands of numbers) are fine - with
    O(state=overridden) only the difference is sent.
  - Every request spends one use of the operation's daily API quota; RV(api_calls) tells how many were spent.
  - B(A request is never sent twice.) When the answer to one is lost, the lists are read once more (one more use of
    the quota). A request counts as made when all its numbers show there (added) or none does (removed); otherwise
    the task fails, saying that the outcome is unknown.
  - When a request fails part-way (the daily quota is spent, the platform refuses a number), the task fails and
    RV(changes) says which requests were applied and which were not. Running the task again makes the rest.
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
      - Check mode reads the lists (one use of the quota), predicts every request exactly in RV(changes) and sends
        none.
  diff_mode:
    support: full
    details:
      - The lists before and after, one sorted list of numbers per direction, so that a diff shows one line per
        number added or removed.
  idempotent:
    support: full
options:
  config:
    description:
      - The do-not-call numbers, each one a number and its direction.
      - With O(state=merged), O(state=replaced) and O(state=overridden), the numbers to have. With O(state=deleted),
        the numbers to remove; when it lists none, every number of both lists is removed (with
        O(allow_remove_all=true)).
      - Required with O(state=merged), O(state=replaced) and O(state=overridden). Not allowed with O(state=gathered).
      - Each number may be listed once per direction (in whatever form - V(+573001234567) and V(573001234567) are
        the same number); a number listed twice fails the task before any request.
      - The RV(gathered) list of O(state=gathered) is a valid O(config).
    type: list
    elements: dict
    suboptions:
      phone:
        description:
          - The telephone number. Spaces, dashes, dots, parentheses and a leading V(+) are dropped; what is left
            must be 1 to 20 digits.
          - Quote it in YAML to keep a leading zero (V('0313001234')).
        type: str
        required: true
      direction:
        description:
          - The list - V(inbound) (calls from the number are not taken) or V(outbound) (the number is not called).
        type: str
        required: true
        choices: [inbound, outbound]
  src:
    description:
      - A CSV file of the numbers, one C(phone,direction) per line (such as C(+57 300 123 4567,inbound)), on the host
        that runs the module (the controller, when the task is delegated to localhost); a first line C(phone,direction), blank
        lines and lines starting with C(#) are skipped. The same numbers as O(config) would give, checked the same way.
      - Use it for long lists. Ansible carries a list in a variable as one mapping per number, which for tens of
        thousands of numbers costs it hundreds of MB and many seconds before the module even starts; with O(src) it
        carries a path.
      - Mutually exclusive with O(config).
    type: path
  state:
    description:
      - V(merged) adds the listed numbers that are missing; it removes nothing.
      - V(replaced) is the same as V(merged) - a number has no attribute to replace.
      - V(overridden) makes both lists exactly O(config) - every number not listed is removed, B(in both
        directions), so list the numbers of both directions. O(config=[]) removes every number and needs
        O(allow_remove_all=true).
      - V(deleted) removes the listed numbers, or every number of both lists when O(config) lists none (with
        O(allow_remove_all=true)).
      - V(gathered) only reads, and returns the current numbers in RV(gathered).
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  allow_remove_all:
    description:
      - Confirms a task that removes every do-not-call number of the operation - O(state=overridden) with
        O(config=[]), or O(state=deleted) with no number listed. Without it, such a task fails before any request.
    type: bool
    default: false
notes:
  - Each run sends one read, plus one request per entry of RV(changes), plus one read after each request whose answer
    was lost.
  - The order of requests is removals first, then additions; within each, inbound before outbound, the numbers in
    numeric order.
  - A number the platform holds in another form (V(+573001234567)) is removed in the form it holds it; one held in
    several forms is removed in all of them.
  - "RV(changes) lists at most the first 100 numbers of each request, with C(count) the numbers it carries and
    C(truncated) whether the list is cut: a result stays readable with tens of thousands of numbers. RV(before),
    RV(after) and the diff hold every number."
seealso:
  - module: wolkvox.wolkvox.wolkvox_operation_info
    description: Read the do-not-call numbers with other information of the operation.
"""

EXAMPLES = r"""
- name: Never call these two numbers, whatever form they are written in
  wolkvox.wolkvox.wolkvox_dnc:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"  # vaulted
    config:
      - phone: "+57 300 123 4567"
        direction: outbound
      - phone: "573009876543"
        direction: outbound
  delegate_to: localhost

- name: Read the numbers of a file, one a line
  ansible.builtin.set_fact:
    dnc_numbers: "{{ lookup('ansible.builtin.file', 'dnc.txt').splitlines() | select | list }}"

- name: Make the outbound list exactly the file, and the inbound one exactly one number; only the difference is sent
  wolkvox.wolkvox.wolkvox_dnc:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"
    state: overridden
    config: >-
      {{ dnc_numbers | map('to_json')
         | map('regex_replace', '^', '{"phone": ') | map('regex_replace', '$', ', "direction": "outbound"}')
         | map('from_json') | list + [{'phone': '573001112233', 'direction': 'inbound'}] }}
  delegate_to: localhost

- name: Take a number off the outbound list
  wolkvox.wolkvox.wolkvox_dnc:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"
    state: deleted
    config:
      - {phone: "573001234567", direction: outbound}
  delegate_to: localhost

- name: Read both lists
  wolkvox.wolkvox.wolkvox_dnc:
    server: "{{ wolkvox_server }}"
    token: "{{ wolkvox_token }}"
    state: gathered
  delegate_to: localhost
  register: dnc

- name: Count the outbound numbers
  ansible.builtin.debug:
    msg: "{{ dnc.gathered | selectattr('direction', 'eq', 'outbound') | list | length }}"
"""

RETURN = r"""
before:
  description:
    - The numbers before the task, by direction, each list in numeric order (digits only).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: dict
  contains:
    inbound:
      description: The inbound numbers.
      type: list
      elements: str
    outbound:
      description: The outbound numbers.
      type: list
      elements: str
  sample: {"inbound": [], "outbound": ["573001234567"]}
after:
  description:
    - The numbers after the task, by direction, as RV(before) (in check mode, as they would be).
    - Computed from the lists read and the requests made; not read again.
  returned: success, when O(state) is not V(gathered)
  type: dict
  contains:
    inbound:
      description: The inbound numbers.
      type: list
      elements: str
    outbound:
      description: The outbound numbers.
      type: list
      elements: str
  sample: {"inbound": [], "outbound": ["573001234567", "573009876543"]}
gathered:
  description: The numbers, in O(config)'s shape - inbound first, then outbound, each in numeric order.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{"phone": "573001234567", "direction": "outbound"}, {"phone": "573009876543", "direction": "outbound"}]
changes:
  description:
    - One entry per request, in the order sent (in check mode, the requests that would be sent) - at most 10,000
      numbers each.
    - C(action) is V(add) or V(remove); C(direction) V(inbound) or V(outbound); C(count) the numbers the request
      carries; C(numbers) the first 100 of them, in numeric order; C(truncated) whether C(numbers) is cut.
    - On a failure, each entry has C(applied) (whether the request was made), and the failed one C(error).
  returned: success, when O(state) is not V(gathered); on a failure after the read
  type: list
  elements: dict
  sample:
    - {"action": "remove", "direction": "inbound", "count": 1, "numbers": ["6045550199"], "truncated": false}
    - {"action": "add", "direction": "outbound", "count": 10000, "numbers": ["3000000000", "3000000001"],
       "truncated": true}
diff:
  description: The numbers before and after, by direction, in diff mode.
  returned: success, in diff mode, when something changes (or would, in check mode); never for O(state=gathered)
  type: dict
  sample: {"before": {"inbound": [], "outbound": ["573001234567"]},
           "after": {"inbound": [], "outbound": ["573001234567", "573009876543"]}}
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 2
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _dnc
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_dnc)


if __name__ == "__main__":
    main()
