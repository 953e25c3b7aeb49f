# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provision filters (plugins/filter/provision.py) as the role and the export playbook call them: each documented
with the parameters it takes, provision_report's formats (one, several by file name, the summary) and its refusals
as an AnsibleFilterError that names the filter. The checks, records and reports behind them are tested in
tests/unit/plugins/plugin_utils/test_provision.py."""

import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.wolkvox.plugins.filter import provision
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _provision
from ansible_collections.wolkvox.wolkvox.tests.utils import filter_docs

FILTERS = provision.FilterModule().filters()
CHANGE = {"action": "update", "key": "222", "id": "1002", "before": {"name": "Luis"}, "after": {"name": "Luis Gomez"}}


def report():
    result = {"changed": True, "before": [], "after": [], "changes": [CHANGE], "api_calls": 2}
    record = provision.provision_operation({"agents": result}, "acme", {"agents": "merged"})
    return provision.provision_fleet([record], ["acme"], run_id="run-7")


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_each_filter_is_documented_with_the_parameters_it_takes(name):
    assert filter_docs.problems(name, FILTERS[name]) == []


def test_the_documentation_check_finds_a_default_the_documentation_does_not_give():
    def provision_report(report, format="markdown", name=None):  # pylint: disable=redefined-builtin
        return report, format, name

    assert filter_docs.problems("provision_report", provision_report) == [
        "format defaults to 'markdown', documented 'json'"]


def test_one_format_is_its_text_and_json_is_the_report_itself():
    fleet = report()
    assert json.loads(provision.provision_report(fleet)) == fleet
    assert provision.provision_report(fleet, "markdown") == _provision.render(fleet, "markdown")
    assert provision.provision_report(fleet, "summary") == _provision.summary_lines(fleet)
    assert provision.provision_report(fleet, "summary")[0].startswith("1 operation: 0 unchanged, 1 changed, 0 failed")


def test_several_formats_are_their_texts_by_file_name():
    fleet = report()
    texts = provision.provision_report(fleet, ["json", "junit", "html", "markdown"], name="nightly")
    assert sorted(texts) == ["nightly.html", "nightly.json", "nightly.junit.xml", "nightly.md"]
    assert texts["nightly.junit.xml"] == _provision.render(fleet, "junit")
    assert sorted(provision.provision_report(fleet, ["json"])) == ["wolkvox-provision.json"]


@pytest.mark.parametrize("fmt", ["pdf", ["json", "yaml"], ["summary"]])
def test_an_unknown_format_is_refused_naming_the_filter_and_the_formats(fmt):
    with pytest.raises(AnsibleFilterError) as info:
        provision.provision_report(report(), fmt)
    assert str(info.value) == ("wolkvox.wolkvox.provision_report: no report format %r: give one of json, markdown, "
                               "junit, html" % (fmt if fmt == "pdf" else fmt[-1]))


def test_the_plan_filter_reports_problems_instead_of_failing():
    plan = provision.provision_plan({"state": "deleted"}, {"agents": [{"dni": "1"}]})
    assert plan["problems"][0].startswith("wolkvox_provision_state is 'deleted': give merged, replaced, overridden")
    assert plan == _provision.plan({"state": "deleted"}, {"agents": [{"dni": "1"}]})
