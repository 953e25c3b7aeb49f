# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""wolkvox_module: enable or disable the module of the operation the token belongs to.

The platform offers no read of this state, so ``changed`` rests on its answer to the switch:
success means changed; an answer saying the module already is in that state means not changed.
"""

import re

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import WolkvoxError

ARGUMENT_SPEC = dict(
    state=dict(type="str", default="enabled", choices=["enabled", "disabled"]),
)

APIS = {"enabled": "enable_module", "disabled": "disable_module"}
UNKNOWN = "unknown"

# "The acme module is already enabled", "El módulo ya se encuentra habilitado", "O módulo já está ativo"
ALREADY = re.compile(r"\b(already|ya|j[aá])\b", re.IGNORECASE)


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
    answer = client.contact_center("configuration", api, method="PUT")
    if answer.code.isdigit() and int(answer.code) >= 400:
        verb = api.split("_")[0]
        raise WolkvoxError("the platform did not %s the module (code %s: %s)" % (verb, answer.code, answer.msg or answer.error),
                           "refused", status=answer.status, body=answer.envelope)
    already = bool(ALREADY.search(answer.msg))
    changed = not already
    if already and answer.attempts > 1:
        # an earlier attempt may have switched the module before its answer was lost: the
        # "already" that came back then says nothing about the state before this task
        client.warn("%s was sent %d times (the first answers were lost); the platform's 'already %s' may be the "
                    "result of an earlier attempt, so this task reports a change" % (api, answer.attempts, state))
        changed = True
    result = dict(changed=changed, state=state, msg=answer.msg)
    if diff:
        result["diff"] = dict(before=dict(state=UNKNOWN if changed else state), after=dict(state=state))
    return result
