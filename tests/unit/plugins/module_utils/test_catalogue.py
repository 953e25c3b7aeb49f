# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of API files and APIs: what it feeds (the client, wolkvox_api's choices and docs, the endpoint
catalogue page) stays equal to it, and what it says agrees with the simulator."""

import importlib.util
import os
import re

import pytest
import yaml

from ansible_collections.wolkvox.wolkvox.plugins.module_utils import _api, _catalogue, _client
from ansible_collections.wolkvox.wolkvox.plugins.modules import wolkvox_api
from ansible_collections.wolkvox.wolkvox.simulator.wolkvox_simulator import CONTACT_CENTER_APIS, REPORT_API

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SCRIPT = os.path.join(ROOT, "tests", "utils", "catalogue-rst.py")
PAGE = os.path.join(ROOT, "docs", "docsite", "rst", "guide_endpoints.rst")

FILES = ("information", "configuration", "campaign", "reports_manager", "real_time", "billing", "agentbox", "whatsapp",
         "sms", "speech_analytics", "wolkvox_storage", "customer", "gamification", "quality")


def script():
    spec = importlib.util.spec_from_file_location("catalogue_rst", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- one table, fed everywhere ----------------------------------------------------------------------------------


def test_every_api_file_the_vendor_publishes_is_a_file():
    assert _catalogue.CONTACT_CENTER_FILES == FILES


def test_the_client_and_the_argument_spec_take_their_files_from_the_table():
    assert _client.CONTACT_CENTER_FILES is _catalogue.CONTACT_CENTER_FILES
    assert _api.ARGUMENT_SPEC["file"]["choices"] == list(_catalogue.CONTACT_CENTER_FILES)


def test_the_module_docs_list_the_same_files_and_options():
    docs = yaml.safe_load(wolkvox_api.DOCUMENTATION)
    assert docs["options"]["file"]["choices"] == list(_catalogue.CONTACT_CENTER_FILES)
    assert docs["options"]["window"]["default"] == _api.ARGUMENT_SPEC["window"]["default"] == "31d"
    assert docs["options"]["split_range"]["default"] is _api.ARGUMENT_SPEC["split_range"]["default"] is False
    assert "ansible_collections.wolkvox.wolkvox.docsite.guide_endpoints" in wolkvox_api.DOCUMENTATION
    assert "windows" in yaml.safe_load(wolkvox_api.RETURN)


def test_the_committed_catalogue_page_is_what_the_table_renders():
    rendered = script().render(_catalogue)
    with open(PAGE, encoding="utf-8") as handle:
        committed = handle.read()
    assert committed == rendered, "run: python tests/utils/catalogue-rst.py --write"


def test_the_page_names_every_file_and_api_of_the_table():
    page = script().render(_catalogue)
    # the label sits right above the title, so a reference to the page finds the title
    assert "\n.. _ansible_collections.wolkvox.wolkvox.docsite.guide_endpoints:\n\nEndpoint catalogue\n===" in page
    for entry in _catalogue.FILES:
        assert "\n%s\n%s\n" % (entry["name"], "-" * len(entry["name"])) in page
        for api in entry["apis"]:
            assert "   * - ``%s``\n     - %s\n" % (api["name"], api["method"]) in page


def test_the_page_is_in_the_user_guide():
    with open(os.path.join(ROOT, "docs", "docsite", "extra-docs.yml"), encoding="utf-8") as handle:
        sections = yaml.safe_load(handle)["sections"]
    guide = [section for section in sections if section["title"] == "User guide"][0]
    assert "guide_endpoints" in guide["toctree"]


def test_the_script_checks_and_writes_the_page(tmp_path, monkeypatch):
    module = script()
    monkeypatch.setattr(module, "PAGE", str(tmp_path / "page.rst"))
    (tmp_path / "page.rst").write_text("stale\n")
    assert module.main(["--check"]) == 1
    assert module.main(["--write"]) == 0
    assert module.main(["--check"]) == 0


# -- what the table says ------------------------------------------------------------------------------------


def test_each_entry_is_well_formed():
    for entry in _catalogue.FILES:
        names = [api["name"] for api in entry["apis"]]
        assert len(names) == len(set(names)), entry["name"]
        assert entry["apis"] or entry["note"], "%s lists no API and says nothing of them" % entry["name"]
        for api in entry["apis"]:
            assert _api.API_NAME.match(api["name"].replace("<n>", "1")), api
            assert api["method"] in ("GET", "POST", "PUT", "DELETE"), api
            assert api["quota"] in (None, True, False), api
            for name in api["query"] + api["body"]:
                assert re.match(r"^[a-z][a-z0-9_]*\??$", name), (api["name"], name)
            assert not set(name.rstrip("?") for name in api["query"]) & {"api", "date_ini", "date_end"}, api


def test_agent_actions_spend_no_quota_and_everything_else_does():
    assert _catalogue.spends_quota("agentbox", "dial") is False
    assert _catalogue.spends_quota("agentbox", "an_action_not_listed") is False
    for name in FILES:
        if name != "agentbox":
            assert _catalogue.spends_quota(name, "anything") is True


@pytest.mark.parametrize("file, api, found", [
    ("reports_manager", "cdr_1", "cdr_<n>"), ("reports_manager", "quality_12", "quality_<n>"),
    ("reports_manager", "act_2", "act_<n>"), ("reports_manager", "cdr_", None), ("reports_manager", "cdr_x", None),
    ("reports_manager", "agents", None), ("real_time", "campaigns", "campaigns"), ("information", "nope", None),
    ("no_such_file", "token_info", None),
])
def test_lookup_matches_names_and_numbered_reports(file, api, found):
    entry = _catalogue.lookup(file, api)
    assert (entry["name"] if entry else None) == found
    assert _catalogue.is_report(file, api) is (file == "reports_manager" and found is not None)


def test_every_report_kind_is_listed():
    assert [api["name"] for api in _catalogue.CATALOGUE["reports_manager"]["apis"]] == [
        "%s_<n>" % kind for kind in ("agent", "cdr", "chat", "skill", "campaign", "diagram", "quality", "speech",
                                     "wizard", "act")]
    assert all(api["dates"] for api in _catalogue.CATALOGUE["reports_manager"]["apis"])


def test_the_table_agrees_with_the_simulator():
    for file_name, apis in CONTACT_CENTER_APIS.items():
        assert file_name in _catalogue.CATALOGUE
        for api, (method, handler) in apis.items():
            entry = _catalogue.lookup(file_name, api)
            assert entry is not None, "the simulator serves %s.php?api=%s, which the table does not list" % (file_name, api)
            assert entry["method"] == method, (file_name, api)
    served_kinds = REPORT_API.pattern.split("(")[1].split(")")[0].split("|")
    assert set(served_kinds) <= set(_catalogue.REPORT_KINDS)
