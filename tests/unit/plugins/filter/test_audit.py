# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit filters (plugins/filter/audit.py) as a playbook calls them: each documented with the parameters it takes,
each error an AnsibleFilterError that names its filter and says what is wrong, never a traceback. The judgement
behind them is tested in tests/unit/plugins/plugin_utils/test_audit.py."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.wolkvox.wolkvox.plugins.filter import audit
from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit
from ansible_collections.wolkvox.wolkvox.tests.utils import filter_docs
from ansible_collections.wolkvox.wolkvox.tests.utils.audit_records import budget, points, slice_report

FILTERS = audit.FilterModule().filters()


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_each_filter_is_documented_with_the_parameters_it_takes(name):
    assert filter_docs.problems(name, FILTERS[name]) == []


def test_the_documentation_check_finds_a_parameter_the_documentation_lacks():
    def audit_view(report, colour="red"):  # a parameter audit_view.yml does not document
        return report, colour

    assert filter_docs.problems("audit_view", audit_view) == [
        "options ['_input'], parameters ['_input', 'colour']"]


@pytest.mark.parametrize("thresholds, says", [
    ({"warning_available_percent": 5, "critical_available_percent": 10}, "0 <= critical (10.0) <= warning (5.0) <= 100"),
    ({"stale_days": 0}, "stale_days must be 1 or more"),
    ({"required_channels": ["sms_active"]}, "required_channels may name ivr_active"),
])
def test_thresholds_that_make_no_sense_are_refused_by_the_filters(thresholds, says):
    with pytest.raises(AnsibleFilterError) as info:
        audit.audit_operation(budget(10, 1), points(), "acme", thresholds)
    assert str(info.value).startswith("wolkvox.wolkvox.audit_operation: ") and says in str(info.value)
    with pytest.raises(AnsibleFilterError) as info:
        audit.audit_fleet([], ["acme"], thresholds)
    assert str(info.value).startswith("wolkvox.wolkvox.audit_fleet: ") and says in str(info.value)


def test_the_filters_give_what_the_judgement_gives():
    record = audit.audit_operation(budget(1000, 10), points(), "acme")  # no routing point: no clock in the record
    assert record == _audit.operation("acme", budget(1000, 10), points())
    assert record["status"] == "ok" and record["api_calls"] == 2
    report = audit.audit_fleet([record], ["acme"], fail_on="warning", run_id="run-1")
    assert (report["summary"]["operations"], report["summary"]["ok"], report["failing"]) == (1, 1, [])
    assert audit.audit_view(report) == _audit.view(report)


def test_reports_that_are_not_the_slices_of_one_audit_are_refused_by_audit_merge():
    slices = [slice_report(["a"], "run-0", workflow=9), slice_report(["b"], "run-1", workflow=10)]
    with pytest.raises(AnsibleFilterError) as info:
        audit.audit_merge(slices)
    assert str(info.value).startswith(
        "wolkvox.wolkvox.audit_merge: the reports come from different AWX workflow jobs (10, 9)")
    with pytest.raises(AnsibleFilterError, match="^wolkvox.wolkvox.audit_merge: no report to merge"):
        audit.audit_merge(None)


@pytest.mark.parametrize("report", [None, [], {"operations": []}, {"summary": {}}, "report"])
def test_audit_view_says_what_it_takes(report):
    with pytest.raises(AnsibleFilterError) as info:
        audit.audit_view(report)
    assert str(info.value) == "wolkvox.wolkvox.audit_view: give the report of audit_fleet or audit_merge"
