# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's history: the projection of a day's budget, and the JSON Lines file it is kept in."""

import datetime
import json
import os
import threading

import pytest

from ansible_collections.wolkvox.wolkvox.plugins.plugin_utils import _audit, _audit_history as history

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


def reading(minutes_ago, uses, limit=1000, shared=None, platform="contact_center", resets_in_hours=None,
            operation="acme"):
    return {"at": NOW - datetime.timedelta(minutes=minutes_ago), "operation": operation, "platform": platform,
            "uses": uses, "limit": limit, "shared_uses": shared, "resets_in_hours": resets_in_hours, "status": "ok"}


def record(uses, limit=1000, shared=None, platform="contact_center", hours=None, status="ok"):
    """An audit record with a budget read, as _audit.operation makes it."""
    info = {"description": "token", "token_limit": limit, "token_use_today": uses, "all_token_today": shared,
            "available_consumption_options": limit - uses, "hours_to_restart_count": hours,
            "usage_percent": uses * 100.0 / limit}
    result = {"changed": False, "api_calls": 1, "token_info": info}
    routing = {"changed": False, "api_calls": 1, "routing_points": []}
    made = _audit.operation("acme", result, routing, now=NOW.replace(tzinfo=None), platform=platform)
    assert made["status"] == status
    return made


# -- the projection ----------------------------------------------------------------------------------------------------

def test_a_steady_rate_projects_the_quota_spent_before_the_reset():
    # 100 uses an hour since 08:00, 600 left at noon: spent at 18:00, 6 hours before the reset at 00:00 UTC
    readings = [reading(minutes, 400 - minutes * 100 // 60) for minutes in (240, 180, 120, 60, 30, 0)]
    trend = history.trend(readings, NOW)
    assert (trend["last_hour_uses"], trend["last_hour_minutes"], trend["rate_per_hour"]) == (100, 60.0, 100.0)
    assert (trend["left"], trend["exhausted_at"], trend["reset_at"], trend["reset_source"]) == (
        600, "2026-11-23T18:00:00Z", "2026-11-24T00:00:00Z", "assumed")
    assert (trend["before_reset"], trend["hours_before_reset"], trend["readings_today"]) == (True, 6.0, 6)
    assert trend["points"][0] == ["2026-11-23T08:00:00Z", 100.0] and trend["points"][-1] == ["2026-11-23T12:00:00Z", 60.0]
    status, message = _audit.projection_message(trend, NOW, UTC)
    assert status == "warning"
    assert message == ("100 uses in the last hour: at this rate the quota is spent at 18:00, 6 h before the reset "
                       "(00:00 tomorrow, taken as 00:00 UTC, no reset seen in the history yet)")


def test_an_accelerating_use_is_projected_at_the_rate_of_the_last_hour():
    # 50 uses an hour all morning, then 300 in the last hour: the last hour's rate decides, not the day's average
    readings = [reading(240, 100), reading(180, 150), reading(120, 200), reading(60, 250), reading(0, 550)]
    trend = history.trend(readings, NOW)
    assert (trend["last_hour_uses"], trend["rate_per_hour"]) == (300, 300.0)
    assert trend["exhausted_at"] == "2026-11-23T13:30:00Z" and trend["before_reset"] is True
    # the window starts between two readings: the value there is interpolated
    readings = [reading(90, 100), reading(30, 220), reading(0, 250)]
    assert history.trend(readings, NOW)["last_hour_uses"] == 250 - 160


def test_a_quota_that_lasts_past_the_reset_is_no_warning():
    # 10 uses an hour, 900 left: it would last 90 hours; the reset comes first
    readings = [reading(60, 90), reading(0, 100)]
    trend = history.trend(readings, NOW)
    assert trend["before_reset"] is False and trend["hours_before_reset"] < 0
    status, message = _audit.projection_message(trend, NOW, UTC)
    assert status == "ok"
    assert message.startswith("10 uses in the last hour: at this rate the budget lasts past the reset (00:00 tomorrow")
    assert message.endswith("; it would run out at 2026-11-27 06:00")


def test_a_single_reading_projects_nothing():
    trend = history.trend([reading(0, 100)], NOW)
    assert (trend["readings_today"], trend["rate_per_hour"], trend["exhausted_at"], trend["before_reset"]) == (
        1, None, None, None)
    assert trend["points"] == [["2026-11-23T12:00:00Z", 90.0]]
    status, message = _audit.projection_message(trend, NOW, UTC)
    assert status == "unknown" and message.startswith("not projected yet: this is the first reading of today's budget")


def test_a_counter_that_went_down_after_the_daily_reset_starts_a_new_day():
    # yesterday's readings up to 900 uses, then the reset (between 23:50 and 00:05 UTC); today's are the only ones used
    readings = [reading(780, 850), reading(730, 900), reading(715, 10), reading(60, 200), reading(0, 260)]
    trend = history.trend(readings, NOW)
    assert (trend["readings_today"], trend["since"]) == (3, "2026-11-23T00:05:00Z")
    assert (trend["last_hour_uses"], trend["rate_per_hour"]) == (60, 60.0)
    # the next reset is taken a day after the one seen in the history, at the latest moment it can have been
    assert (trend["reset_at"], trend["reset_source"]) == ("2026-11-24T00:05:00Z", "history")
    assert all(point[0] >= "2026-11-23T00:05:00Z" for point in trend["points"])
    # readings a day apart or more: a reset lies between them whatever the counters say
    assert history.trend([reading(2000, 10), reading(0, 500)], NOW)["readings_today"] == 1


def test_no_use_in_the_last_hour_lasts_until_the_reset():
    trend = history.trend([reading(60, 100), reading(0, 100)], NOW)
    assert (trend["rate_per_hour"], trend["exhausted_at"]) == (0.0, None)
    assert _audit.projection_message(trend, NOW, UTC) == (
        "ok", "no use in the last hour: at this rate the budget lasts past the reset (00:00 tomorrow, taken as 00:00 "
              "UTC, no reset seen in the history yet)")


def test_the_crm_says_when_its_counter_resets():
    readings = [reading(30, 4000, limit=4800, platform="crm", resets_in_hours=3),
                reading(0, 4300, limit=4800, platform="crm", resets_in_hours=3)]
    trend = history.trend(readings, NOW)
    assert (trend["reset_at"], trend["reset_source"], trend["budget"]) == ("2026-11-23T15:00:00Z", "platform", "token")
    assert (trend["rate_per_hour"], trend["exhausted_at"], trend["before_reset"]) == (600.0, "2026-11-23T12:50:00Z", True)
    assert _audit.projection_message(trend, NOW, UTC)[1].endswith("2 h before the reset (15:00, as the CRM counts)")


def test_the_budget_that_runs_out_first_decides():
    # the token itself uses 10 an hour; all the operation's tokens together 200 an hour of the shared quota
    readings = [reading(60, 100, shared=500), reading(0, 110, shared=700)]
    trend = history.trend(readings, NOW)
    assert (trend["budget"], trend["left"], trend["rate_per_hour"]) == ("operation", 300, 200.0)
    assert trend["exhausted_at"] == "2026-11-23T13:30:00Z"
    assert trend["points"] == [["2026-11-23T11:00:00Z", 50.0], ["2026-11-23T12:00:00Z", 30.0]]


def test_a_budget_not_read_now_has_no_trend():
    assert history.trend([reading(60, 100), dict(reading(0, None), limit=None)], NOW) is None


def test_the_projection_check_joins_the_record_and_judges_it():
    readings = [reading(60, 400), reading(0, 500)]  # 100 an hour, 500 left: spent at 17:00
    judged = _audit.project(record(500), readings, NOW)
    check = judged["checks"][-1]
    assert (check["name"], check["status"], check["read"]) == ("budget_projection", "warning", True)
    assert judged["status"] == "warning" and judged["trend"]["exhausted_at"] == "2026-11-23T17:00:00Z"
    assert judged["summary"].endswith(check["message"]) and judged["summary"].startswith("acme: warning - ")
    quiet = _audit.project(record(500), readings, NOW, warn_on_projection=False)
    assert (quiet["checks"][-1]["status"], quiet["status"]) == ("ok", "ok")
    assert "the quota is spent at" in quiet["checks"][-1]["message"]  # shown, not judged
    first = _audit.project(record(500), [reading(0, 500)], NOW)
    assert (first["checks"][-1]["status"], first["checks"][-1]["read"], first["status"]) == ("unknown", False, "ok")
    again = _audit.project(judged, readings, NOW)  # projected once: the check is replaced, not added
    assert [item["name"] for item in again["checks"]] == ["token_budget", "routing_points", "budget_projection"]
    unreadable = _audit.project(record(500), readings, NOW, why_not="the history file x cannot be read: denied")
    assert unreadable["checks"][-1]["message"] == "not projected: the history file x cannot be read: denied"
    assert unreadable["trend"] is None


# -- the file ----------------------------------------------------------------------------------------------------------

def lines_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_each_run_appends_one_compact_line_per_operation(tmp_path):
    path = tmp_path / "deep" / "history.jsonl"
    crm = record(1500, limit=4800, platform="crm", hours=9)
    crm["operation"] = "cali"
    history.append(str(path), [history.line_of(record(500, shared=700), NOW), history.line_of(crm, NOW)], NOW)
    assert lines_of(path) == [
        {"time": "2026-11-23T12:00:00Z", "operation": "acme", "platform": "contact_center", "uses": 500, "limit": 1000,
         "shared_uses": 700, "status": "ok"},
        {"time": "2026-11-23T12:00:00Z", "operation": "cali", "platform": "crm", "uses": 1500, "limit": 4800,
         "shared_uses": None, "status": "ok", "resets_in_hours": 9}]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert path.read_text().count("\n") == 2 and ": " not in path.read_text()  # compact
    later = NOW + datetime.timedelta(minutes=5)
    history.append(str(path), [history.line_of(record(510, shared=720), later)], later)
    assert len(lines_of(path)) == 3  # appended, the earlier lines as they were
    failed = _audit.operation("down", {"failed": True, "msg": "no answer", "error_kind": "network"}, None,
                              now=NOW.replace(tzinfo=None))
    assert history.line_of(failed, NOW) == {"time": "2026-11-23T12:00:00Z", "operation": "down",
                                            "platform": "contact_center", "uses": None, "limit": None,
                                            "shared_uses": None, "status": "failed"}


def test_a_run_killed_while_it_wrote_leaves_no_line_that_breaks_the_next_read(tmp_path):
    path = tmp_path / "history.jsonl"
    history.append(str(path), [history.line_of(record(400), NOW - datetime.timedelta(hours=1))], NOW)
    with open(str(path), "a", encoding="utf-8") as handle:  # a run killed half-way through its line
        handle.write('{"time": "2026-11-23T11:30:00Z", "operation": "acme", "uses": 4')
    assert [r["uses"] for r in history.read_recent(str(path), NOW - history.DAY)["acme"]] == [400]
    history.append(str(path), [history.line_of(record(500), NOW)], NOW)
    text = path.read_text()
    assert text.endswith("\n") and '"uses": 4\n{' in text  # the broken line closed, the new one whole on its own
    assert [r["uses"] for r in history.read_recent(str(path), NOW - history.DAY)["acme"]] == [400, 500]
    # garbage and lines of something else are skipped too
    with open(str(path), "a", encoding="utf-8") as handle:
        handle.write("not json\n[1, 2]\n{\"operation\": \"acme\", \"time\": \"yesterday\"}\n\n")
    assert len(history.read_recent(str(path), NOW - history.DAY)["acme"]) == 2


def test_old_lines_are_trimmed_at_most_once_an_hour_by_a_file_moved_into_place(tmp_path):
    path = tmp_path / "history.jsonl"
    eight_days = NOW - datetime.timedelta(days=8)
    history.append(str(path), [history.line_of(record(1), eight_days)], eight_days)
    history.append(str(path), [history.line_of(record(2), NOW)], NOW)
    assert [line["uses"] for line in lines_of(path)] == [2]  # the 8-day-old line is gone
    assert sorted(os.listdir(str(tmp_path))) == [".history.jsonl.lock", "history.jsonl"]  # no temporary file left
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    # a line 7 days and 30 minutes old stays until it is an hour past the retention: no rewrite at every run
    path.unlink()
    old = NOW - datetime.timedelta(days=7, minutes=30)
    history.append(str(path), [history.line_of(record(3), old)], old)
    inode = path.stat().st_ino
    history.append(str(path), [history.line_of(record(4), NOW)], NOW)
    assert path.stat().st_ino == inode and [line["uses"] for line in lines_of(path)] == [3, 4]
    later = NOW + datetime.timedelta(minutes=31)
    history.append(str(path), [history.line_of(record(5), later)], later)
    assert path.stat().st_ino != inode and [line["uses"] for line in lines_of(path)] == [4, 5]
    history.append(str(path), [history.line_of(record(6), later)], later, days=1)
    assert [line["uses"] for line in lines_of(path)] == [4, 5, 6]  # within a day, and the hour's grace


def test_the_reader_reads_from_the_end_only_as_far_as_it_needs(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "_BLOCK", 64)  # many blocks: lines are cut across them
    path = tmp_path / "history.jsonl"
    lines = []
    for hours in range(72, -1, -1):
        lines.append(history.line_of(record(10 * (72 - hours), limit=10000), NOW - datetime.timedelta(hours=hours)))
        lines.append(dict(lines[-1], operation="other"))
    history.append(str(path), lines, NOW, days=7)
    recent = history.read_recent(str(path), NOW - history.RECENT, ["acme"])
    assert list(recent) == ["acme"] and len(recent["acme"]) == 27  # 26 hours and now
    assert [r["at"] for r in recent["acme"]] == sorted(r["at"] for r in recent["acme"])
    assert history.read_recent(str(tmp_path / "none.jsonl"), NOW) == {}


def test_runs_that_append_at_once_keep_every_line_whole(tmp_path):
    path = str(tmp_path / "history.jsonl")

    def run(index):
        history.append(path, [dict(history.line_of(record(index), NOW), operation="op%02d-%d" % (index, n))
                              for n in range(50)], NOW)

    workers = [threading.Thread(target=run, args=(index,)) for index in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    found = history.read_recent(path, NOW - history.DAY)
    assert len(found) == 8 * 50


def test_a_history_that_cannot_be_written_says_why(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(history.HistoryError, match="cannot be written"):
        history.append(str(blocker / "history.jsonl"), [history.line_of(record(1), NOW)], NOW)
