# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's four reports, read the way their consumers read them.

`make system` runs this with the collection on ANSIBLE_COLLECTIONS_PATH: it audits the demo fleet with
`ansible-playbook wolkvox.wolkvox.audit` against the simulator, then parses the JUnit XML with junitparser,
opens the HTML page in headless Chromium (a screenshot goes to tests/output/reports/) and checks the rest.
"""

import datetime
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, JUnitXml
from PIL import Image

from conftest import ROOT, Simulator, playbook

FIXTURE = os.path.join(ROOT, "simulator", "fixtures", "demo.json")
INVENTORY = os.path.join(ROOT, "demo", "inventory.yml")
OUTPUT = os.path.join(ROOT, "tests", "output", "reports")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
COLORS = {"ok": (0x1A, 0x7F, 0x37), "warning": (0xB5, 0x81, 0x00), "critical": (0xC6, 0x28, 0x28),
          "failed": (0x7B, 0x1F, 0xA2)}

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
                        "quito-health": "warning", "santiago-energy": "failed", "mexico-insurance": "ok",
                        "cali-crm": "ok"}
    # two per contact-center operation, one where the token check failed, one for the CRM operation
    assert report["summary"]["api_calls"] == len(log) == 11
    assert report["schema_version"] == 4
    assert [op["operation"] for op in report["operations"]][-1] == "cali-crm"  # the JSON keeps the inventory's order
    assert (report["partial"], report["missing_operations"], report["pending_operations"]) == (False, 0, 0)
    assert report["summary"]["routing_points_not_read"] == 2  # medellin-bank's quota, santiago-energy's token
    assert report["summary"]["platforms"] == {"contact_center": 6, "crm": 1}
    cali = next(op for op in report["operations"] if op["operation"] == "cali-crm")
    assert (cali["platform"], cali["crm_operation"], cali["api_calls"], cali["routing_points_total"]) == (
        "crm", "CaliCRM", 1, None)
    assert cali["checks"][1]["status"] == "not_applicable" and 1 <= cali["token"]["hours_to_restart_count"] <= 24
    assert [entry["api"] for entry in log if entry["token"] == "cali-crm"] == ["tokenInformation"]
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
    # six contact-center operations, two checks each (the two calls spared are skipped, "not read"), and the CRM
    # operation's budget (its routing points do not apply)
    assert len(cases) == 13
    outcome = {key: [type(result).__name__ for result in case.result] for key, case in cases.items()}
    assert outcome[("bogota-retail", "token_budget")] == []
    assert outcome[("lima-telco", "token_budget")] == ["Failure"]
    assert outcome[("quito-health", "routing_points")] == ["Failure"]
    assert outcome[("medellin-bank", "token_budget")] == ["Failure"]
    assert outcome[("santiago-energy", "token_budget")] == ["Error"]
    assert outcome[("cali-crm", "token_budget")] == [] and ("cali-crm", "routing_points") not in cases
    # the message in plain words, the technical reason below it
    failure = cases[("medellin-bank", "token_budget")].result[0]
    assert isinstance(failure, Failure) and failure.type == "critical"
    assert failure.message == "Quota spent: every call is refused until the daily reset."
    assert "TOKEN LIMIT EXCEEDED" in failure.text
    error = cases[("santiago-energy", "token_budget")].result[0]
    assert isinstance(error, Error) and error.message.startswith("The platform refused the token: replace it")
    assert "PLEASE VALIDATE TOKEN" in error.text
    assert outcome[("medellin-bank", "routing_points")] == outcome[("santiago-energy", "routing_points")] == ["Skipped"]
    assert cases[("medellin-bank", "routing_points")].result[0].message.startswith("Routing points not checked")
    suite = next(iter(xml))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (13, 3, 1, 2)
    # each case says its operation's platform
    root = ET.parse(str(reports / "wolkvox-audit.junit.xml")).getroot()
    platforms = {(case.get("classname"), case.get("name")): case.find("properties/property").get("value")
                 for case in root.iter("testcase")}
    assert platforms[("cali-crm", "token_budget")] == "crm"
    assert set(platforms.values()) == {"crm", "contact_center"}


def test_markdown_has_the_fleet_table_and_the_routing_points_needing_attention(audit):
    reports, log, output = audit
    text = (reports / "wolkvox-audit.md").read_text()
    assert text.startswith("# wolkvox audit: 4 of 7 operations need action\n")
    assert "\n1 could not be audited, 1 critical, 2 warning, 3 ok. " in text
    rows = [line.split(" | ")[0][2:] for line in text.split("## Operations, worst first")[1].split("##")[0].splitlines()
            if line.startswith("| ") and not line.startswith("| Operation")]
    assert rows == ["santiago-energy", "medellin-bank", "lima-telco", "quito-health", "cali-crm", "mexico-insurance",
                    "bogota-retail"]  # worst first, then the least left
    assert ("| lima-telco | contact center | **WARNING** | 289 of 4000 left (7.2%) | all 2 active and in use | Running "
            "low, 289 of 4000 left (7.2%): spend less, or ask wolkvox for more licenses. |") in text
    assert ("| mexico-insurance | contact center | ok | 4495 of 6000 left (74.9%), shared by the operation's tokens; "
            "this token alone has 4795 left | all 2 active and in use | Nothing to do. |") in text
    assert "| cali-crm | CRM | ok | " in text and "| not applicable (CRM) | Nothing to do. |" in text
    assert "| santiago-energy | contact center | **FAILED** | not read | not read | The platform refused the token" in text
    assert "**Not read** for 2 of 7 operations, so nothing is known of their routing points: medellin-bank, " \
           "santiago-energy." in text
    assert "| quito-health | 4003 Campana vacunacion 2025 | never | no channel active, no recorded use |" in text
    assert text.index("## Operations") < text.index("## Routing points needing attention")
    for technical in ("Check the token", "http://127.0.0.1", "to spare the quota", "HTTP 403"):
        assert technical not in text, technical


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
    # two bars for every contact-center operation with a budget (what the token and the operation have left), one
    # for the CRM token; the spent quota says so
    assert dom.count('class="bar token"') == 5 and dom.count('class="bar operation"') == 4
    assert "none left (quota spent)" in dom
    assert dom.count('data-decided="false"') == 1  # mexico-insurance's own budget: its shared budget decided
    assert dom.index('id="operations"') < dom.index('id="token-chart"') < dom.index('id="routing-points"')
    assert '<td class="platform">CRM</td>' in dom
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


# -- history, projection and trend: three runs with uses advancing between them ---------------------------------------

def chromium(page, workdir, screenshot=None, size=(1300, 1400)):
    """The page's DOM as headless Chromium builds it; a screenshot of the window too when asked."""
    assert CHROMIUM, "no chromium on PATH: make system installs Debian's chromium"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             "--user-data-dir=" + str(workdir / "chromium-profile")]
    dom = subprocess.run([CHROMIUM] + flags + ["--dump-dom", "file://" + str(page)], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    if screenshot:
        os.makedirs(OUTPUT, exist_ok=True)
        subprocess.run([CHROMIUM] + flags + ["--window-size=%d,%d" % size, "--screenshot=" + screenshot,
                                             "file://" + str(page)], capture_output=True, timeout=120, check=True)
        with Image.open(screenshot) as image:
            assert image.size == size
    return dom


def spend(sim, uses):
    """Traffic between two audits: ``uses`` more uses of each named token."""
    state = {token["label"]: token for op in sim.admin("/_sim/state")["operations"] for token in op["tokens"]}
    for label, spent in uses.items():
        sim.admin("/_sim/tokens/" + label, {"used_today": state[label]["used_today"] + spent})


def test_three_audits_keep_a_history_and_project_each_budget_from_it(tmp_path, simulator):
    with open(FIXTURE, encoding="utf-8") as handle:
        sim = simulator(json.load(handle))
    history = tmp_path / "history" / "audit.jsonl"
    env = {"WOLKVOX_SERVER": sim.url, "WOLKVOX_DEMO_REPORTS": str(tmp_path / "reports"),
           "WOLKVOX_DEMO_HISTORY": str(history)}
    for run in range(3):
        if run:
            spend(sim, {"bogota-retail": 400, "cali-crm": 300})
        code, output = playbook(tmp_path, ["wolkvox.wolkvox.audit", "-i", INVENTORY], env)
        assert code == 0, output[-5000:]
    # one line per operation and run, appended; the operations whose budget was not read have no uses
    lines = [json.loads(line) for line in history.read_text().splitlines()]
    names = ["bogota-retail", "lima-telco", "medellin-bank", "quito-health", "santiago-energy", "mexico-insurance",
             "cali-crm"]
    assert sorted(line["operation"] for line in lines) == sorted(names * 3)
    assert [line["time"] for line in lines] == sorted(line["time"] for line in lines)
    assert [line["uses"] for line in lines if line["operation"] == "bogota-retail"] == [613, 1015, 1417]
    assert [line["uses"] for line in lines if line["operation"] == "cali-crm"] == [1381, 1682, 1983]
    assert {line["platform"] for line in lines if line["operation"] == "cali-crm"} == {"crm"}
    assert [line["uses"] for line in lines if line["operation"] == "santiago-energy"] == [None] * 3
    assert {line["status"] for line in lines if line["operation"] == "santiago-energy"} == {"failed"}
    assert oct(history.stat().st_mode & 0o777) == "0o600"
    # the projection, in the JSON
    report = json.loads((tmp_path / "reports" / "wolkvox-audit.json").read_text())
    assert report["history"] == {"path": str(history), "days": 7, "warn_on_projection": True}
    by_name = {op["operation"]: op for op in report["operations"]}
    bogota = by_name["bogota-retail"]
    assert (bogota["trend"]["readings_today"], bogota["trend"]["last_hour_uses"]) == (3, 1417 - 613)
    assert bogota["trend"]["budget"] == "token" and bogota["trend"]["reset_source"] == "assumed"
    projection = bogota["checks"][-1]
    assert projection["name"] == "budget_projection" and projection["read"] is True
    # 804 uses in under a minute: spent within minutes, before the reset (unless that comes first, at midnight UTC)
    before = bogota["trend"]["before_reset"]
    assert projection["status"] == ("warning" if before else "ok") and bogota["status"] == projection["status"]
    # (the audit's own calls count too: lima-telco's few uses left go at the rate of audits seconds apart)
    assert {"bogota-retail", "cali-crm"} <= set(report["projected_exhaustion"]) or not before
    assert by_name["cali-crm"]["trend"]["reset_source"] == "platform"  # the CRM's hours_to_restart_count
    assert by_name["santiago-energy"]["trend"] is None
    assert by_name["santiago-energy"]["checks"][-1]["message"] == "not projected: the budget was not read"
    with_budget = [name for name in names if by_name[name]["trend"]]
    assert len(with_budget) == 5
    # one line of the day per operation whose budget was read, in the HTML as Chromium renders it
    page = tmp_path / "reports" / "wolkvox-audit.html"
    dom = chromium(page, tmp_path, os.path.join(OUTPUT, "wolkvox-audit-history.png"))
    assert dom.count('<svg class="trend"') == len(with_budget)
    assert dom.count('<polyline class="line"') == len(with_budget)
    for external in ("<script", "<link", "<img", "url(", "@import"):
        assert external not in dom, external
    markdown = (tmp_path / "reports" / "wolkvox-audit.md").read_text()
    assert "| Last hour | At this rate |" in markdown and "804 uses in the last" in markdown


# -- a report of thirty operations, as an operations manager reads it -----------------------------------------------

CITIES = ["bogota", "lima", "medellin", "quito", "santiago", "mexico", "cali", "cusco", "rosario", "cordoba",
          "valparaiso", "guayaquil", "arequipa", "monterrey", "puebla", "barranquilla", "cartagena", "montevideo",
          "asuncion", "la-paz", "caracas", "panama", "san-jose", "managua", "tegucigalpa", "guatemala", "leon",
          "merida", "tijuana", "salta"]
SECTORS = ["retail", "telco", "bank", "health", "energy", "insurance"]


def thirty():
    """(fixture, inventory hosts): thirty operations, most healthy, some low, spent, refused, stale or CRM."""
    operations, hosts = [], {}
    fresh = {"rp_id": "1", "rp_name": "Ventas", "ivr_active": "yes", "chat_active": "yes", "interaction_active": "yes",
             "crm_active": "no", "last_use_days_ago": 0.1}
    for index, city in enumerate(CITIES):
        name = "%s-%s" % (city, SECTORS[index % len(SECTORS)])
        token = "t30-%02d-%s" % (index, "9f3c2a7e"[index % 8:] + "b1d4")
        kind = index % 10
        crm = kind in (6, 9)
        limit = 4800 if crm else 2000
        used = {0: 400, 1: 1700, 2: 1960, 3: 2000, 6: 1200, 9: 4500}.get(kind, 300 + 37 * index)
        points = [dict(fresh, rp_id=str(n), rp_name="Punto %d" % n) for n in range(1, 4)]
        if kind == 5:
            points.append(dict(fresh, rp_id="9", rp_name="Campana antigua", last_use_days_ago=90))
        operation = {"name": name, "licenses": 2 if not crm else 5, "routing_points": [] if crm else points,
                     "tokens": [{"name": name, "token": token, "used_today": used, "limit": limit,
                                 "revoked": kind == 4}]}
        if crm:
            operation.update(platform="crm", crm_operation=name.title().replace("-", ""))
        operations.append(operation)
        hosts[name] = {"wolkvox_token": token}
        if crm:
            hosts[name].update(wolkvox_platform="crm", wolkvox_operation=operation["crm_operation"])
    return {"operations": operations}, hosts


def seed_history(path, fleet, now):
    """Readings of the day so far, every 20 minutes, each operation's uses growing to today's."""
    start = max(datetime.datetime.combine(now.date(), datetime.time(0, 5), tzinfo=datetime.timezone.utc),
                now - datetime.timedelta(hours=8))
    moments = []
    moment = start
    while moment < now - datetime.timedelta(minutes=10):
        moments.append(moment)
        moment += datetime.timedelta(minutes=20)
    lines = []
    for step, moment in enumerate(moments):
        share = (step + 1) / (len(moments) + 1.0)
        for operation in fleet["operations"]:
            token = operation["tokens"][0]
            crm = operation.get("platform") == "crm"
            uses = None if token["revoked"] else int(token["used_today"] * share ** 1.5)
            lines.append({"time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "operation": operation["name"],
                          "platform": "crm" if crm else "contact_center", "uses": uses,
                          "limit": None if uses is None else token["limit"],
                          "shared_uses": None if crm or uses is None else uses, "status": "ok"})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return len(lines)


def test_a_report_of_thirty_operations_reads_worst_first_with_what_to_do(tmp_path, simulator):
    fleet, hosts = thirty()
    sim = simulator(fleet)
    history = tmp_path / "history.jsonl"
    seeded = seed_history(history, fleet, datetime.datetime.now(datetime.timezone.utc))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"wolkvox": {"hosts": hosts, "vars": {
        "wolkvox_server": sim.url, "wolkvox_retries": 0, "wolkvox_audit_report_dir": str(tmp_path / "reports"),
        "wolkvox_audit_history": str(history)}}}))
    code, output = playbook(tmp_path, ["wolkvox.wolkvox.audit", "-i", str(inventory)])
    assert code == 0, output[-5000:]
    assert len(history.read_text().splitlines()) == seeded + 30
    report = json.loads((tmp_path / "reports" / "wolkvox-audit.json").read_text())
    assert report["summary"]["operations"] == 30 and report["summary"]["platforms"] == {"contact_center": 24, "crm": 6}
    rank = {"failed": 0, "critical": 1, "warning": 2, "ok": 3}
    dom = chromium(tmp_path / "reports" / "wolkvox-audit.html", tmp_path,
                   os.path.join(OUTPUT, "wolkvox-audit-30.png"), size=(1300, 5200))
    chromium(tmp_path / "reports" / "wolkvox-audit.html", tmp_path, os.path.join(OUTPUT, "wolkvox-audit-30-top.png"))
    table = dom.split('id="operations"')[1].split("</table>")[0]
    rows = [part.split('"')[0] for part in table.split('data-operation="')[1:]]
    assert sorted(rows) == sorted(op["operation"] for op in report["operations"])
    statuses = {op["operation"]: op["status"] for op in report["operations"]}
    assert [rank[statuses[name]] for name in rows] == sorted(rank[statuses[name]] for name in rows)  # worst first
    assert dom.index('id="operations"') < dom.index('id="token-chart"') < dom.index('id="routing-points"')
    assert dom.count('<svg class="trend"') == sum(1 for op in report["operations"] if op["trend"])
    for technical in ("Check the token", "http://127.0.0.1", "to spare the quota", "HTTP 403", "not read: "):
        assert technical not in dom, technical
    markdown = (tmp_path / "reports" / "wolkvox-audit.md").read_text()
    assert markdown.index("## Operations, worst first") < markdown.index("## Routing points needing attention")
