# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A sliced audit job, run as AWX runs one, and the merge that makes its slices one fleet report.

AWX job slicing gives each slice a job of its own, possibly on another execution node: an inventory that holds only
its part of the hosts (hosts[k::N]), a private data directory, an artifact directory, and an execution environment
with its own disk (so its own home and temporary directory). Each job runs with ansible-runner, the engine AWX runs
jobs with, and its extra variables are written as AWX writes them (strings marked !unsafe). The slices publish their
records as job artifacts (set_stats); AWX hands the artifacts of the slices to the workflow's next node as extra
variables, merged key by key: here that node is wolkvox.wolkvox.audit_merge.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml

SLICES = 3
NAMES = ["op%02d" % index for index in range(9)]
TOKENS = {name: "slice-%s-%s" % (name, "7c1e9a05b3d2"[index:] + "x" * index) for index, name in enumerate(NAMES)}
CRITICAL = "op04"  # its token used 990 of its 1000 uses: critical, which wolkvox_audit_fail_on: critical fails
WORKFLOW_JOB_ID = 77
HOMES = []


class Unsafe(str):
    """A string AWX writes with the !unsafe tag."""


class AWXDumper(yaml.SafeDumper):
    pass


AWXDumper.add_representer(Unsafe, lambda dumper, value: dumper.represent_scalar("!unsafe", str(value)))


def unsafe(value):
    if isinstance(value, str):
        return Unsafe(value)
    if isinstance(value, dict):
        return {key: unsafe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unsafe(item) for item in value]
    return value


def fleet():
    point = {"rp_id": "1", "rp_name": "Main", "ivr_active": "yes", "chat_active": "yes", "interaction_active": "yes",
             "crm_active": "no", "last_use_days_ago": 1}
    return {"operations": [{"name": name, "licenses": 1, "routing_points": [point],
                            "tokens": [{"name": name, "token": TOKENS[name], "used_today": 990 if name == CRITICAL else 0}]}
                           for name in NAMES]}


def inventory(names, url):
    return {"wolkvox": {"hosts": {name: {"wolkvox_token": TOKENS[name]} for name in names},
                        "vars": {"wolkvox_server": url, "wolkvox_retries": 0}}}


class Job:
    """One AWX job run by ansible-runner in a process of its own, as an AWX execution node runs it."""

    def __init__(self, tmp_path, name, playbook, hosts_inventory, extra_vars, job_id):
        private = tmp_path / name
        for directory in ("inventory", "env", "project"):
            (private / directory).mkdir(parents=True)
        (private / "inventory" / "hosts.yml").write_text(yaml.safe_dump(hosts_inventory))
        workflow = WORKFLOW_JOB_ID if name.startswith("slice") else WORKFLOW_JOB_ID + 1
        variables = dict(extra_vars, awx_job_id=job_id, awx_workflow_job_id=workflow)
        (private / "env" / "extravars").write_text(yaml.dump(unsafe(variables), Dumper=AWXDumper))
        # its own home and temporary directory, as its own execution environment has (short: ansible-core puts a unix
        # socket in the temporary directory)
        home = tempfile.mkdtemp(prefix="wv-%s-" % name[:8])
        HOMES.append(home)
        os.mkdir(os.path.join(home, "tmp"))
        envvars = {"HOME": home, "TMPDIR": os.path.join(home, "tmp"), "ANSIBLE_LOCAL_TEMP": os.path.join(home, "tmp"),
                   "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH", ""),
                   "ANSIBLE_FORCE_COLOR": "false"}
        (private / "env" / "envvars").write_text(yaml.safe_dump(envvars))
        self.artifacts = tmp_path / (name + "-artifacts") / str(job_id)
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "ansible_runner", "run", str(private), "-p", playbook, "--ident", str(job_id),
             "--artifact-dir", str(tmp_path / (name + "-artifacts")), "-q"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(self):
        self.process.wait(timeout=600)
        return self

    @property
    def status(self):
        return (self.artifacts / "status").read_text().strip()

    @property
    def rc(self):
        return int((self.artifacts / "rc").read_text().strip())

    @property
    def stdout(self):
        return (self.artifacts / "stdout").read_text(errors="replace")

    @property
    def events(self):
        return [json.loads(path.read_text()) for path in sorted((self.artifacts / "job_events").glob("*.json"))]


def artifacts(runner):
    """The job's artifacts as AWX reads them: the artifact_data of its playbook_on_stats event."""
    stats = [event for event in runner.events if event.get("event") == "playbook_on_stats"]
    return stats[-1]["event_data"].get("artifact_data") or {}


def run_slices(tmp_path, url):
    settings = {"wolkvox_audit_publish_records": True, "wolkvox_audit_fail_on": "critical"}
    jobs = []
    for index in range(SLICES):
        names = NAMES[index::SLICES]  # AWX's slices: every N-th host
        settings_k = dict(settings, wolkvox_audit_report_dir=str(tmp_path / ("slice%d-disk" % index) / "reports"))
        # the slices run at once, as on several nodes
        jobs.append(Job(tmp_path, "slice%d" % index, "wolkvox.wolkvox.audit", inventory(names, url), settings_k,
                        100 + index))
    return [job.wait() for job in jobs]


def merge_job(tmp_path, url, name, upstream, job_id=200, **extra):
    extra_vars = dict(upstream, wolkvox_audit_report_dir=str(tmp_path / (name + "-disk") / "reports"), **extra)
    runner = Job(tmp_path, name, "wolkvox.wolkvox.audit_merge", inventory(NAMES, url), extra_vars, job_id).wait()
    return runner, tmp_path / (name + "-disk") / "reports"


@pytest.fixture
def sliced(tmp_path, simulator):
    sim = simulator(fleet())
    runners = run_slices(tmp_path, sim.url)
    yield sim, runners
    while HOMES:
        shutil.rmtree(HOMES.pop(), ignore_errors=True)


def test_a_sliced_audit_merges_into_one_fleet_report_from_the_slices_artifacts(tmp_path, sliced):
    sim, runners = sliced
    # each slice audited its own hosts, with two calls each; the slice with a critical operation failed it
    assert [runner.status for runner in runners] == ["successful", "failed", "successful"]
    assert [runner.rc for runner in runners] == [0, 2, 0]
    requests = sim.requests()
    assert len(requests) == 2 * len(NAMES)
    slice_reports = []
    for index in range(SLICES):
        path = tmp_path / ("slice%d-disk" % index) / "reports" / ("wolkvox-audit-job%d.json" % (100 + index))
        report = json.loads(path.read_text())
        assert [op["operation"] for op in report["operations"]] == NAMES[index::SLICES]
        assert (report["partial"], report["awx_job_id"], report["awx_workflow_job_id"]) == (
            False, 100 + index, WORKFLOW_JOB_ID)
        slice_reports.append(report)
    # AWX merges the artifacts of the workflow's jobs key by key: each slice's records under a key of its own
    upstream = {}
    for runner in runners:
        upstream.update(artifacts(runner))
    assert sorted(key for key in upstream if key.startswith("wolkvox_audit_slice_")) == [
        "wolkvox_audit_slice_100", "wolkvox_audit_slice_101", "wolkvox_audit_slice_102"]
    assert "wolkvox_audit" in upstream  # the summary of the last slice only: merged key by key
    runner, reports = merge_job(tmp_path, sim.url, "merge", upstream)
    assert runner.status == "failed" and runner.rc == 2  # op04 fails the merged run too, after the reports
    merged = json.loads((reports / "wolkvox-audit-job200.json").read_text())
    assert [op["operation"] for op in merged["operations"]] == NAMES
    assert {op["operation"]: op["status"] for op in merged["operations"]} == {
        name: "critical" if name == CRITICAL else "ok" for name in NAMES}
    assert merged["summary"]["api_calls"] == len(requests) == 18
    assert (merged["partial"], merged["missing_operations"], merged["failing"]) == (False, 0, [CRITICAL])
    assert [item["run_id"] for item in merged["merged_from"]] == [report["run_id"] for report in slice_reports]
    assert merged["run_id"] not in [report["run_id"] for report in slice_reports]
    for extension in ("md", "junit.xml", "html"):
        text = (reports / ("wolkvox-audit-job200." + extension)).read_text()
        assert merged["run_id"] in text and "op08" in text, extension
    assert "Merged from 3 reports" in (reports / "wolkvox-audit-job200.md").read_text()
    stdout = runner.stdout
    assert "1 of 9 operations fail under wolkvox_audit_fail_on (critical): op04" in stdout
    assert len(sim.requests()) == 18  # the merge sends no API call
    # nothing secret in any job's events or artifacts
    for directory in [tmp_path / ("slice%d-artifacts" % index) for index in range(SLICES)] + [tmp_path / "merge-artifacts"]:
        for root, dummy, files in os.walk(directory):
            for name in files:
                text = open(os.path.join(root, name), encoding="utf-8", errors="replace").read()
                assert not any(token in text for token in TOKENS.values()), os.path.join(root, name)


def test_the_merge_reads_the_slices_report_files_and_names_a_slice_that_did_not_report(tmp_path, sliced):
    sim, runners = sliced
    files = [str(tmp_path / ("slice%d-disk" % index) / "reports" / "wolkvox-audit-job*.json") for index in (0, 2)]
    runner, reports = merge_job(tmp_path, sim.url, "merge-files", {}, wolkvox_audit_merge_reports=files,
                                wolkvox_audit_fail_on="never")
    assert runner.status == "successful", runner.stdout[-3000:]
    merged = json.loads((reports / "wolkvox-audit-job200-partial.json").read_text())
    reported = NAMES[0::3] + NAMES[2::3]
    assert [op["operation"] for op in merged["operations"]] == [name for name in NAMES if name in reported]
    assert (merged["partial"], merged["missing"]) == (True, NAMES[1::3])
    assert merged["partial_reasons"] == [
        "3 operations of the fleet (inventory group wolkvox) are in none of the 2 merged reports: op01, op04, op07"]
    assert "PARTIAL REPORT: 3 operations of the fleet" in runner.stdout


def test_the_merge_refuses_reports_of_different_sliced_jobs(tmp_path, sliced):
    sim, runners = sliced
    upstream = {}
    for runner in runners:
        upstream.update(artifacts(runner))
    upstream["wolkvox_audit_slice_101"]["awx_workflow_job_id"] = 5  # a slice of another run
    runner, reports = merge_job(tmp_path, sim.url, "merge-mixed", upstream)
    assert runner.status == "failed"
    assert "the reports come from different AWX workflow jobs (5, 77)" in runner.stdout
    assert not reports.exists()
