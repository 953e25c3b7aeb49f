# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Attributes shared by the wolkvox modules: each module states its own support levels."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return a changed status prediction without modifying the platform.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description: Running the task twice in a row reports no change the second time, where the platform tells.
"""

    # Modules in the wolkvox action group
    ACTIONGROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/wolkvox.wolkvox.wolkvox) in C(module_defaults) to set the connection options of every wolkvox module at once.
    support: full
    membership:
      - wolkvox.wolkvox.wolkvox
"""

    # Modules that only read
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This module only reads, and reads in check mode too. Each run still spends one use of the operation's daily API quota.
  diff_mode:
    support: N/A
    details:
      - This module changes nothing.
  idempotent:
    support: full
"""
