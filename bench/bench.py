# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks: the collection against the ansible.builtin.uri tasks a user would write instead.

Everything runs against the wolkvox simulator on loopback. Each pair of playbooks runs alternately in
one process tree, and the table reports medians and the ratio collection/uri.

    python bench/bench.py --collections DIR --out bench/results.md [--rounds 3]

DIR holds ansible_collections/wolkvox/wolkvox. `make bench` stages it and runs this.
"""

import argparse
import collections
import datetime
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
_SPEC = importlib.util.spec_from_file_location("wolkvox_simulator", os.path.join(ROOT, "simulator", "wolkvox_simulator.py"))
_SIMULATOR = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_SIMULATOR)
SimulatorProcess = _SIMULATOR.SimulatorProcess


def run_playbook(env, work, playbook, inventory, extra=()):
    """Wall time (s) and peak RSS (MiB, the largest process of the run) of one ansible-playbook run."""
    probe = ("import resource, subprocess, sys, time; t = time.monotonic(); "
             "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode; "
             "print(rc, time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    command = [sys.executable, "-c", probe, "ansible-playbook", "-i", inventory, playbook] + list(extra)
    out = subprocess.run(command, env=env, cwd=work, capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "0":
        raise SystemExit("ansible-playbook %s failed; run it by hand in %s to see why" % (playbook, work))
    return float(out[1]), int(out[2]) / 1024.0


def write(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def alternate(rounds, runs):
    """Run each (name, callable) of ``runs`` once per round, alternately; lists of results by name."""
    results = {name: [] for name, dummy in runs}
    for dummy in range(rounds):
        for name, call in runs:
            results[name].append(call())
    return results


def median(values, index=0):
    return statistics.median(value[index] for value in values)


def operation(name, token, points=2):
    return {"name": name, "licenses": 100, "tokens": [{"name": name, "token": token}],
            "routing_points": [{"rp_id": str(1000 + i), "rp_name": "RP %d" % i, "ivr_active": "yes",
                                "chat_active": "no", "interaction_active": "yes", "crm_active": "no",
                                "last_use_days_ago": 1} for i in range(points)]}


PLAY_HEADER = """- name: {name}
  hosts: {hosts}
  gather_facts: false
{extra}  tasks:
"""


# -- 1. per-task cost --------------------------------------------------------------------------------


def bench_per_task(env, work, rounds, tasks=50):
    sim = SimulatorProcess(work, {"operations": [operation("acme", "bench-acme-token")]}, latency=0.0)
    try:
        inventory = write(os.path.join(work, "local.ini"), "localhost ansible_connection=local "
                                                           "ansible_python_interpreter=%s\n" % sys.executable)
        defaults = ("  module_defaults:\n    group/wolkvox.wolkvox.wolkvox:\n      server: %s\n"
                    "      token: bench-acme-token\n" % sim.url)
        collection = PLAY_HEADER.format(name="token_info tasks", hosts="localhost", extra=defaults) + "".join(
            "    - name: Read the budget %d\n      wolkvox.wolkvox.wolkvox_token_info:\n" % i for i in range(tasks))
        uri = PLAY_HEADER.format(name="uri tasks", hosts="localhost", extra="") + "".join(
            "    - name: Read the budget %d\n      ansible.builtin.uri:\n"
            "        url: %s/api/v2/information.php?api=token_info\n"
            "        headers:\n          wolkvox-token: bench-acme-token\n" % (i, sim.url) for i in range(tasks))
        debug = PLAY_HEADER.format(name="debug tasks", hosts="localhost", extra="") + "".join(
            "    - name: Say %d\n      ansible.builtin.debug:\n        msg: hello\n" % i for i in range(tasks))
        paths = {name: write(os.path.join(work, name + ".yml"), text)
                 for name, text in (("collection", collection), ("uri", uri), ("debug", debug))}
        results = alternate(rounds, [
            ("collection", lambda: run_playbook(env, work, paths["collection"], inventory)),
            ("uri", lambda: run_playbook(env, work, paths["uri"], inventory)),
            ("module path", lambda: run_playbook(env, work, paths["collection"], inventory,
                                                 ["-e", "wolkvox_fast_path=false"])),
            ("debug", lambda: run_playbook(env, work, paths["debug"], inventory)),
        ])
        calls = len(sim.requests())
    finally:
        sim.stop()
    return results, calls


# -- 2. fleet audit --------------------------------------------------------------------------------------


def bench_fleet(env, work, rounds, operations=200, forks=20, latency=0.05, uri=True):
    """The collection playbook wolkvox.wolkvox.audit on ``operations`` operations (3 routing points each), the ``uri``
    playbook a user writes, and the ``debug`` floor: a play with one task per host and twelve once for the play (the
    audit runs its tasks once, and for each host a meta end_role the controller handles without a worker)."""
    ops = [operation("op%04d" % i, "bench-token-%04d" % i, points=3) for i in range(operations)]
    sim = SimulatorProcess(work, {"operations": ops}, latency=latency)
    try:
        inventory = write(os.path.join(work, "fleet_%d.yml" % operations), "fleet:\n  hosts:\n" + "".join(
            "    op%04d:\n      wolkvox_token: bench-token-%04d\n" % (i, i) for i in range(operations))
            + "  vars:\n    wolkvox_server: %s\n    wolkvox_audit_report_dir: %s\n"
              "    ansible_python_interpreter: %s\n" % (sim.url, os.path.join(work, "reports"), sys.executable))
        audit = "wolkvox.wolkvox.audit"  # the collection playbook, on the group fleet (below)
        by_hand = write(os.path.join(work, "uri_audit.yml"), PLAY_HEADER.format(name="Audit by hand", hosts="fleet", extra="")
                        + """    - name: Read the token budget
      ansible.builtin.uri:
        url: "{{ wolkvox_server }}/api/v2/information.php?api=token_info"
        headers:
          wolkvox-token: "{{ wolkvox_token }}"
      delegate_to: localhost
      register: budget
    - name: Read the routing points
      ansible.builtin.uri:
        url: "{{ wolkvox_server }}/api/v2/information.php?api=routing_points"
        headers:
          wolkvox-token: "{{ wolkvox_token }}"
      delegate_to: localhost
      register: points
    - name: Keep both facts
      ansible.builtin.set_fact:
        audit_budget: "{{ budget.json.data[0] }}"
        audit_points: "{{ points.json.data }}"
""")
        floor = write(os.path.join(work, "floor.yml"), PLAY_HEADER.format(name="The floor", hosts="fleet", extra="")
                      + "    - name: One task per host\n      ansible.builtin.debug:\n        msg: hello\n"
                      + "".join("    - name: Once for the play %d\n      ansible.builtin.debug:\n        msg: hello\n"
                                "      run_once: true\n" % i for i in range(12)))
        calls = {}

        def measured(name, playbook, extra=()):
            def call():
                sim.reset()
                outcome = run_playbook(env, work, playbook, inventory, ["-f", str(forks)] + list(extra))
                calls[name] = len(sim.requests())
                return outcome
            return call

        runs = [("collection", measured("collection", audit, ["-e", "wolkvox_hosts=fleet"]))]
        if uri:
            runs.append(("uri", measured("uri", by_hand)))
        runs.append(("debug floor", lambda: run_playbook(env, work, floor, inventory, ["-f", str(forks)])))
        results = alternate(rounds, runs)
    finally:
        sim.stop()
    return results, {name: count / float(operations) for name, count in calls.items()}


def bench_fleet_1000(env, work, rounds):
    """The audit role on 1,000 operations, forks 20, 50 ms latency, 3 routing points each, and its debug floor."""
    return bench_fleet(env, work, rounds, operations=1000, uri=False)


# -- 3. a 60,000-record answer -------------------------------------------------------------------------------


def bench_big_answer(env, work, rounds, records=60000):
    sim = SimulatorProcess(work, {"operations": [operation("big", "bench-big-token", points=records)]}, latency=0.0)
    try:
        inventory = write(os.path.join(work, "local.ini"), "localhost ansible_connection=local "
                                                           "ansible_python_interpreter=%s\n" % sys.executable)
        collection = write(os.path.join(work, "big_collection.yml"), PLAY_HEADER.format(
            name="Routing points by the module", hosts="localhost", extra="") + """    - name: List the routing points
      wolkvox.wolkvox.wolkvox_routing_points_info:
        server: %s
        token: bench-big-token
      register: points
    - name: Count the IVRs that are off
      ansible.builtin.debug:
        msg: "{{ points.routing_points | rejectattr('ivr_active') | list | length }}"
""" % sim.url)
        uri = write(os.path.join(work, "big_uri.yml"), PLAY_HEADER.format(
            name="Routing points by hand", hosts="localhost", extra="") + """    - name: List the routing points
      ansible.builtin.uri:
        url: %s/api/v2/information.php?api=routing_points
        headers:
          wolkvox-token: bench-big-token
      register: raw
    - name: Type the flags as the module does
      ansible.builtin.set_fact:
        points: "{{ rendered if rendered is not string else rendered | from_json }}"
      vars:
        yes_words: [yes, si]
        rendered: >-
          [{%% for p in raw.json.data %%}{{ {'rp_id': p.rp_id, 'rp_name': p.rp_name,
          'ivr_active': (p.ivr_active | trim | lower) in yes_words, 'chat_active': (p.chat_active | trim | lower) in yes_words,
          'interaction_active': (p.interaction_active | trim | lower) in yes_words,
          'crm_active': (p.crm_active | trim | lower) in yes_words,
          'last_use': (p.last_use | trim | replace(' ', 'T')) or none} | to_json }}{{ '' if loop.last else ',' }}{%% endfor %%}]
    - name: Count the IVRs that are off
      ansible.builtin.debug:
        msg: "{{ points | rejectattr('ivr_active') | list | length }}"
""" % sim.url)
        results = alternate(rounds, [("collection", lambda: run_playbook(env, work, collection, inventory)),
                                     ("uri", lambda: run_playbook(env, work, uri, inventory))])
    finally:
        sim.stop()
    return results


# -- 4. the per-token limiter ----------------------------------------------------------------------------------


def bench_limiter(env, work, hosts=40, forks=20, latency=0.2):
    sim = SimulatorProcess(work, {"operations": [operation("shared", "bench-shared-token")]}, latency=latency)
    try:
        inventory = write(os.path.join(work, "shared.yml"), "shared:\n  hosts:\n" + "".join(
            "    host%02d:\n" % i for i in range(hosts)) + "  vars:\n    ansible_python_interpreter: %s\n" % sys.executable)
        playbook = write(os.path.join(work, "shared_token.yml"), PLAY_HEADER.format(
            name="Forty hosts, one token", hosts="shared", extra="") + """    - name: Read the budget
      wolkvox.wolkvox.wolkvox_token_info:
        server: %s
        token: bench-shared-token
      delegate_to: localhost
""" % sim.url)
        wall, rss = run_playbook(env, work, playbook, inventory, ["-f", str(forks)])
        log = sim.requests()
    finally:
        sim.stop()
    refused = sum(1 for entry in log if entry["outcome"] == "concurrency")
    floor = len(log) / 2.0 * latency
    return {"wall": wall, "calls": len(log), "refused": refused, "floor": floor, "latency": latency,
            "hosts": hosts, "forks": forks}


# -- 6. 200 agents as code -----------------------------------------------------------------------------------------


def bench_agents(env, work, rounds, agents=200, latency=0.05):
    """Converge 200 agents on an empty operation with wolkvox_agents, then again; against the uri loop a user writes."""
    op = dict(operation("agents", "bench-agents-token"), licenses=5)
    sim = SimulatorProcess(work, {"operations": [op]}, latency=latency)
    try:
        inventory = write(os.path.join(work, "local.ini"), "localhost ansible_connection=local "
                                                           "ansible_python_interpreter=%s\n" % sys.executable)
        people = "".join('      - {dni: "%08d", name: "Agent %03d", password: "Bench#Pass%03d"}\n' % (i, i, i)
                         for i in range(agents))
        variables = "  vars:\n    people:\n" + people
        collection = write(os.path.join(work, "agents.yml"), PLAY_HEADER.format(
            name="Agents as code", hosts="localhost", extra=variables) + """    - name: Converge the agents
      wolkvox.wolkvox.wolkvox_agents:
        server: %s
        token: bench-agents-token
        config: "{{ people }}"
""" % sim.url)
        uri = write(os.path.join(work, "agents_uri.yml"), PLAY_HEADER.format(
            name="Agents by hand", hosts="localhost", extra=variables) + """    - name: Read the agents
      ansible.builtin.uri:
        url: %(url)s/api/v2/information.php?api=agents
        headers:
          wolkvox-token: bench-agents-token
        status_code: [200, 404]  # 404: no agent yet
      register: current
    - name: Create each missing agent
      ansible.builtin.uri:
        url: %(url)s/api/v2/configuration.php?api=create_agent
        method: POST
        body_format: json
        body: {agent_dni: "{{ item.dni }}", agent_name: "{{ item.name }}", agent_sso: "", agent_pass: "{{ item.password }}"}
        headers:
          wolkvox-token: bench-agents-token
      loop: "{{ people }}"
      loop_control:
        label: "{{ item.dni }}"
      when: item.dni not in (current.json.data | default([]) | map(attribute='agent_dni') | list)
      no_log: true
""" % {"url": sim.url})
        calls = {}

        def measured(name, playbook, again=False):
            def call():
                sim.reset()
                outcome = run_playbook(env, work, playbook, inventory)
                calls[name] = [entry["api"] for entry in sim.requests()]
                if again:
                    sim.admin("/_sim/requests", method="DELETE")
                    second = run_playbook(env, work, playbook, inventory)
                    calls[name + " again"] = [entry["api"] for entry in sim.requests()]
                    return outcome + second
                return outcome
            return call

        results = alternate(rounds, [("collection", measured("collection", collection, again=True)),
                                     ("uri", measured("uri", uri))])
    finally:
        sim.stop()
    return results, calls


def bench_provision(env, work, rounds, operations=30, agents=50, skills=5, codes=20, numbers=1000, campaigns=3,
                    forks=5, latency=0.0):
    """A fleet of operations as code, already in place: the provision role's run with no drift, and its check-mode
    drift run, each against a hand-written uri playbook sending the same reads.

    Every operation holds (and declares) 50 agents, 5 skills of 10 agents each, 20 activity codes, 1,000 do-not-call
    numbers and 3 campaigns. Returns {"rounds": {"provision", "check", "uri"} -> [(wall s, peak MiB)] per round,
    "wall": {run -> median wall s}, "ratio": {"provision", "check"} -> median wall / the uri playbook's, "reads": the
    reads the fleet needs (12 per operation), "requests": {run -> {"reads", "writes"} the simulator logged in its last
    round}, "changed": {run -> the sum of changed= of its last round}, "operations", "forks", "latency"}."""
    # the host variables are written as JSON, which is YAML
    import json  # pylint: disable=import-outside-toplevel

    def fixture_op(index):
        name, token = "op%02d" % index, "bench-provision-%02d" % index
        people = [{"agent_id": str(1001 + i), "agent_name": "Agent %02d-%02d" % (index, i),
                   "agent_dni": "%02d%06d" % (index, i), "enabled": "yes"} for i in range(agents)]
        groups = [{"skill_id": str(k + 1), "skill_name": "Skill %d" % k, "skill_description": "bench",
                   "agents": [{"agent_id": str(1001 + k * 10 + i), "expertise": str(1 + i % 10)} for i in range(10)]}
                  for k in range(skills)]
        code_rows = [{"type_code": "cod_act1" if i % 2 else "cod_act2", "cod_act": "C%03d" % i,
                      "description_cod_act": "Code %d" % i, "voice": "yes", "hit": "yes" if i % 2 else "no"}
                     for i in range(codes)]
        dnc = {"inbound": ["57%08d%02d" % (i, index) for i in range(numbers // 2)],
               "outbound": ["58%08d%02d" % (i, index) for i in range(numbers - numbers // 2)]}
        runs = [{"campaign_id": str(500 + c), "campaign_name": "Campaign %d" % c,
                 "type_campaign": "predictive" if c % 2 else "preview", "skill_id": str(c % skills + 1),
                 "status": "Stopped", "speed": "100", "start_time": "08:00:00", "end_time": "18:00:00"}
                for c in range(campaigns)]
        op = dict(operation(name, token, points=0), licenses=5, agents=people, skills=groups,
                  activity_codes=code_rows, dnc=dnc, campaigns=runs)
        declared = {
            "wolkvox_token": token,
            "wolkvox_provision_agents": [{"dni": p["agent_dni"], "name": p["agent_name"], "sso": "", "enabled": True}
                                         for p in people],
            "wolkvox_provision_skills": [{"name": g["skill_name"], "description": "bench", "agents": [
                {"dni": "%02d%06d" % (index, int(m["agent_id"]) - 1001), "expertise": int(m["expertise"])}
                for m in g["agents"]]} for g in groups],
            "wolkvox_provision_activity_codes": [
                {"group": "main" if c["type_code"] == "cod_act1" else "alternate", "code": c["cod_act"],
                 "description": c["description_cod_act"], "hit": c["hit"] == "yes", "rpc": False, "chat": False,
                 "studio": False, "voice": True, "interactions": False} for c in code_rows],
            "wolkvox_provision_dnc": [{"phone": number, "direction": direction}
                                      for direction in ("inbound", "outbound") for number in dnc[direction]],
            "wolkvox_provision_campaigns": [
                {"name": r["campaign_name"], "type": r["type_campaign"], "description": "",
                 "skill": "Skill %d" % (int(r["skill_id"]) - 1), "start_time": "08:00:00", "end_time": "18:00:00",
                 "status": "stopped", "speed": 100} for r in runs],
        }
        return op, name, declared

    built = [fixture_op(index) for index in range(operations)]
    sim = SimulatorProcess(work, {"operations": [op for op, dummy, dummy in built]}, latency=latency)
    try:
        host_vars = os.path.join(work, "host_vars")
        os.makedirs(host_vars, exist_ok=True)
        for dummy, name, declared in built:
            write(os.path.join(host_vars, name + ".yml"), "---\n" + json.dumps(declared) + "\n")
        inventory = write(os.path.join(work, "inventory.yml"), "wolkvox:\n  hosts:\n" + "".join(
            "    %s:\n" % name for dummy, name, dummy in built)
            + "  vars:\n    wolkvox_server: %s\n    wolkvox_provision_report_dir: %s\n    ansible_connection: local\n"
              "    ansible_python_interpreter: %s\n" % (sim.url, os.path.join(work, "reports"), sys.executable))
        provision = "wolkvox.wolkvox.provision"  # the collection playbook, on the group wolkvox
        reads = [("get_agents", "information.php?api=agents"), ("get_skills", "information.php?api=skills"),
                 ("get_agents_again", "information.php?api=agents")]
        reads += [("get_skill_%d" % k, "information.php?api=agents_in_skill&skill_id=%d" % (k + 1))
                  for k in range(skills)]
        reads += [("get_codes", "information.php?api=activity_codes"), ("get_dnc", "information.php?api=get_dnc&type=all"),
                  ("get_campaigns", "information.php?api=campaigns"), ("get_skills_again", "information.php?api=skills")]
        uri = write(os.path.join(work, "provision_uri.yml"), PLAY_HEADER.format(
            name="The same reads by hand", hosts="wolkvox", extra="") + "".join("""    - name: Read %s
      ansible.builtin.uri:
        url: "{{ wolkvox_server }}/api/v2/%s"
        headers:
          wolkvox-token: "{{ wolkvox_token }}"
      delegate_to: localhost
      register: %s
""" % (label, path, label) for label, path in reads))
        requests, changed = {}, {}

        def measured(name, playbook, extra=()):
            def call():
                sim.admin("/_sim/requests", method="DELETE")
                probe = ("import resource, subprocess, sys, time; t = time.monotonic(); "
                         "run = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
                         "print(run.returncode, time.monotonic() - t, "
                         "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(run.stdout)")
                command = [sys.executable, "-c", probe, "ansible-playbook", "-i", inventory, playbook,
                           "-f", str(forks)] + list(extra)
                out = subprocess.run(command, env=env, cwd=work, capture_output=True, text=True, check=True).stdout
                first, output = out.split("\n", 1)
                code, wall, rss = first.split()
                if code != "0":
                    raise SystemExit("ansible-playbook %s failed; run it by hand in %s to see why" % (playbook, work))
                log = sim.requests()
                requests[name] = {"reads": sum(1 for entry in log if entry["method"] == "GET"),
                                  "writes": sum(1 for entry in log if entry["method"] != "GET")}
                changed[name] = sum(int(line.split("changed=")[1].split()[0]) for line in output.splitlines()
                                    if " : ok=" in line)
                return float(wall), int(rss) / 1024.0
            return call

        results = alternate(rounds, [("provision", measured("provision", provision)),
                                     ("check", measured("check", provision, ["--check", "--diff"])),
                                     ("uri", measured("uri", uri))])
    finally:
        sim.stop()
    walls = dict((name, median(runs)) for name, runs in results.items())
    ratio = {"provision": walls["provision"] / walls["uri"], "check": walls["check"] / walls["uri"]}
    return {"rounds": results, "wall": walls, "ratio": ratio,
            "reads": len(reads) * operations, "requests": requests, "changed": changed,
            "operations": operations, "forks": forks, "latency": latency}


# -- 7. a whole operation as code ---------------------------------------------------------------------------------


def bench_operation(env, work, skills=10, per_skill=20, codes=60, numbers=20000, campaigns=8, latency=0.02):
    """Converge an empty operation (agents, skills with their agents, activity codes, do-not-call numbers per
    direction, campaigns) with the resource modules, then again; the request log of each run by api; and the peak
    memory of a do-not-call run against a uri task reading the same list."""
    op = dict(operation("whole", "bench-whole-token"), licenses=5)
    sim = SimulatorProcess(work, {"operations": [op]}, latency=latency)
    try:
        inventory = write(os.path.join(work, "local.ini"), "localhost ansible_connection=local "
                                                           "ansible_python_interpreter=%s\n" % sys.executable)
        agents = ['{dni: "%08d", name: "Agent %03d", password: "Bench#Pass%03d"}' % (i, i, i)
                  for i in range(skills * per_skill)]
        skill_items = ['{name: "Skill %02d", description: "bench", agents: [%s]}' % (
            k, ", ".join('{dni: "%08d", expertise: %d}' % (k * per_skill + i, 1 + i % 10) for i in range(per_skill)))
            for k in range(skills)]
        code_items = ['{group: %s, code: "C%03d", description: "Code %d", voice: true}'
                      % ("main" if i % 2 else "alternate", i, i) for i in range(codes)]
        campaign_items = ['{name: "Campaign %d", type: %s, skill: "Skill %02d", start_time: "08:00:00", '
                          'end_time: "18:00:00", status: stopped}' % (i, "predictive" if i % 2 else "preview", i % skills)
                          for i in range(campaigns)]
        numbers_file = write(os.path.join(work, "dnc.csv"), "phone,direction\n" + "".join(
            "57%010d,%s\n" % (i, direction) for direction in ("inbound", "outbound") for i in range(numbers)))
        defaults = ("  module_defaults:\n    group/wolkvox.wolkvox.wolkvox:\n      server: %s\n"
                    "      token: bench-whole-token\n" % sim.url)
        lists = "".join("    %s: [%s]\n" % (name, ", ".join(items)) for name, items in (
            ("agents", agents), ("skills", skill_items), ("codes", code_items), ("campaigns", campaign_items)))
        playbook = write(os.path.join(work, "whole.yml"), PLAY_HEADER.format(
            name="A whole operation", hosts="localhost", extra=defaults + "  vars:\n" + lists) + """    - name: Agents
      wolkvox.wolkvox.wolkvox_agents: {config: "{{ agents }}"}
    - name: Skills and their agents
      wolkvox.wolkvox.wolkvox_skills: {config: "{{ skills }}"}
    - name: Activity codes
      wolkvox.wolkvox.wolkvox_activity_codes: {config: "{{ codes }}"}
    - name: Do-not-call numbers
      wolkvox.wolkvox.wolkvox_dnc: {src: %s}
    - name: Campaigns
      wolkvox.wolkvox.wolkvox_campaigns: {config: "{{ campaigns }}"}
""" % numbers_file)
        dnc_only = write(os.path.join(work, "dnc_only.yml"), PLAY_HEADER.format(
            name="Do-not-call numbers", hosts="localhost", extra=defaults) + """    - name: Do-not-call numbers
      wolkvox.wolkvox.wolkvox_dnc: {src: %s}
""" % numbers_file)
        uri_dnc = write(os.path.join(work, "dnc_uri.yml"), PLAY_HEADER.format(
            name="Do-not-call numbers by hand", hosts="localhost", extra="") + """    - name: Read the numbers
      ansible.builtin.uri:
        url: %s/api/v2/information.php?api=get_dnc&type=all
        headers:
          wolkvox-token: bench-whole-token
      register: numbers
""" % sim.url)
        runs = {}
        for name in ("first", "second"):
            sim.admin("/_sim/requests", method="DELETE")
            wall, dummy = run_playbook(env, work, playbook, inventory)
            runs[name] = {"wall": wall, "apis": [entry["api"] for entry in sim.requests()]}
        dnc_rss = run_playbook(env, work, dnc_only, inventory)[1]
        uri_rss = run_playbook(env, work, uri_dnc, inventory)[1]
    finally:
        sim.stop()
    return {"runs": runs, "dnc_rss": dnc_rss, "uri_rss": uri_rss, "skills": skills, "per_skill": per_skill,
            "codes": codes, "numbers": numbers, "campaigns": campaigns}


# -- 5. controllers that share a token but not a limiter ----------------------------------------------------------


def bench_controllers(env, work, controllers=3, hosts=20, latency=0.05):
    """Separate AWX jobs or containers: each run has its own home and temporary directory, so its own limiter."""
    sim = SimulatorProcess(work, {"operations": [operation("shared", "bench-shared-token")]}, latency=latency)
    runs = []
    try:
        for index in range(controllers):
            home = tempfile.mkdtemp(prefix="wv-c%d-" % index)  # short: ansible-core puts a unix socket there
            inventory = write(os.path.join(home, "inventory.yml"), "shared:\n  hosts:\n" + "".join(
                "    c%d_%02d:\n" % (index, i) for i in range(hosts)) + "  vars:\n    ansible_python_interpreter: %s\n"
                % sys.executable)
            playbook = write(os.path.join(home, "play.yml"), PLAY_HEADER.format(
                name="One controller of three", hosts="shared", extra="") + """    - name: Read the budget
      wolkvox.wolkvox.wolkvox_token_info:
        server: %s
        token: bench-shared-token
      delegate_to: localhost
      ignore_errors: true
""" % sim.url)
            own = dict(env, HOME=home, TMPDIR=home, ANSIBLE_LOCAL_TEMP=os.path.join(home, "tmp"))
            own.pop("XDG_RUNTIME_DIR", None)
            runs.append(subprocess.Popen(["ansible-playbook", "-i", inventory, playbook, "-f", str(hosts)], env=own,
                                         cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        outputs = [run.communicate()[0] for run in runs]
        log = sim.requests()
    finally:
        sim.stop()
        for run in runs:
            shutil.rmtree(run.args[2].rsplit("/", 1)[0], ignore_errors=True)
    failed = sum(int(line.split("failed=")[1].split()[0]) + int(line.split("ignored=")[1].split()[0])
                 for output in outputs for line in output.splitlines() if "failed=" in line and "ignored=" in line)
    refused = sum(1 for entry in log if entry["outcome"] == "concurrency")
    return {"controllers": controllers, "hosts": hosts, "reads": controllers * hosts, "calls": len(log),
            "refused": refused, "failed": failed, "latency": latency}


def bench_slices(env, work, slices=3, operations=30, tokens=5, forks=20, latency=0.05):
    """A sliced AWX audit job: ``slices`` runs of wolkvox.wolkvox.audit at once, each on its part of the hosts
    (hosts[k::slices], as AWX slices an inventory) with its own home and temporary directory (so its own limiter), on a
    fleet where ``operations`` hosts share ``tokens`` tokens, each token used by hosts of every slice."""
    ops = [operation("shared%02d" % i, "bench-slice-token-%02d" % i, points=3) for i in range(tokens)]
    sim = SimulatorProcess(work, {"operations": ops}, latency=latency)
    hosts = ["op%02d" % i for i in range(operations)]
    runs = []
    try:
        for index in range(slices):
            home = tempfile.mkdtemp(prefix="wv-s%d-" % index)  # short: ansible-core puts a unix socket there
            inventory = write(os.path.join(home, "inventory.yml"), "wolkvox:\n  hosts:\n" + "".join(
                "    %s:\n      wolkvox_token: bench-slice-token-%02d\n" % (name, hosts.index(name) % tokens)
                for name in hosts[index::slices])
                + "  vars:\n    wolkvox_server: %s\n    wolkvox_audit_report_dir: %s\n    ansible_python_interpreter: %s\n"
                % (sim.url, os.path.join(home, "reports"), sys.executable))
            own = dict(env, HOME=home, TMPDIR=home, ANSIBLE_LOCAL_TEMP=os.path.join(home, "tmp"))
            own.pop("XDG_RUNTIME_DIR", None)
            runs.append((home, subprocess.Popen(
                ["ansible-playbook", "-i", inventory, "wolkvox.wolkvox.audit", "-f", str(forks)], env=own, cwd=home,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        outputs = [run.communicate()[0] for dummy, run in runs]
        codes = [run.returncode for dummy, run in runs]
        log = sim.requests()
    finally:
        sim.stop()
        for home, dummy in runs:
            shutil.rmtree(home, ignore_errors=True)
    failed = sum(int(line.split("failed=")[1].split()[0]) + int(line.split("ignored=")[1].split()[0])
                 for output in outputs for line in output.splitlines() if "failed=" in line and "ignored=" in line)
    refused = sum(1 for entry in log if entry["outcome"] == "concurrency")
    return {"slices": slices, "operations": operations, "tokens": tokens, "reads": 2 * operations, "calls": len(log),
            "refused": refused, "failed": failed, "exit_codes": codes, "latency": latency}


# -- the report ---------------------------------------------------------------------------------------------------


def versions(env):
    core = subprocess.run(["ansible-playbook", "--version"], env=env, capture_output=True, text=True,
                          check=True).stdout.splitlines()[0]
    return core, platform.python_version()


def row(name, collection, uri, target, unit="s"):
    """A table row, and whether the ratio meets its target."""
    ratio = collection / uri
    verdict = "met" if ratio <= target else "NOT met"
    return ("| %s | %.2f %s | %.2f %s | %.2f | <= %.2f: %s |"
            % (name, collection, unit, uri, unit, ratio, target, verdict)), ratio <= target


def section_per_task(args, result):
    per_task, calls = result
    table, ok = row("1. 50 `wolkvox_token_info` tasks vs 50 `uri` tasks", median(per_task["collection"]),
                    median(per_task["uri"]), 0.25)
    note = ("- 1: the same 50 tasks with the module shipped (`wolkvox_fast_path=false`): %.2f s; 50 `debug` tasks, the "
            "floor of any task: %.2f s. The simulator counted %d requests for the %d runs of 50 API tasks: one per task."
            % (median(per_task["module path"]), median(per_task["debug"]), calls, 3 * args.rounds))
    return [table], [note], ok


def section_fleet(args, result):
    fleet, calls = result
    table, ok = row("2. audit of 200 operations (`wolkvox.wolkvox.audit`), forks 20, 50 ms latency",
                    median(fleet["collection"]), median(fleet["uri"]), 0.15)
    ok = ok and calls.get("collection") == 2.0
    note = ("- 2: API calls per operation: %.2f by the audit role (target exactly 2), %.2f by the uri playbook. The "
            "`debug` floor (one task per host and twelve once for the play, the audit's task count): %.2f s."
            % (calls.get("collection", 0), calls.get("uri", 0), median(fleet["debug floor"])))
    return [table], [note], ok


def section_fleet_1000(args, result):
    results, calls = result
    wall = median(results["collection"])
    ok = wall <= 30.0 and calls.get("collection") == 2.0
    note = ("- 2b: audit of 1,000 operations (`wolkvox.wolkvox.audit`), forks 20, 50 ms latency, 3 routing points "
            "each: %.2f s (target <= 30 s); %.2f API calls per operation (target exactly 2): %s. The `debug` floor of "
            "its task count (one per host, twelve once for the play): %.2f s."
            % (wall, calls.get("collection", 0), "met" if ok else "NOT met", median(results["debug floor"])))
    return [], [note], ok


def section_big(args, big):
    wall, wall_ok = row("3. 60,000 routing points, wall time", median(big["collection"]), median(big["uri"]), 1.0)
    memory, memory_ok = row("3. 60,000 routing points, peak memory", median(big["collection"], 1),
                            median(big["uri"], 1), 1.0, "MiB")
    note = "- 3: peak memory is the largest process of the run (the controller or a worker), as the kernel counts it."
    return [wall, memory], [note], wall_ok and memory_ok


def section_limiter(args, limiter):
    ok = limiter["refused"] == 0
    note = ("- 4: %d hosts sharing one token, forks %d, %.0f ms latency: %d requests, %d refused for concurrency "
            "(target 0: %s); %.2f s for the whole run against a floor of %.2f s (requests / 2 x latency)."
            % (limiter["hosts"], limiter["forks"], limiter["latency"] * 1000, limiter["calls"], limiter["refused"],
               "met" if ok else "NOT met", limiter["wall"], limiter["floor"]))
    return [], [note], ok


def section_controllers(args, controllers):
    ok = controllers["failed"] == 0 and controllers["calls"] <= 1.5 * controllers["reads"]
    note = ("- 5: %d controllers at once, each with its own home and temporary directory (so its own limiter), %d "
            "hosts each on one shared token, %.0f ms latency: %d failed tasks, %d requests for %d reads (%.2fx; %d "
            "refused for concurrency; target: 0 failed, <= 1.5x: %s)."
            % (controllers["controllers"], controllers["hosts"], controllers["latency"] * 1000, controllers["failed"],
               controllers["calls"], controllers["reads"], controllers["calls"] / float(controllers["reads"]),
               controllers["refused"], "met" if ok else "NOT met"))
    return [], [note], ok


def section_slices(args, sliced):
    ok = (sliced["failed"] == 0 and sliced["exit_codes"] == [0] * sliced["slices"]
          and sliced["calls"] <= 1.5 * sliced["reads"])
    note = ("- 5b: a sliced audit job: %d slices at once (`wolkvox.wolkvox.audit` on hosts[k::%d], each with its own "
            "home and temporary directory), %d operations on %d tokens, each token used by every slice, %.0f ms "
            "latency: %d failed tasks, exit codes %s, %d requests for %d reads (%.2fx; %d refused for concurrency; "
            "target: 0 failed, <= 1.5x: %s)."
            % (sliced["slices"], sliced["slices"], sliced["operations"], sliced["tokens"], sliced["latency"] * 1000,
               sliced["failed"], "/".join(str(code) for code in sliced["exit_codes"]), sliced["calls"],
               sliced["reads"], sliced["calls"] / float(sliced["reads"]), sliced["refused"], "met" if ok else "NOT met"))
    return [], [note], ok


def section_agents(args, result):
    agents, calls = result
    ratio = median(agents["collection"]) / median(agents["uri"])
    first, again = calls["collection"], calls["collection again"]
    ok = ratio <= 0.2 and first.count("agents") == 1 and first.count("create_agent") == 200 and again == ["agents"]
    note = ("- 6: 200 agents on an empty operation with `wolkvox_agents` (one task), 50 ms latency: %.2f s against "
            "%.2f s for the `uri` loop a user writes (one read, then one task iteration per agent): ratio %.2f (target "
            "<= 0.20). API calls: %d read(s) + %d writes, then %d read(s) and %d writes on the second run (target 1 + "
            "200, then 1 + 0): %s."
            % (median(agents["collection"]), median(agents["uri"]), ratio, first.count("agents"),
               len(first) - first.count("agents"), again.count("agents"), len(again) - again.count("agents"),
               "met" if ok else "NOT met"))
    return [], [note], ok


def section_whole(args, whole):
    first = collections.Counter(whole["runs"]["first"]["apis"])
    second = collections.Counter(whole["runs"]["second"]["apis"])
    reads = ("agents", "skills", "agents_in_skill", "activity_codes", "get_dnc", "campaigns")
    second_writes = sum(count for api, count in second.items() if api not in reads)
    # one read per resource and one per managed skill, plus the two reads that resolve names: the skills task
    # reads the agents (members are given by dni), the campaigns task the skills (given by name)
    expected_reads = {"agents": 2, "skills": 2, "agents_in_skill": whole["skills"], "activity_codes": 1, "get_dnc": 1,
                      "campaigns": 1}
    dnc_writes = -(-whole["numbers"] // 10000) * 2
    memory_ratio = whole["dnc_rss"] / whole["uri_rss"]
    ok = (second_writes == 0 and dict(second) == expected_reads and first["add_dnc"] == dnc_writes
          and memory_ratio <= 1.2)
    note = ("- 7: a whole operation as code from empty (%d agents; %d skills x %d agents; %d activity codes; %d "
            "do-not-call numbers per direction from a CSV file; %d campaigns), 20 ms latency: %.2f s, %d requests "
            "(%d add_dnc: %d per direction); again: %.2f s, %d reads (%s) and %d writes (target: the reads, 0 writes, "
            "ceil(numbers / 10,000) add_dnc per direction). Peak memory of the do-not-call run %.1f MiB against "
            "%.1f MiB for a `uri` task reading the same list: %.2f (target <= 1.20). %s."
            % (whole["skills"] * whole["per_skill"], whole["skills"], whole["per_skill"], whole["codes"],
               whole["numbers"], whole["campaigns"], whole["runs"]["first"]["wall"], sum(first.values()),
               first["add_dnc"], first["add_dnc"] // 2, whole["runs"]["second"]["wall"], sum(second.values()),
               ", ".join("%s %d" % item for item in sorted(second.items())), second_writes, whole["dnc_rss"],
               whole["uri_rss"], memory_ratio, "Met" if ok else "NOT met"))
    return [], [note], ok


def section_provision(args, result):
    tables = []
    fast = calls = True
    for run, label in (("provision", "a second run, no drift"), ("check", "the drift run, `--check --diff`")):
        table, met = row("8. provision of 30 operations as code (`wolkvox.wolkvox.provision`), %s" % label,
                         result["wall"][run], result["wall"]["uri"], 0.25)
        tables.append(table)
        fast = fast and met
        calls = calls and result["requests"][run] == {"reads": result["reads"], "writes": 0}
        calls = calls and result["changed"][run] == 0
    note = ("- 8: %d operations, each holding and declaring 50 agents, 5 skills of 10 agents, 20 activity codes, "
            "1,000 do-not-call numbers and 3 campaigns; forks %d. The `uri` playbook sends the same %d reads (12 per "
            "operation). Requests of the last round: provision %d reads and %d writes, check mode %d reads and %d "
            "writes; changed=%d and %d (target: the reads, 0 writes, changed=0: %s)."
            % (result["operations"], result["forks"], result["reads"], result["requests"]["provision"]["reads"],
               result["requests"]["provision"]["writes"], result["requests"]["check"]["reads"],
               result["requests"]["check"]["writes"], result["changed"]["provision"], result["changed"]["check"],
               "met" if calls else "NOT met"))
    return tables, [note], fast and calls


# name: (the benchmark, its section of the report), in the order of the report
SCENARIOS = collections.OrderedDict([
    ("per_task", (lambda env, work, args: bench_per_task(env, work, args.rounds), section_per_task)),
    ("fleet", (lambda env, work, args: bench_fleet(env, work, args.rounds), section_fleet)),
    ("fleet_1000", (lambda env, work, args: bench_fleet_1000(env, work, args.rounds), section_fleet_1000)),
    ("big", (lambda env, work, args: bench_big_answer(env, work, args.rounds), section_big)),
    ("limiter", (lambda env, work, args: bench_limiter(env, work), section_limiter)),
    ("controllers", (lambda env, work, args: bench_controllers(env, work), section_controllers)),
    ("slices", (lambda env, work, args: bench_slices(env, work), section_slices)),
    ("agents", (lambda env, work, args: bench_agents(env, work, args.rounds), section_agents)),
    ("whole", (lambda env, work, args: bench_operation(env, work), section_whole)),
    ("provision", (lambda env, work, args: bench_provision(env, work, args.rounds), section_provision)),
])


def report(args, results, env):
    """The report of the scenarios run, written to args.out when given; its text and whether every target is met."""
    core, python = versions(env)
    tables, notes, met = [], [], True
    for name, (dummy, section) in SCENARIOS.items():
        if name in results:
            rows, lines, ok = section(args, results[name])
            tables += rows
            notes += lines
            met = met and ok
    lines = [
        "# Benchmarks",
        "",
        "Measured %s on %s (%d cores), %s, Python %s, against the wolkvox simulator on loopback. Medians of %d "
        "alternating runs of whole `ansible-playbook` invocations. `make bench` writes this file."
        % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), platform.platform(), os.cpu_count(), core, python,
           args.rounds),
        "",
        "| benchmark | collection | uri | ratio | target |",
        "|---|---|---|---|---|",
    ] + tables + [""] + notes
    text = "\n".join(lines) + "\n"
    if args.out:
        write(args.out, text)
    return text, met


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", required=True, help="directory holding ansible_collections/wolkvox/wolkvox")
    parser.add_argument("--out", help="where the report goes (default: bench/results.md when every scenario runs)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="run only these scenarios, comma-separated (%s); the report is printed, and "
                        "written only to --out" % ", ".join(SCENARIOS))
    args = parser.parse_args()
    chosen = list(SCENARIOS)
    if args.only:
        chosen = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(chosen) - set(SCENARIOS))
        if unknown:
            parser.error("unknown scenario(s) %s; choose from %s" % (", ".join(unknown), ", ".join(SCENARIOS)))
    elif not args.out:
        args.out = os.path.join(ROOT, "bench", "results.md")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections), ANSIBLE_FORKS="5",
               ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_RETRY_FILES_ENABLED="false")
    results = {}
    with tempfile.TemporaryDirectory(prefix="wolkvox-bench-") as work:
        for index, name in enumerate(chosen):
            print("%d/%d %s ..." % (index + 1, len(chosen), name), flush=True)
            results[name] = SCENARIOS[name][0](env, work, args)
    text, met = report(args, results, env)
    print(text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
