# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_module: enable or disable the module of the operation the token belongs to.

The platform offers no read of this state, so ``changed`` rests on its answer to the switch:
success means changed; an answer saying the module already is in that state means not changed.
"""

import re

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import OUTCOME_UNKNOWN, WolkvoxError

ARGUMENT_SPEC = dict(
    state=dict(type="str", default="enabled", choices=["enabled", "disabled"]),
)

APIS = {"enabled": "enable_module", "disabled": "disable_module"}
UNKNOWN = "unknown"

# The platform's success answer names the module ("The xxxxxxxxxx module has been successfully enabled"),
# so a module called "Maya" or "Ja Contact" must not read as "already": the wording is matched, not words.
SUCCESS = re.compile(r"\b(has been|have been|was)\s+(successfully\s+)?(enabled|disabled|activated|deactivated)\b"
                     r"|\b(se ha|fue)\s+(habilitad|deshabilitad|activad|desactivad)"
                     r"|\bfoi\s+(habilitad|desabilitad|ativad|desativad)", re.IGNORECASE)
# "The acme module is already enabled", "El módulo ya se encuentra habilitado", "ya está deshabilitado",
# "O módulo já está ativo", "já se encontra desabilitado"
ALREADY = re.compile(r"\balready\s+(been\s+)?(enabled|disabled|active|inactive|activated|deactivated)\b"
                     r"|\b(is|was)\s+already\b"
                     r"|\bya\s+(se\s+encuentra|est[aá]|fue|ha\s+sido|estaba)\s+(habilitad|deshabilitad|activ|inactiv|desactivad)"
                     r"|\bj[aá]\s+(se\s+encontra|est[aá]|foi|estava)\s+(habilitad|desabilitad|ativ|inativ|desativad)",
                     re.IGNORECASE)


def platform(params):
    return "contact_center"


def run(client, params, check_mode=False, diff=False):
    state = params["state"]
    api = APIS[state]
    if check_mode:
        result = dict(changed=True, state=state,
                      msg="check mode: %s was not sent. The platform offers no read of the module's state, so "
                          "the change is predicted, not known" % api)
        if diff:
            result["diff"] = dict(before=dict(state=UNKNOWN), after=dict(state=state))
        return result
    try:
        answer = client.contact_center("configuration", api, method="PUT")
    except WolkvoxError as exc:
        if exc.kind == OUTCOME_UNKNOWN:
            exc.msg += (". The platform offers no read of the module's state: run this task again, and an answer "
                        "that the module is already %s confirms that it is" % state)
            exc.args = (exc.msg,)
        raise
    if answer.code.isdigit() and int(answer.code) >= 400:
        verb = api.split("_")[0]
        raise WolkvoxError("the platform did not %s the module (code %s: %s)" % (verb, answer.code, answer.msg or answer.error),
                           "refused", status=answer.status, body=answer.envelope)
    # a write is sent again only when the platform refused it unprocessed, so "already" is the state before this task
    changed = bool(SUCCESS.search(answer.msg)) or not ALREADY.search(answer.msg)
    result = dict(changed=changed, state=state, msg=answer.msg)
    if diff:
        result["diff"] = dict(before=dict(state=UNKNOWN if changed else state), after=dict(state=state))
    return result
