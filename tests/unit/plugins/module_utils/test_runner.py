# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner: what a run of a logic returns (execute) and what a module reports as invocation never hold the
token in any form; a run builds one SSL context for all its requests."""

import json

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _api
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import REDACTED
from ansible_collections.wolkvox.wolkvox.plugins.module_utils._runner import execute, invocation
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import Simulator
from ansible_collections.wolkvox.wolkvox.tests.utils.hostile_server import FORMS, json_escaped, leaks
from ansible_collections.wolkvox.wolkvox.tests.utils.hostile_server import answer as hostile_answer

TOKEN = "tok-runner-2e7a5c"


@pytest.fixture
def sim():
    fixture = {"operations": [{
        "name": "acme", "licenses": 1, "tokens": [{"name": "acme", "token": TOKEN}],
        "routing_points": [{"rp_id": "1", "rp_name": "Sales", "ivr_active": "yes", "chat_active": "no",
                            "interaction_active": "yes", "crm_active": "no", "last_use": "2026-01-20 13:42:47"}]}]}
    with Simulator(fixture) as server:
        yield server


def params(server, **overrides):
    values = {"server": server, "token": TOKEN, "timeout": 5, "validate_certs": True, "ca_path": None,
              "retries": 4, "max_concurrent_requests": 2}
    values.update(overrides)
    return values


# -- a hostile server echoes the token in every form (the hostile fixture: conftest.py) -----------------------

HOSTILE_TOKEN = "hx/Tok-9f3a2b7c1d5e"


@pytest.mark.parametrize("form", FORMS)
def test_a_token_echoed_in_any_form_never_reaches_the_result(hostile, form):
    warnings = []
    params = dict(api_params(hostile.url, api=form), token=HOSTILE_TOKEN, retries=1)
    result, failure = execute(_api, params, False, False, warnings.append, warnings.append)
    shown = json.dumps([result, failure, warnings])
    assert not leaks(shown, HOSTILE_TOKEN), shown
    assert REDACTED in shown


def test_the_leak_detector_finds_every_form():
    # proof that the test above can fail: each form, unredacted, is found
    for form in FORMS:
        status, headers, body = hostile_answer(form, HOSTILE_TOKEN)
        text = body.decode() if isinstance(body, bytes) else body
        assert leaks(json.dumps([headers, text]), HOSTILE_TOKEN), form


def test_a_token_inside_a_json_string_body_is_masked_in_invocation(hostile):
    body = '{"note": "%s"}' % json_escaped(HOSTILE_TOKEN)
    params = dict(api_params(hostile.url, api="exact", method="POST", body=body), token=HOSTILE_TOKEN)
    assert not leaks(json.dumps(invocation(params)), HOSTILE_TOKEN)
    assert leaks(json.dumps(params), HOSTILE_TOKEN)


def api_params(url, **values):
    base = {"server": url, "token": TOKEN, "timeout": 5, "validate_certs": True, "ca_path": None, "retries": 0,
            "max_concurrent_requests": 2, "file": "information", "api": "token_info", "method": "GET", "query": {},
            "body": None, "date_ini": None, "date_end": None, "empty_on_not_found": None}
    base.update(values)
    return base


# -- one SSL context per run ------------------------------------------------------------------------------------


def test_a_module_run_builds_one_ssl_context_for_all_its_requests(sim, monkeypatch):
    from ansible.module_utils import urls  # pylint: disable=import-outside-toplevel
    built = []
    original = urls.make_context
    monkeypatch.setattr(urls, "make_context", lambda *args, **kwargs: built.append(1) or original(*args, **kwargs))
    from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _operation_info  # pylint: disable=import-outside-toplevel
    result, failure = execute(_operation_info, dict(params(sim.url), gather_subset=["token", "routing_points"]),
                              False, False, None, None)
    assert failure is None and result["api_calls"] == 2
    assert len(built) == 1
    assert urls.make_context is not original and urls.make_context.__name__ == "<lambda>"  # the test's, restored
