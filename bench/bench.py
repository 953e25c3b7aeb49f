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


def bench_fleet(env, work, rounds, operations=200, forks=20, latency=0.05):
    ops = [operation("op%03d" % i, "bench-token-%03d" % i, points=3) for i in range(operations)]
    sim = SimulatorProcess(work, {"operations": ops}, latency=latency)
    try:
        inventory = write(os.path.join(work, "fleet.yml"), "fleet:\n  hosts:\n" + "".join(
            "    op%03d:\n      wolkvox_token: bench-token-%03d\n" % (i, i) for i in range(operations))
            + "  vars:\n    wolkvox_server: %s\n    wolkvox_audit_report_dir: %s\n"
              "    ansible_python_interpreter: %s\n" % (sim.url, os.path.join(work, "reports"), sys.executable))
        audit = write(os.path.join(work, "audit.yml"), PLAY_HEADER.format(
            name="Audit", hosts="fleet", extra="").replace("  tasks:\n", "  roles:\n    - role: wolkvox.wolkvox.audit\n"))
        uri = write(os.path.join(work, "uri_audit.yml"), PLAY_HEADER.format(name="Audit by hand", hosts="fleet", extra="")
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
        calls = {}

        def measured(name, playbook):
            def call():
                sim.reset()
                outcome = run_playbook(env, work, playbook, inventory, ["-f", str(forks)])
                calls[name] = len(sim.requests())
                return outcome
            return call

        results = alternate(rounds, [("collection", measured("collection", audit)), ("uri", measured("uri", uri))])
    finally:
        sim.stop()
    return results, {name: count / float(operations) for name, count in calls.items()}


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


# -- the report ---------------------------------------------------------------------------------------------------


def versions(env):
    core = subprocess.run(["ansible-playbook", "--version"], env=env, capture_output=True, text=True,
                          check=True).stdout.splitlines()[0]
    return core, platform.python_version()


def report(args, per_task, per_task_calls, fleet, fleet_calls, big, limiter, controllers, agents, agents_calls, whole,
           env):
    core, python = versions(env)
    lines = []
    out = lines.append

    def row(name, collection, uri, target, unit="s"):
        ratio = collection / uri
        verdict = "met" if ratio <= target else "NOT met"
        out("| %s | %.2f %s | %.2f %s | %.2f | <= %.2f: %s |" % (name, collection, unit, uri, unit, ratio, target, verdict))
        return ratio <= target

    out("# Benchmarks")
    out("")
    out("Measured %s on %s (%d cores), %s, Python %s, against the wolkvox simulator on loopback. Medians of %d "
        "alternating runs of whole `ansible-playbook` invocations. `make bench` writes this file."
        % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), platform.platform(), os.cpu_count(), core, python,
           args.rounds))
    out("")
    out("| benchmark | collection | uri | ratio | target |")
    out("|---|---|---|---|---|")
    met = [
        row("1. 50 `wolkvox_token_info` tasks vs 50 `uri` tasks", median(per_task["collection"]),
            median(per_task["uri"]), 0.25),
        row("2. audit of 200 operations, forks 20, 50 ms latency", median(fleet["collection"]), median(fleet["uri"]), 0.5),
        row("3. 60,000 routing points, wall time", median(big["collection"]), median(big["uri"]), 1.0),
        row("3. 60,000 routing points, peak memory", median(big["collection"], 1), median(big["uri"], 1), 1.0, "MiB"),
    ]
    out("")
    out("- 1: the same 50 tasks with the module shipped (`wolkvox_fast_path=false`): %.2f s; 50 `debug` tasks, the "
        "floor of any task: %.2f s. The simulator counted %d requests for the %d runs of 50 API tasks: one per task."
        % (median(per_task["module path"]), median(per_task["debug"]), per_task_calls, 3 * args.rounds))
    out("- 2: API calls per operation: %.2f by the audit role (the floor is 2), %.2f by the uri playbook."
        % (fleet_calls.get("collection", 0), fleet_calls.get("uri", 0)))
    out("- 3: peak memory is the largest process of the run (the controller or a worker), as the kernel counts it.")
    limiter_ok = limiter["refused"] == 0
    out("- 4: %d hosts sharing one token, forks %d, %.0f ms latency: %d requests, %d refused for concurrency "
        "(target 0: %s); %.2f s for the whole run against a floor of %.2f s (requests / 2 x latency)."
        % (limiter["hosts"], limiter["forks"], limiter["latency"] * 1000, limiter["calls"], limiter["refused"],
           "met" if limiter_ok else "NOT met", limiter["wall"], limiter["floor"]))
    agents_ratio = median(agents["collection"]) / median(agents["uri"])
    first, again = agents_calls["collection"], agents_calls["collection again"]
    agents_ok = (agents_ratio <= 0.2 and first.count("agents") == 1 and first.count("create_agent") == 200
                 and again == ["agents"])
    out("- 6: 200 agents on an empty operation with `wolkvox_agents` (one task), 50 ms latency: %.2f s against "
        "%.2f s for the `uri` loop a user writes (one read, then one task iteration per agent): ratio %.2f (target "
        "<= 0.20). API calls: %d read(s) + %d writes, then %d read(s) and %d writes on the second run (target 1 + 200, "
        "then 1 + 0): %s."
        % (median(agents["collection"]), median(agents["uri"]), agents_ratio, first.count("agents"),
           len(first) - first.count("agents"), again.count("agents"), len(again) - again.count("agents"),
           "met" if agents_ok else "NOT met"))
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
    whole_ok = (second_writes == 0 and dict(second) == expected_reads and first["add_dnc"] == dnc_writes
                and memory_ratio <= 1.2)
    out("- 7: a whole operation as code from empty (%d agents; %d skills x %d agents; %d activity codes; %d "
        "do-not-call numbers per direction from a CSV file; %d campaigns), 20 ms latency: %.2f s, %d requests "
        "(%d add_dnc: %d per direction); again: %.2f s, %d reads (%s) and %d writes (target: the reads, 0 writes, "
        "ceil(numbers / 10,000) add_dnc per direction). Peak memory of the do-not-call run %.1f MiB against "
        "%.1f MiB for a `uri` task reading the same list: %.2f (target <= 1.20). %s."
        % (whole["skills"] * whole["per_skill"], whole["skills"], whole["per_skill"], whole["codes"], whole["numbers"],
           whole["campaigns"], whole["runs"]["first"]["wall"], sum(first.values()), first["add_dnc"],
           first["add_dnc"] // 2, whole["runs"]["second"]["wall"], sum(second.values()),
           ", ".join("%s %d" % item for item in sorted(second.items())), second_writes, whole["dnc_rss"],
           whole["uri_rss"], memory_ratio, "Met" if whole_ok else "NOT met"))
    controllers_ok = controllers["failed"] == 0 and controllers["calls"] <= 1.5 * controllers["reads"]
    out("- 5: %d controllers at once, each with its own home and temporary directory (so its own limiter), %d hosts "
        "each on one shared token, %.0f ms latency: %d failed tasks, %d requests for %d reads (%.2fx; %d refused for "
        "concurrency; target: 0 failed, <= 1.5x: %s)."
        % (controllers["controllers"], controllers["hosts"], controllers["latency"] * 1000, controllers["failed"],
           controllers["calls"], controllers["reads"], controllers["calls"] / float(controllers["reads"]),
           controllers["refused"], "met" if controllers_ok else "NOT met"))
    text = "\n".join(lines) + "\n"
    write(args.out, text)
    return text, all(met) and limiter_ok and controllers_ok and agents_ok and whole_ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", required=True, help="directory holding ansible_collections/wolkvox/wolkvox")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results.md"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections), ANSIBLE_FORKS="5",
               ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_RETRY_FILES_ENABLED="false")
    with tempfile.TemporaryDirectory(prefix="wolkvox-bench-") as work:
        print("1/7 per-task cost ...", flush=True)
        per_task, per_task_calls = bench_per_task(env, work, args.rounds)
        print("2/7 fleet audit ...", flush=True)
        fleet, fleet_calls = bench_fleet(env, work, args.rounds)
        print("3/7 60,000 routing points ...", flush=True)
        big = bench_big_answer(env, work, args.rounds)
        print("4/7 per-token limiter ...", flush=True)
        limiter = bench_limiter(env, work)
        print("5/7 three controllers on one token ...", flush=True)
        controllers = bench_controllers(env, work)
        print("6/7 200 agents as code ...", flush=True)
        agents, agents_calls = bench_agents(env, work, args.rounds)
        print("7/7 a whole operation as code ...", flush=True)
        whole = bench_operation(env, work)
    text, met = report(args, per_task, per_task_calls, fleet, fleet_calls, big, limiter, controllers, agents,
                       agents_calls, whole, env)
    print(text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
