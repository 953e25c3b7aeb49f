# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An async task ships the module, which runs in the background as any module's would, and async_status
collects its result."""

import json

import yaml

from conftest import playbook

TOKEN = "async-acme-2b7e91"


def test_an_async_task_runs_in_the_background_and_is_collected(tmp_path, simulator):
    sim = simulator({"operations": [{"name": "acme", "licenses": 1, "tokens": [{"name": "acme", "token": TOKEN}]}]})
    sim.admin("/_sim/config", {"latency": 1.0})
    async_dir = tmp_path / "async"
    play = [{"name": "Async", "hosts": "localhost", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
             "tasks": [
                 {"name": "Start the read", "wolkvox.wolkvox.wolkvox_token_info": {"server": sim.url, "token": TOKEN},
                  "async": 60, "poll": 0, "register": "job"},
                 {"name": "Wait for it", "ansible.builtin.async_status": {"jid": "{{ job.ansible_job_id }}"},
                  "register": "done", "until": "done is finished", "retries": 60, "delay": 0.5},
                 {"name": "Keep both", "ansible.builtin.copy": {"dest": str(tmp_path / "async.json"), "mode": "0600",
                                                                "content": "{{ [job, done] | to_json }}"}}]}]
    (tmp_path / "async.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    code, output = playbook(tmp_path, ["-i", "localhost,", "-c", "local", "async.yml"],
                            env={"ANSIBLE_ASYNC_DIR": str(async_dir)})
    assert code == 0, output[-4000:]
    job, done = json.loads((tmp_path / "async.json").read_text())
    assert job["started"] and not job["finished"]  # it went to the background
    assert done["token_info"]["token_limit"] == 1000 and done["api_calls"] == 1
    assert TOKEN not in output
    assert [entry["api"] for entry in sim.requests()] == ["token_info"]
