# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX path: the credential types' injectors, rendered as AWX renders them, drive real audits (one through
ansible-runner, the engine AWX runs jobs with)."""

import json
import os
import shutil
import sys
import tempfile

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


# -- many operations in one job: the wolkvox_fleet credential type -------------------------------------------------

FLEET = ["op%02d" % index for index in range(30)]
FLEET_TOKENS = {name: "awx-fleet-%s-%08x" % (name, 0x5eed0000 + 7919 * index) for index, name in enumerate(FLEET)}


class Unsafe(str):
    """A string AWX writes with the !unsafe tag (every extra variable a credential injects)."""


class AWXDumper(yaml.SafeDumper):
    pass


AWXDumper.add_representer(Unsafe, lambda dumper, value: dumper.represent_scalar("!unsafe", str(value)))


def fleet_credential_type():
    with open(DEFINITION, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)["wolkvox_fleet_credential_type"]
    injectors = {kind: {name: jinja2.Environment().from_string(value).render() for name, value in values.items()}
                 for kind, values in raw["injectors"].items()}
    return dict(raw, injectors=injectors)


def fleet_injected(inputs):
    """(environment, extra variables) as AWX injects them: each injector rendered in a sandbox with the inputs."""
    sandbox = jinja2.sandbox.SandboxedEnvironment()
    kind = fleet_credential_type()["injectors"]
    env = {name: sandbox.from_string(template).render(**inputs) for name, template in kind["env"].items()}
    extra = {name: Unsafe(sandbox.from_string(template).render(**inputs))
             for name, template in kind["extra_vars"].items()}
    return env, extra


def test_the_fleet_credential_type_injects_wolkvox_tokens_that_the_roles_read():
    kind = fleet_credential_type()
    fields = {field["id"]: field for field in kind["inputs"]["fields"]}
    assert sorted(fields) == ["server", "tokens"] and kind["inputs"]["required"] == ["tokens"]
    assert fields["tokens"]["secret"] is True and fields["tokens"]["multiline"] is True
    assert kind["injectors"] == {"extra_vars": {"wolkvox_tokens": "{{ tokens }}"},
                                 "env": {"WOLKVOX_SERVER": "{{ server }}"}}
    with open(os.path.join(ROOT, "roles", "audit", "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    assert "wolkvox_tokens" in options
    with open(os.path.join(ROOT, "playbooks", "awx_credential_type.yml"), encoding="utf-8") as handle:
        play = yaml.safe_load(handle)[0]
    assert play["tasks"][0]["loop"] == ["{{ wolkvox_credential_type }}", "{{ wolkvox_fleet_credential_type }}"]


def test_one_awx_job_audits_30_operations_with_one_fleet_credential_and_shows_no_token(tmp_path, simulator):
    import ansible_runner  # pylint: disable=import-outside-toplevel
    sys.path.insert(0, os.path.join(ROOT, "tests", "utils"))
    from hostile_server import leaks  # pylint: disable=import-outside-toplevel
    point = {"rp_id": "1", "rp_name": "Main", "ivr_active": "yes", "chat_active": "no", "interaction_active": "yes",
             "crm_active": "no", "last_use_days_ago": 2}
    sim = simulator({"operations": [{"name": name, "licenses": 1, "routing_points": [point],
                                     "tokens": [{"name": name, "token": token}]} for name, token in FLEET_TOKENS.items()]})
    tokens = "\n".join("%s: %s" % (name, token) for name, token in FLEET_TOKENS.items())
    env, extra = fleet_injected({"tokens": tokens, "server": sim.url})
    # the job's private data directory, as AWX lays it out: no connection variable in the inventory, the credential's
    # extra variables in a file of env/ passed with -e @file, the job's own extra variables in env/extravars
    private = tmp_path / "job"
    for name in ("inventory", "env", "project"):
        (private / name).mkdir(parents=True)
    (private / "inventory" / "hosts.yml").write_text(yaml.safe_dump({"wolkvox": {"hosts": {name: None for name in FLEET}}}))
    (private / "env" / "tmp_credential").write_text(yaml.dump(extra, Dumper=AWXDumper))
    reports = tmp_path / "ee-disk" / "reports"
    (private / "env" / "extravars").write_text(yaml.safe_dump({"awx_job_id": 4343, "wolkvox_audit_report_dir": str(reports)}))
    home = tempfile.mkdtemp(prefix="wv-awx-")  # short: ansible-core puts a unix socket in the temporary directory
    try:
        envvars = dict(env, HOME=home, TMPDIR=home, ANSIBLE_LOCAL_TEMP=home,
                       ANSIBLE_COLLECTIONS_PATH=os.environ.get("ANSIBLE_COLLECTIONS_PATH", ""))
        runner = ansible_runner.run(private_data_dir=str(private), playbook="wolkvox.wolkvox.audit", envvars=envvars,
                                    cmdline="-e @%s" % (private / "env" / "tmp_credential"), verbosity=3,
                                    artifact_dir=str(tmp_path / "artifacts"), ident="4343", quiet=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    stdout = runner.stdout.read()
    assert runner.status == "successful", stdout[-4000:]
    report = json.loads((reports / "wolkvox-audit-job4343.json").read_text())
    assert {op["operation"]: op["status"] for op in report["operations"]} == {name: "ok" for name in FLEET}
    requests = sim.requests()
    assert len(requests) == 60 and sorted({entry["token"] for entry in requests}) == FLEET
    # every token, in any form, nowhere in the job's events, its artifacts (stdout, command, status...) or the reports
    texts = [path.read_text(errors="replace") for path in (tmp_path / "artifacts").rglob("*") if path.is_file()]
    texts += [path.read_text() for path in reports.iterdir()]
    assert any('"event": "playbook_on_stats"' in text for text in texts)  # the job events were written
    for name, token in FLEET_TOKENS.items():
        assert not any(leaks(text, token) for text in texts), name
