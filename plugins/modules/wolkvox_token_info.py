#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_token_info
short_description: Read the daily budget of a wolkvox API token
version_added: 0.1.0
description:
  - Reads how many uses the API token has today, its daily limit and what is left, from the contact center
    (C(information.php?api=token_info)) or from the CRM (C(token/tokenInformation.php)).
  - The platform counts this read as one use of the token.
  - An operation's tokens share a daily quota of licenses x 1000 uses, which resets daily. A token can have uses
    left of its own while the operation's shared quota is nearly spent, so the result also reads the operation's
    budget (RV(token_info.operation_use_today), RV(token_info.operation_available),
    RV(token_info.operation_usage_percent)).
  - The platform reports the uses today of all the operation's tokens (C(all_token_today)) but no separate quota for
    the operation. The operation's budget is therefore read against the token's own limit, taken as the
    conservative reading of the operation's pool. The CRM reports no such figure, so these fields are V(null) there.
author:
  - wolkvox.wolkvox contributors (@wolkvox)
extends_documentation_fragment:
  - wolkvox.wolkvox.connection
  - wolkvox.wolkvox.attributes
  - wolkvox.wolkvox.attributes.actiongroup
  - wolkvox.wolkvox.attributes.info_module
options:
  platform:
    description:
      - Which wolkvox platform the token belongs to.
      - V(contact_center) asks C(wv<server>.wolkvox.com); V(crm) asks the CRM host and needs O(operation).
    type: str
    choices: [contact_center, crm]
    default: contact_center
  operation:
    description:
      - The operation's name in the CRM. Required when O(platform=crm).
    type: str
notes:
  - Each run sends one request, and one more for each retry; RV(api_calls) tells how many.
seealso:
  - module: wolkvox.wolkvox.wolkvox_routing_points_info
"""

EXAMPLES = r"""
- name: Read the budget, with the connection settings of every wolkvox module set once
  module_defaults:
    group/wolkvox.wolkvox.wolkvox:
      server: "{{ wolkvox_server }}"
      token: "{{ wolkvox_token }}"  # from an Ansible Vault file, never in plain text
  block:
    - name: Read the budget
      wolkvox.wolkvox.wolkvox_token_info:
      delegate_to: localhost
      register: budget

    - name: Say when less than 10% of the daily limit is left, for the token or for the operation's shared quota
      ansible.builtin.debug:
        msg: >-
          {{ inventory_hostname }} has used {{ budget.token_info.usage_percent }}% of today's limit
          ({{ budget.token_info.operation_usage_percent }}% with the operation's other tokens)
      when: ([budget.token_info.usage_percent, budget.token_info.operation_usage_percent] | max) > 90

- name: Read the budget with WOLKVOX_SERVER and WOLKVOX_TOKEN set in the environment (AWX credential, CI secret)
  wolkvox.wolkvox.wolkvox_token_info:

- name: Read the budget of a CRM token
  wolkvox.wolkvox.wolkvox_token_info:
    server: crm0001
    token: "{{ vault_wolkvox_crm_token }}"
    platform: crm
    operation: MyOperation
  register: crm_budget

- name: Show the hours until the CRM counter resets
  ansible.builtin.debug:
    msg: "{{ crm_budget.token_info.hours_to_restart_count }} hours"
"""

RETURN = r"""
token_info:
  description: The token's budget for today, typed.
  returned: success
  type: dict
  contains:
    description:
      description: The token's description.
      type: str
      sample: token
    token_limit:
      description: The token's daily limit.
      type: int
      sample: 4800
    token_use_today:
      description: Uses of this token today, this read included.
      type: int
      sample: 12
    all_token_today:
      description: Uses today of all the operation's tokens. V(null) for the CRM, which does not report it.
      type: int
      sample: 57
    available_consumption_options:
      description: Uses left today (the CRM's C(available_consumition_options)).
      type: int
      sample: 4788
    hours_to_restart_count:
      description: Hours until the daily counter resets. Only the CRM reports it; V(null) for the contact center.
      type: int
      sample: 15
    usage_percent:
      description: RV(token_info.token_use_today) as a percentage of RV(token_info.token_limit), to two decimals.
      type: float
      sample: 0.25
    operation_use_today:
      description:
        - Uses today of all the operation's tokens, which share its daily quota (the platform's C(all_token_today)).
        - V(null) for the CRM, which does not report it.
      type: int
      sample: 57
      version_added: 0.2.0
    operation_available:
      description:
        - Uses left today of the operation's shared budget, read against the token's limit (the platform reports no
          separate quota for the operation, so the token's limit is the conservative reading of its pool),
          that is RV(token_info.token_limit) - RV(token_info.operation_use_today), and never below 0.
        - V(null) for the CRM.
      type: int
      sample: 4743
      version_added: 0.2.0
    operation_usage_percent:
      description:
        - RV(token_info.operation_use_today) as a percentage of RV(token_info.token_limit), to two decimals; compare it
          with RV(token_info.usage_percent), the token's own share.
        - V(null) for the CRM.
      type: float
      sample: 1.19
      version_added: 0.2.0
api_calls:
  description: The HTTP requests sent, retries included. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _token_info
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_token_info)


if __name__ == "__main__":
    main()
