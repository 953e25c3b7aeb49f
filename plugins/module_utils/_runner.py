# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""Run one module's logic with a client, the same way in a module process and in an action plugin.

A logic is a Python module of module_utils with:

* ``ARGUMENT_SPEC``: the module's own options (the connection options are added here);
* optionally ``REQUIRED_IF``, ``REQUIRED_TOGETHER`` and ``MUTUALLY_EXCLUSIVE`` (see SPEC_CHECKS);
* ``platform(params)``: ``contact_center`` or ``crm``;
* ``run(client, params, check_mode, diff)``: the result, without ``api_calls``.
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import (
    CONNECTION_ARGSPEC,
    Redactor,
    SharedTLSContexts,
    WolkvoxClient,
    WolkvoxError,
)

COLLECTION = "wolkvox.wolkvox"
DEPRECATION_VERSION = "2.0.0"


# The argument spec checks a logic may declare, by AnsibleModule keyword: the module path (run_module) and the
# controller fast path (plugin_utils/_fast_path.py) both take them from here, so that both validate alike.
SPEC_CHECKS = dict(required_if="REQUIRED_IF", required_together="REQUIRED_TOGETHER",
                   mutually_exclusive="MUTUALLY_EXCLUSIVE")


def spec_checks(logic):
    """The keyword arguments of the argument spec checks that ``logic`` declares."""
    return dict((keyword, getattr(logic, name)) for keyword, name in SPEC_CHECKS.items() if getattr(logic, name, None))


def argument_spec(logic):
    """The full argument spec of a module: the connection options and its own."""
    spec = dict(CONNECTION_ARGSPEC)
    spec.update(logic.ARGUMENT_SPEC)
    return spec


def execute(logic, params, check_mode, diff, warn, deprecate):
    """Run ``logic``; return ``(result, None)`` or ``(None, failure)``, both with ``api_calls``.

    Whatever is returned has the token masked in every form the platform may echo it in (see Redactor).
    """
    client = None
    redact = redactor(params)
    try:
        client = WolkvoxClient(params, platform=logic.platform(params), warn=warn, deprecate=deprecate)
        with SharedTLSContexts():  # one SSL context for all the requests of this run
            result = logic.run(client, params, check_mode=check_mode, diff=diff)
    except WolkvoxError as exc:
        failure = dict(msg=exc.msg, api_calls=client.api_calls if client else exc.api_calls, error_kind=exc.kind)
        if exc.status is not None:
            failure["status"] = exc.status
        for key, value in getattr(exc, "details", {}).items():
            failure.setdefault(key, value)
        return None, redact(failure)
    result["api_calls"] = client.api_calls
    return redact(result), None


def redactor(params):
    """A function that masks the token of ``params`` in any value (see Redactor)."""
    token = params.get("token")
    return Redactor(token if isinstance(token, str) else None)


def invocation(params):
    """``invocation`` as a module reports it, with the token masked in every form (in a body, say)."""
    return dict(module_args=redactor(params)(params))


def run_module(logic):
    """The whole of a module's main(): options, logic, exit."""
    module = AnsibleModule(argument_spec=argument_spec(logic), supports_check_mode=True, **spec_checks(logic))

    def deprecate(msg):
        module.deprecate(msg, version=DEPRECATION_VERSION, collection_name=COLLECTION)

    result, failure = execute(logic, module.params, module.check_mode, module._diff, module.warn, deprecate)
    # AnsibleModule masks the token's exact value; this masks it in any form (dropped where the
    # controller does not inject invocation)
    outcome = failure or result
    outcome["invocation"] = invocation(module.params)
    if failure:
        module.fail_json(**outcome)
    module.exit_json(**outcome)
