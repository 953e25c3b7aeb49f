#!/usr/bin/python
# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: wolkvox_module
short_description: Enable or disable the module of a wolkvox operation
version_added: 0.1.0
description:
  - Sends C(configuration.php?api=enable_module) or C(api=disable_module) for the operation the token belongs to.
  - Disabling may switch the operation's service off; wolkvox offers it as a way to reduce costs.
  - B(The platform offers no read of this state.) So RV(ignore:changed) follows the platform's answer to the switch
    itself. A success answer reports a change. An answer saying the module already is in that state, in English,
    Spanish or Portuguese, reports no change. If the platform answers success either way, every run reports a change.
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
      - In check mode nothing is sent (so no use of the quota is spent) and a change is predicted, since the
        platform cannot be asked for the current state.
  diff_mode:
    support: partial
    details:
      - The state before is known only when the platform answers that the module already was in the wanted state;
        otherwise it shows as V(unknown).
  idempotent:
    support: partial
    details:
      - Idempotent when the platform answers that the module already is in the wanted state.
options:
  state:
    description:
      - Whether the operation's module should be enabled or disabled.
    type: str
    choices: [enabled, disabled]
    default: enabled
notes:
  - Each run sends one request, and one more for each retry; RV(api_calls) tells how many.
  - If a request is retried after a lost answer and the platform then says the module already is in the wanted
    state, the task reports a change and warns, since the first attempt may have made it.
"""

EXAMPLES = r"""
- name: Keep the operation's module enabled, with the connection settings set once for the group
  module_defaults:
    group/wolkvox.wolkvox.wolkvox:
      server: "{{ wolkvox_server }}"
      token: "{{ wolkvox_token }}"  # vaulted
  block:
    - name: Enable the module
      wolkvox.wolkvox.wolkvox_module:
        state: enabled
      delegate_to: localhost

- name: Disable the module of the operation whose token is in WOLKVOX_TOKEN, at WOLKVOX_SERVER
  wolkvox.wolkvox.wolkvox_module:
    state: disabled
  register: switched

- name: Show what the platform said
  ansible.builtin.debug:
    msg: "{{ switched.msg }}"
"""

RETURN = r"""
state:
  description: The state asked for.
  returned: success
  type: str
  sample: enabled
msg:
  description: The platform's answer, or in check mode why nothing was sent.
  returned: success
  type: str
  sample: The acme module has been successfully enabled
api_calls:
  description: The HTTP requests sent, retries included; 0 in check mode. Each one spent a use of the daily quota.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _module
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import run_module


def main():
    run_module(_module)


if __name__ == "__main__":
    main()
