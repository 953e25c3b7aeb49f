# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wolkvox_routing_points_info on the controller runs in-process; elsewhere the module is shipped (see plugin_utils/_fast_path.py)."""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _routing_points_info
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils._fast_path import WolkvoxAction


class ActionModule(WolkvoxAction):
    LOGIC = _routing_points_info
