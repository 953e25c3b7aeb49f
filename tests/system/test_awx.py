# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX path: the credential type's injectors, rendered as AWX renders them, drive a real audit."""

import json
import os
import sys

import jinja2.sandbox
import yaml

from conftest import ROOT, playbook

DEFINITION = os.path.join(ROOT, "playbooks", "vars", "wolkvox_credential_type.yml")
TOKEN = "awx-job-token-51c0e2d9"


def credential_type():
    """The credential type as awx.awx.credential_type sends it: the vars file after Ansible's templating."""
    with open(DEFINITION, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)["wolkvox_credential_type"]
    injectors = {name: jinja2.Environment().from_string(value).render()
                 for name, value in raw["injectors"]["env"].items()}
    return dict(raw, injectors={"env": injectors})


def injected_environment(inputs):
    """What AWX puts in the job's environment: each env injector rendered in a sandbox with the inputs."""
    sandbox = jinja2.sandbox.SandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**inputs)
            for name, template in credential_type()["injectors"]["env"].items()}


def test_the_credential_type_injects_the_modules_environment_fallbacks():
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(ROOT))))
    from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import CONNECTION_ARGSPEC  # pylint: disable=import-outside-toplevel
    kind = credential_type()
    fields = {field["id"]: field for field in kind["inputs"]["fields"]}
    assert sorted(fields) == ["server", "token"] and kind["inputs"]["required"] == ["server", "token"]
    assert fields["token"]["secret"] is True and not fields["server"].get("secret")
    assert kind["injectors"]["env"] == {"WOLKVOX_SERVER": "{{ server }}", "WOLKVOX_TOKEN": "{{ token }}"}
    assert CONNECTION_ARGSPEC["server"]["fallback"][1] == ["WOLKVOX_SERVER"]
    assert CONNECTION_ARGSPEC["token"]["fallback"][1] == ["WOLKVOX_TOKEN"]
    # AWX masks the value of an injected variable whose name says TOKEN
    assert [name for name, template in kind["injectors"]["env"].items() if "token" in template] == ["WOLKVOX_TOKEN"]


def test_an_awx_job_audits_its_operation_from_the_injected_environment(tmp_path, simulator):
    sim = simulator({"operations": [{"name": "acme", "licenses": 1, "tokens": [{"name": "acme", "token": TOKEN}],
                                     "routing_points": []}]})
    (tmp_path / "inventory.yml").write_text("wolkvox:\n  hosts:\n    acme:\n")  # no connection variables
    env = injected_environment({"server": sim.url, "token": TOKEN})
    env["ANSIBLE_SHOW_CUSTOM_STATS"] = "true"
    code, output = playbook(tmp_path, ["wolkvox.wolkvox.audit", "-i", "inventory.yml", "-e", "awx_job_id=4242"], env)
    assert code == 0, output[-4000:]
    report = json.loads((tmp_path / "wolkvox-audit" / "wolkvox-audit-job4242.json").read_text())
    assert [(op["operation"], op["status"]) for op in report["operations"]] == [("acme", "ok")]
    assert len(sim.requests()) == 2
    # the job artifacts AWX keeps (set_stats), shown here by the custom stats callback option
    stats = output[output.index("CUSTOM STATS"):]
    assert "wolkvox_audit" in stats and '"acme": "ok"' in stats and "wolkvox-audit-job4242.html" in stats
    assert TOKEN not in output
