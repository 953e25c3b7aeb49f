# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controllers that share a token but not a limiter (separate AWX jobs or containers): three
ansible-playbook runs at once, each with its own home and temporary directory, 20 operations each on one
token. The platform refuses a third request in flight; no task may fail for it, and the requests sent stay
within 1.5 times the reads needed."""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import yaml

from conftest import Simulator

TOKEN = "conc-shared-7d1f0a9b"
CONTROLLERS = 3
HOSTS = 20


def test_three_controllers_on_one_token(tmp_path):
    # short paths: ansible-core keeps a unix socket in the temporary directory (at most 107 characters)
    short = tempfile.mkdtemp(prefix="wv-")
    try:
        run_controllers(tmp_path, short)
    finally:
        shutil.rmtree(short, ignore_errors=True)


def run_controllers(tmp_path, short):
    fixture = {"operations": [{"name": "shared", "licenses": 10, "tokens": [{"name": "shared", "token": TOKEN}]}]}
    sim = Simulator(tmp_path, fixture, latency=0.05)
    try:
        runs = []
        for index in range(CONTROLLERS):
            home = pathlib.Path(short) / ("c%d" % index)
            (home / "tmp").mkdir(parents=True)
            inventory = {"wolkvox": {"hosts": {"op%d_%02d" % (index, host): {} for host in range(HOSTS)},
                                     "vars": {"ansible_connection": "local",
                                              "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}
            (home / "inventory.yml").write_text(yaml.safe_dump(inventory))
            play = [{"name": "Read the budget", "hosts": "wolkvox", "gather_facts": False,
                     "tasks": [{"wolkvox.wolkvox.wolkvox_token_info": {"server": sim.url, "token": TOKEN},
                                "register": "budget"},
                               {"ansible.builtin.copy": {"dest": str(home / "{{ inventory_hostname }}.json"),
                                                         "content": "{{ budget | to_json }}", "mode": "0600"}}]}]
            (home / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
            env = dict(os.environ, HOME=str(home), TMPDIR=str(home / "tmp"), ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
                       ANSIBLE_FORKS=str(HOSTS))
            env.pop("XDG_RUNTIME_DIR", None)
            runs.append(subprocess.Popen(["ansible-playbook", "-i", "inventory.yml", "play.yml"], cwd=str(home), env=env,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        outputs = [run.communicate(timeout=600)[0] for run in runs]
        seen = sim.requests()
    finally:
        sim.stop()
    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output[-3000:]
    reads = CONTROLLERS * HOSTS
    refused = [entry for entry in seen if entry["outcome"] == "concurrency"]
    print("%d controllers, %d reads: %d requests, %d refused for concurrency" % (CONTROLLERS, reads, len(seen), len(refused)))
    assert refused, "the controllers never collided: the test proves nothing"
    assert len(seen) <= 1.5 * reads, "%d requests for %d reads (%d refused)" % (len(seen), reads, len(refused))
    calls = []
    for index in range(CONTROLLERS):
        for host in range(HOSTS):
            result = json.loads((pathlib.Path(short) / ("c%d" % index) / ("op%d_%02d.json" % (index, host))).read_text())
            calls.append(result["api_calls"])
    assert sum(calls) == len(seen)  # api_calls tells the truth, refused attempts included
