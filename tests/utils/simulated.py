# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real client on the simulator, as the unit tests of the logic files that need real HTTP use it: the operation
acme (its CRM operation Acme) and a client with acme's token."""

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxClient

ACME_TOKEN = "tok-acme-logic-91c2"


def acme_fleet():
    """A fleet of one operation, acme, whose token was used 99 times today."""
    return {"operations": [{"name": "acme", "licenses": 2, "crm_operation": "Acme",
                            "tokens": [{"name": "acme", "token": ACME_TOKEN, "used_today": 99}]}]}


def client_for(sim, warnings=None, platform="contact_center", retries=0):
    """The client of ``platform`` on the simulator ``sim`` with acme's token; its warnings go to ``warnings``."""
    params = {"server": sim.url, "token": ACME_TOKEN, "timeout": 5, "validate_certs": True, "ca_path": None,
              "retries": retries, "max_concurrent_requests": 2}
    return WolkvoxClient(params, platform=platform, warn=None if warnings is None else warnings.append)
