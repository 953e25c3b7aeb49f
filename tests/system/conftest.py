# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""System tests: real ansible-playbook runs of the installed collection against the simulator.

`make system` runs them with the collection on ANSIBLE_COLLECTIONS_PATH and ansible-playbook on PATH.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SIMULATOR = os.path.join(ROOT, "simulator", "wolkvox_simulator.py")


def _simulator_module():
    spec = importlib.util.spec_from_file_location("wolkvox_simulator", SIMULATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


admin_call = _simulator_module().admin_call


class Simulator:
    """The simulator as its own process, as a user runs it."""

    def __init__(self, workdir, fixture):
        path = os.path.join(str(workdir), "fixture.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(fixture, handle)
        port_file = os.path.join(str(workdir), "simulator.port")
        self.proc = subprocess.Popen([sys.executable, SIMULATOR, "--port", "0", "--port-file", port_file,
                                      "--fixture", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.proc.stdout.readline()  # "listening on ...": the port file is written
        with open(port_file, encoding="utf-8") as handle:
            self.url = "http://127.0.0.1:%s" % handle.read().strip()

    def admin(self, path, payload=None, method=None):
        return admin_call(self.url, path, payload, method)

    def requests(self):
        return self.admin("/_sim/requests")["requests"]

    def reset(self):
        self.admin("/_sim/reset", {})

    def faults(self, *rules):
        self.admin("/_sim/faults", {"faults": list(rules)})

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def simulator(tmp_path):
    started = []

    def start(fixture):
        sim = Simulator(tmp_path, fixture)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def playbook(workdir, args, env=None):
    """Run ansible-playbook in ``workdir``; return (exit code, stdout and stderr together)."""
    run = subprocess.run(["ansible-playbook"] + list(args), cwd=str(workdir), env=dict(os.environ, **(env or {})),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
    return run.returncode, run.stdout
