# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's four reports, read the way their consumers read them.

`make system` runs this with the collection on ANSIBLE_COLLECTIONS_PATH: it audits the demo fleet with
`ansible-playbook wolkvox.wolkvox.audit` against the simulator, then parses the JUnit XML with junitparser,
opens the HTML page in headless Chromium (a screenshot goes to tests/output/reports/) and checks the rest.
"""

import json
import os
import shutil
import subprocess

import pytest
from junitparser import Error, Failure, JUnitXml
from PIL import Image

from conftest import ROOT, Simulator, playbook

FIXTURE = os.path.join(ROOT, "simulator", "fixtures", "demo.json")
INVENTORY = os.path.join(ROOT, "demo", "inventory.yml")
OUTPUT = os.path.join(ROOT, "tests", "output", "reports")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
COLORS = {"ok": (0x1A, 0x7F, 0x37), "warning": (0xB5, 0x81, 0x00), "critical": (0xC6, 0x28, 0x28)}

with open(FIXTURE, encoding="utf-8") as _handle:
    TOKENS = [token["token"] for op in json.load(_handle)["operations"] for token in op["tokens"]]


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    """Run the audit once; yield (report directory, simulator request log, playbook output)."""
    work = tmp_path_factory.mktemp("audit")
    with open(FIXTURE, encoding="utf-8") as handle:
        sim = Simulator(work, json.load(handle))
    try:
        code, output = playbook(work, ["wolkvox.wolkvox.audit", "-i", INVENTORY, "-vvvv"],
                                {"WOLKVOX_SERVER": sim.url, "WOLKVOX_DEMO_REPORTS": str(work / "reports")})
        assert code == 0, output[-5000:]
        log = sim.requests()
    finally:
        sim.stop()
    yield work / "reports", log, output


def test_the_json_report_lists_every_operation_and_counts_what_was_spent(audit):
    reports, log, output = audit
    report = json.loads((reports / "wolkvox-audit.json").read_text())
    statuses = {op["operation"]: op["status"] for op in report["operations"]}
    assert statuses == {"bogota-retail": "ok", "lima-telco": "warning", "medellin-bank": "critical",
                        "quito-health": "warning", "santiago-energy": "failed", "mexico-insurance": "ok"}
    assert report["summary"]["api_calls"] == len(log) == 10  # two per operation, one where the token check failed
    assert report["schema_version"] == 3
    assert (report["partial"], report["missing_operations"], report["pending_operations"]) == (False, 0, 0)
    assert report["summary"]["routing_points_not_read"] == 2  # medellin-bank's quota, santiago-energy's token
    # mexico-insurance's two tokens share its quota: the operation's budget is the worse, and decides
    mexico = next(op for op in report["operations"] if op["operation"] == "mexico-insurance")
    assert (mexico["token"]["decided_by"], mexico["token"]["available"], mexico["token"]["token_available"]) == (
        "operation", 6000 - 1505, 6000 - 1205)
    assert "shared budget of the operation decided (its tokens used 1505 today)" in mexico["checks"][0]["message"]


def test_the_four_reports_are_one_set_with_one_run_id(audit):
    reports, log, output = audit
    assert sorted(path.name for path in reports.iterdir()) == [
        "wolkvox-audit.html", "wolkvox-audit.json", "wolkvox-audit.junit.xml", "wolkvox-audit.md"]  # no temporary file
    run_id = json.loads((reports / "wolkvox-audit.json").read_text())["run_id"]
    assert run_id and "run id: %s" % run_id in output
    assert "Run id: `%s`" % run_id in (reports / "wolkvox-audit.md").read_text()
    assert '<meta name="wolkvox-audit-run-id" content="%s">' % run_id in (reports / "wolkvox-audit.html").read_text()
    suite = next(iter(JUnitXml.fromfile(str(reports / "wolkvox-audit.junit.xml"))))
    assert {prop.name: prop.value for prop in suite.properties()}["run_id"] == run_id


def test_no_token_reaches_a_report_or_the_output_even_at_vvvv(audit):
    reports, log, output = audit
    texts = [path.read_text() for path in reports.iterdir()] + [output, json.dumps(log)]
    for token in TOKENS:
        assert not any(token in text for text in texts), token


def test_junit_xml_is_read_by_junitparser_with_one_case_per_operation_and_check(audit):
    reports, log, output = audit
    xml = JUnitXml.fromfile(str(reports / "wolkvox-audit.junit.xml"))
    cases = {(case.classname, case.name): case for suite in xml for case in suite}
    assert len(cases) == 12  # six operations, two checks each: the two calls spared are skipped, "not read"
    outcome = {key: [type(result).__name__ for result in case.result] for key, case in cases.items()}
    assert outcome[("bogota-retail", "token_budget")] == []
    assert outcome[("lima-telco", "token_budget")] == ["Failure"]
    assert outcome[("quito-health", "routing_points")] == ["Failure"]
    assert outcome[("medellin-bank", "token_budget")] == ["Failure"]
    assert outcome[("santiago-energy", "token_budget")] == ["Error"]
    failure = cases[("medellin-bank", "token_budget")].result[0]
    assert isinstance(failure, Failure) and failure.type == "critical"
    assert "TOKEN LIMIT EXCEEDED" in failure.message
    error = cases[("santiago-energy", "token_budget")].result[0]
    assert isinstance(error, Error) and "PLEASE VALIDATE TOKEN" in error.message
    assert outcome[("medellin-bank", "routing_points")] == outcome[("santiago-energy", "routing_points")] == ["Skipped"]
    assert cases[("medellin-bank", "routing_points")].result[0].message.startswith("not read: ")
    suite = next(iter(xml))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (12, 3, 1, 2)


def test_markdown_has_the_fleet_table_and_the_routing_points_needing_attention(audit):
    reports, log, output = audit
    text = (reports / "wolkvox-audit.md").read_text()
    assert text.startswith("# wolkvox audit: failed\n")
    assert ("| lima-telco | WARNING | 289 of 4000 uses left today (7.2%), the same for the token's own budget and the "
            "operation's shared budget |") in text
    assert ("| mexico-insurance | ok | 4495 of 6000 uses left today (74.9%): shared budget of the operation decided "
            "(its tokens used 1505 today); the token's own budget has 4795 left (79.9%) |") in text
    assert "**Not read** for 2 of 6 operations, so nothing is known of their routing points: medellin-bank, " \
           "santiago-energy." in text
    assert "| quito-health | 4003 Campana vacunacion 2025 | - | no channel active, no recorded use |" in text


def test_the_html_page_renders_its_chart_and_table_in_chromium(audit):
    reports, log, output = audit
    assert CHROMIUM, "no chromium on PATH: make system installs Debian's chromium"
    page = "file://" + str(reports / "wolkvox-audit.html")
    os.makedirs(OUTPUT, exist_ok=True)
    screenshot = os.path.join(OUTPUT, "wolkvox-audit.png")
    profile = str(reports.parent / "chromium-profile")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile]
    dom = subprocess.run([CHROMIUM] + flags + ["--dump-dom", page], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    # two bars for every operation with a budget (the token's own use, the operation's shared use), one full bar
    # for the one whose quota is spent
    assert dom.count('class="bar token"') == dom.count('class="bar operation"') == 4
    assert dom.count('class="bar spent"') == 1
    assert dom.count('data-decided="false"') == 1  # mexico-insurance's own budget: its shared budget decided
    assert '<table id="routing-points">' in dom and dom.count("Resultados de laboratorio") == 1
    for external in ("<script src", "<link", "<img", "url(", "@import"):  # self-contained: nothing to fetch
        assert external not in dom, external
    subprocess.run([CHROMIUM] + flags + ["--window-size=1200,1400", "--screenshot=" + screenshot, page],
                   capture_output=True, timeout=120, check=True)
    with Image.open(screenshot) as image:
        assert image.size == (1200, 1400)
        colors = {color for count, color in image.convert("RGB").getcolors(maxcolors=1 << 24)}
    # the bars were painted: each status colour of the chart is on screen
    for status, rgb in COLORS.items():
        assert rgb in colors, status
