# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The token in every form: a hostile server echoes it upper-cased, URL-encoded (also in a redirect),
JSON- and HTML-escaped, as a key and across an excerpt's cut, to contact-center and CRM reads (the audit's CRM
operations read with wolkvox_token_info's CRM path). A playbook at -vvvv with invocation injected,
on both execution paths, must show it nowhere: not in its output, not in the registered results."""

import json
import os
import sys

import pytest
import yaml

from conftest import ROOT, playbook

sys.path.insert(0, os.path.join(ROOT, "tests", "utils"))
from hostile_server import FORMS, HostileServer, json_escaped, leaks  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "hx/Tok-9f3a2b7c1d5e"


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "module path"])
def test_the_token_shows_nowhere_at_vvvv(tmp_path, fast_path):
    with HostileServer() as server:
        tasks = [{"name": "Echo %s" % form, "wolkvox.wolkvox.wolkvox_api": {"file": "information", "api": form},
                  "register": "echo_%s" % form, "ignore_errors": True} for form in FORMS]
        tasks.append({"name": "A body that carries the token JSON-escaped",
                      "wolkvox.wolkvox.wolkvox_api": {"file": "configuration", "api": "exact", "method": "POST",
                                                      "body": '{"note": "%s"}' % json_escaped(TOKEN)},
                      "register": "echo_body", "ignore_errors": True})
        # the CRM's token information, whose operation picks the form
        tasks += [{"name": "CRM echo %s" % form, "wolkvox.wolkvox.wolkvox_token_info": {"platform": "crm", "operation": form},
                   "register": "crm_%s" % form, "ignore_errors": True} for form in FORMS]
        names = ["echo_%s" % form for form in FORMS] + ["echo_body"] + ["crm_%s" % form for form in FORMS]
        tasks.append({"name": "Keep the results", "ansible.builtin.copy": {
            "dest": str(tmp_path / "results.json"), "mode": "0600",
            "content": "{{ [%s] | to_json }}" % ", ".join(names)}})
        play = [{"name": "A hostile server", "hosts": "localhost", "gather_facts": False,
                 "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}", "wolkvox_fast_path": fast_path},
                 "module_defaults": {"group/wolkvox.wolkvox.wolkvox": {"server": server.url, "token": TOKEN, "retries": 0}},
                 "tasks": tasks}]
        (tmp_path / "hostile.yml").write_text(yaml.safe_dump(play, sort_keys=False))
        code, output = playbook(tmp_path, ["-i", "localhost,", "-c", "local", "hostile.yml", "-vvvv"],
                                env={"ANSIBLE_INJECT_INVOCATION": "1"})
        assert code == 0, output[-4000:]
        assert len(server.seen) == 2 * len(FORMS) + 1  # every form was served, to the contact center and the CRM
    results = (tmp_path / "results.json").read_text()
    assert all(json.loads(results)), "a task was not run"
    assert not leaks(output, TOKEN), "the token shows at -vvvv"
    assert not leaks(results, TOKEN), "the token is in a registered result"
    assert "********" in results
