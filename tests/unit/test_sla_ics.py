"""A team's closed dates from an .ics file: repeating events count on each of their days within the
horizon (RRULE, RDATE, EXDATE, an occurrence moved by RECURRENCE-ID), not once."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.errors import InvalidInput
from app.services.sla.admin import dates_from_ics, ics_horizon, named_days_from_ics


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n".encode()


def test_a_yearly_all_day_event_closes_each_year_up_to_the_horizon() -> None:
    data = ics("UID:1\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261226\r\nRRULE:FREQ=YEARLY\r\n")
    until = ics_horizon(dt.date(2026, 12, 6))
    assert until == dt.date(2028, 12, 31)
    assert dates_from_ics(data, until=until) == [
        dt.date(y, 12, d) for y in (2026, 2027, 2028) for d in (24, 25)
    ]  # two days each, three years


def test_exdate_rdate_count_until_and_a_moved_occurrence() -> None:
    data = ics(
        "UID:team\r\nDTSTART;TZID=Europe/Berlin:20261204T090000\r\nDTEND;TZID=Europe/Berlin:20261204T170000\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=FR;UNTIL=20261231T230000Z\r\n"
        "EXDATE;TZID=Europe/Berlin:20261218T090000\r\nRDATE;VALUE=DATE:20261230\r\n",
        "UID:team\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261211T090000\r\n"
        "DTSTART;TZID=Europe/Berlin:20261210T090000\r\nDTEND;TZID=Europe/Berlin:20261210T170000\r\n",
        "UID:count\r\nDTSTART;VALUE=DATE:20270104\r\nRRULE:FREQ=DAILY;COUNT=2\r\n",
        "UID:once\r\nDTSTART;VALUE=DATE:20270301\r\n",
    )
    assert dates_from_ics(data, until=dt.date(2027, 12, 31)) == [
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 10),  # the 11th moved to the 10th
        dt.date(2026, 12, 25),  # the 18th left out
        dt.date(2026, 12, 30),  # an extra date
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 5),
        dt.date(2027, 3, 1),
    ]


def test_an_event_repeating_without_end_is_cut_at_the_horizon_and_a_daily_one_refused() -> None:
    weekly = ics("UID:w\r\nDTSTART;VALUE=DATE:20260105\r\nRRULE:FREQ=WEEKLY\r\n")
    days = dates_from_ics(weekly, until=dt.date(2026, 1, 31))
    assert days == [dt.date(2026, 1, d) for d in (5, 12, 19, 26)]
    daily = ics("UID:d\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=DAILY\r\n")
    with pytest.raises(InvalidInput, match="more than 1,000 times"):
        dates_from_ics(daily, until=dt.date(2028, 12, 31))
    broken = ics("UID:b\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=SOMETIMES\r\n")
    with pytest.raises(InvalidInput):
        dates_from_ics(broken, until=dt.date(2028, 12, 31))


@pytest.mark.parametrize(
    "content",
    [
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261301\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND:soon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        bytes(range(256)) * 8,
    ],
)
def test_an_unreadable_file_is_refused_in_one_printable_line(content: bytes) -> None:
    """A date the parser reads only when asked for ("DTSTART:garbage") was an internal error; the parser's
    complaint about a binary file quoted its bytes into the terminal."""
    with pytest.raises(InvalidInput, match=r"^(This file is not a calendar|Event 1 of the .ics file)") as refused:
        dates_from_ics(content, until=dt.date(2028, 1, 1))
    assert str(refused.value).isprintable() and len(str(refused.value)) < 200
    assert "vDDDTypes" not in str(refused.value)  # the parser's types are not a person's words


def test_an_empty_file_says_so() -> None:
    with pytest.raises(InvalidInput, match=r"^The \.ics file is empty\.$"):
        dates_from_ics(b"  \r\n", until=dt.date(2028, 1, 1))


def test_a_holiday_feed_from_before_1900_keeps_only_what_the_database_holds() -> None:
    """A yearly feed whose events start in 1890 (public holiday feeds often do): its first years would be
    refused by the database (migration 0045) with a sentence the file does not explain."""
    data = ics("UID:old\r\nDTSTART;VALUE=DATE:18900101\r\nRRULE:FREQ=YEARLY\r\n")
    days = dates_from_ics(data, until=dt.date(1902, 12, 31))
    assert days == [dt.date(1900, 1, 1), dt.date(1901, 1, 1), dt.date(1902, 1, 1)]


UNTIL = dt.date(2028, 12, 31)


def test_a_timed_event_over_several_days_closes_each_of_them() -> None:
    """Christmas week as one timed event closed only the 24th (a probe's calendar)."""
    data = ics("UID:week\r\nDTSTART:20271224T000000\r\nDTEND:20271228T000000\r\n")  # up to midnight: not the 28th
    assert dates_from_ics(data, until=UNTIL) == [dt.date(2027, 12, d) for d in (24, 25, 26, 27)]
    late = ics("UID:late\r\nDTSTART:20271224T200000\r\nDTEND:20271225T060000\r\n")  # four hours, then six
    assert dates_from_ics(late, until=UNTIL) == [dt.date(2027, 12, 24), dt.date(2027, 12, 25)]


def test_a_time_with_a_zone_closes_the_day_it_is_on_the_calendars_clock() -> None:
    data = ics("UID:z\r\nDTSTART:20271224T233000Z\r\nDTEND:20271225T043000Z\r\n")  # five hours
    assert dates_from_ics(data, until=UNTIL, time_zone="Europe/Berlin") == [dt.date(2027, 12, 25)]
    assert dates_from_ics(data, until=UNTIL, time_zone="America/New_York") == [dt.date(2027, 12, 24)]
    floating = ics("UID:f\r\nDTSTART:20271224T100000\r\nDTEND:20271224T160000\r\n")  # no zone: as written
    assert dates_from_ics(floating, until=UNTIL, time_zone="Asia/Tokyo") == [dt.date(2027, 12, 24)]


def test_an_event_that_ends_before_it_starts_is_named_in_the_refusal() -> None:
    data = ics("UID:x\r\nSUMMARY:Team day\r\nDTSTART;VALUE=DATE:20271224\r\nDTEND;VALUE=DATE:20271220\r\n")
    with pytest.raises(InvalidInput, match=r"Event 1 of the .ics file \(Team day\) ends before it starts"):
        dates_from_ics(data, until=UNTIL)


def test_days_past_the_horizon_are_left_out_not_refused() -> None:
    """A year-9999 event refused the whole file with the database's range sentence."""
    data = ics("UID:far\r\nDTSTART;VALUE=DATE:99991224\r\n", "UID:near\r\nDTSTART;VALUE=DATE:20271224\r\n")
    assert dates_from_ics(data, until=UNTIL) == [dt.date(2027, 12, 24)]


def test_a_repeating_timed_event_counts_each_occurrence_on_the_calendars_clock() -> None:
    """A yearly 23:30 UTC closed the 24th in Berlin each year, where the single event closed the 25th."""
    data = ics("UID:y\r\nDTSTART:20261224T233000Z\r\nDTEND:20261225T043000Z\r\nRRULE:FREQ=YEARLY;COUNT=3\r\n")
    assert dates_from_ics(data, until=UNTIL, time_zone="Europe/Berlin") == [
        dt.date(y, 12, 25) for y in (2026, 2027, 2028)
    ]
    weekly = ics(  # Google's weekly evening workshop in New York, a working day in Tokyo
        "UID:w\r\nDTSTART;TZID=America/New_York:20261201T200000\r\nDTEND;TZID=America/New_York:20261202T020000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=2\r\n"
    )
    assert dates_from_ics(weekly, until=UNTIL, time_zone="Asia/Tokyo") == [dt.date(2026, 12, 2), dt.date(2026, 12, 9)]


def test_duration_cancelled_and_mixed_zones() -> None:
    three_days = ics("UID:d\r\nDTSTART;VALUE=DATE:20271224\r\nDURATION:P3D\r\n")
    assert dates_from_ics(three_days, until=UNTIL) == [dt.date(2027, 12, d) for d in (24, 25, 26)]
    cancelled = ics("UID:c\r\nSTATUS:CANCELLED\r\nDTSTART;VALUE=DATE:20271224\r\n")
    assert dates_from_ics(cancelled, until=UNTIL) == []
    mixed = ics("UID:m\r\nSUMMARY:Odd\r\nDTSTART:20271224T090000Z\r\nDTEND:20271224T170000\r\n")
    with pytest.raises(InvalidInput, match=r"\(Odd\) gives one time with a zone and one without"):
        dates_from_ics(mixed, until=UNTIL)


def test_until_exdate_and_a_moved_occurrence_in_utc_are_read_on_the_events_clock() -> None:
    """Thunderbird and Google write UNTIL in UTC: Fridays 09:00 in Berlin "until 08:00Z" on the 26th lost that
    Friday; an EXDATE and a RECURRENCE-ID in UTC cancelled and moved nothing (a real-world probe)."""
    data = ics(
        "UID:fri\r\nDTSTART;TZID=Europe/Berlin:20270205T090000\r\nDTEND;TZID=Europe/Berlin:20270205T170000\r\n"
        "RRULE:FREQ=WEEKLY;UNTIL=20270226T080000Z\r\n",
        "UID:mon\r\nDTSTART;TZID=Europe/Berlin:20270104T090000\r\nDTEND;TZID=Europe/Berlin:20270104T170000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:20270111T080000Z\r\n",
        "UID:mon\r\nRECURRENCE-ID:20270118T080000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20270120T090000\r\nDTEND;TZID=Europe/Berlin:20270120T170000\r\n",
    )
    assert dates_from_ics(data, until=dt.date(2027, 12, 31), time_zone="Europe/Berlin") == [
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 20),  # the 18th moved to the 20th; the 11th cancelled
        dt.date(2027, 1, 25),
        *(dt.date(2027, 2, d) for d in (5, 12, 19, 26)),
    ]


@pytest.mark.parametrize("free", ["TRANSP:TRANSPARENT\r\n", "X-MICROSOFT-CDO-BUSYSTATUS:FREE\r\n"])
def test_an_event_marked_free_closes_nothing(free: str) -> None:
    """An Outlook export's birthday (free time) closed the day, pausing every SLA clock while the team worked."""
    data = ics(f"UID:b\r\nDTSTART;VALUE=DATE:20270301\r\n{free}", "UID:c\r\nDTSTART;VALUE=DATE:20270302\r\n")
    assert dates_from_ics(data, until=dt.date(2027, 12, 31)) == [dt.date(2027, 3, 2)]


@pytest.mark.parametrize("rule", ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MINUTELY;BYMONTH=4,6;BYMONTHDAY=31,-31"])
def test_a_rule_whose_months_never_have_its_day_is_refused_at_once(rule: str) -> None:
    """dateutil looked for such a day until the year 9999 (5 to 13 s an event) and found nothing."""
    data = ics(f"UID:never\r\nSUMMARY:Inventory\r\nDTSTART;VALUE=DATE:20260105\r\nRRULE:{rule}\r\n")
    with pytest.raises(InvalidInput, match=r"\(Inventory\) never happens: no month it names \(BYMONTH="):
        dates_from_ics(data, until=dt.date(2028, 12, 31))


def test_a_leap_day_rule_is_not_refused() -> None:
    data = ics("UID:leap\r\nDTSTART;VALUE=DATE:20280229\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29\r\n")
    assert dates_from_ics(data, until=dt.date(2028, 12, 31)) == [dt.date(2028, 2, 29)]


@pytest.mark.parametrize(
    ("rule", "may"),
    [
        ("FREQ=HOURLY;BYMONTH=6;BYWEEKNO=1", False),  # week 1 is never in June
        ("FREQ=DAILY;BYMONTH=1;BYYEARDAY=200", False),  # day 200 is in July
        ("FREQ=MINUTELY;BYMONTH=7;BYWEEKNO=2", False),
        ("FREQ=DAILY;BYMONTH=3;BYMONTHDAY=-1;BYDAY=MO;BYYEARDAY=1", False),
        ("FREQ=WEEKLY;BYDAY=FR", True),
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24,25", True),
        ("FREQ=MONTHLY;BYDAY=-1FR", True),  # the last Friday: any Friday may be it
        ("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", True),
        ("FREQ=YEARLY;BYWEEKNO=53", True),  # 2026 has a week 53
        ("FREQ=YEARLY;BYYEARDAY=-1", True),  # New Year's Eve
        ("FREQ=DAILY", True),
    ],
)
def test_a_rule_that_picks_no_day_within_the_horizon_is_not_handed_to_dateutil(rule: str, may: bool) -> None:
    """dateutil searched for such a rule's first day until the year 9999: 4 to 5 s of CPU an event (a
    real-world probe, 2026-12-07). The days' filters are checked over the horizon first."""
    import icalendar

    from app.services.sla.admin import _may_happen

    parsed = icalendar.vRecur.from_ical(rule)
    assert _may_happen(parsed, dt.date(2026, 1, 1), dt.date(2028, 12, 31)) is may


def test_a_utf16_file_from_notepad_is_read() -> None:
    data = ics("UID:1\r\nSUMMARY:Betriebsausflug Köln\r\nDTSTART;VALUE=DATE:20270604\r\n")
    assert dates_from_ics(data.decode().encode("utf-16"), until=dt.date(2027, 12, 31)) == [dt.date(2027, 6, 4)]


@pytest.mark.parametrize(
    ("name", "named"),
    [("Europe/Berlin", True), ("Europe/Kyiv", True), ("Europe/Kiev", True), ("UTC", True), ("localtime", False),
     ("posix/Europe/Berlin", False), ("right/UTC", False), ("Mars/Olympus_Mons", False), ("UTC+5", False)],
)  # fmt: skip
def test_a_calendars_time_zone_is_one_every_server_knows(name: str, named: bool) -> None:
    """zoneinfo read 'localtime' and 'posix/Europe/Berlin' from the system's files; the embedded server refused
    them with its raw constraint's name, exit 1 (a full disk, by the README's codes)."""
    from app.services.sla.admin import is_named_zone

    assert is_named_zone(name) is named


def test_each_day_is_named_by_its_events_titles_on_one_line() -> None:
    """The team's own dates keep what the file calls them: the closed days listed "closed (the team's own
    date)" for every one, and a lead could not tell an offsite from an inventory."""
    data = ics(
        "UID:1\r\nDTSTART;VALUE=DATE:20271223\r\nDTEND;VALUE=DATE:20271225\r\nSUMMARY:Team\\n retreat\r\n",
        "UID:2\r\nDTSTART;VALUE=DATE:20271224\r\nSUMMARY:Inventory\r\n",
        "UID:3\r\nDTSTART;VALUE=DATE:20271224\r\nSUMMARY:Inventory\r\n",  # the same title twice: once
        "UID:4\r\nDTSTART;VALUE=DATE:20271227\r\n",  # no title: no name
    )
    assert named_days_from_ics(data, until=UNTIL) == {
        dt.date(2027, 12, 23): "Team retreat",
        dt.date(2027, 12, 24): "Team retreat; Inventory",
        dt.date(2027, 12, 27): "",
    }


def test_a_timed_event_closes_only_a_day_it_takes_half_of() -> None:
    """One Outlook export of a daily stand-up closed every working day for two years (541 days), and every
    SLA clock on the calendar stopped; a maintenance window from 23:00 to 01:00 closed two whole days."""
    standup = ics(
        "UID:s\r\nDTSTART;TZID=Europe/Berlin:20261207T091500\r\nDTEND;TZID=Europe/Berlin:20261207T093000\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\n"
    )
    assert dates_from_ics(standup, until=UNTIL, time_zone="Europe/Berlin") == []
    window = ics("UID:m\r\nDTSTART:20270305T230000\r\nDTEND:20270306T010000\r\n")
    assert dates_from_ics(window, until=UNTIL) == []
    training = ics("UID:t\r\nDTSTART:20270308T090000\r\nDTEND:20270308T170000\r\n")  # a working day: closed
    afternoon = ics("UID:a\r\nDTSTART:20270309T130000\r\nDTEND:20270309T170000\r\n")  # half a day: closed
    instant = ics("UID:i\r\nDTSTART:20270310T090000\r\n")  # a moment, no end: nothing
    assert dates_from_ics(training, until=UNTIL) == [dt.date(2027, 3, 8)]
    assert dates_from_ics(afternoon, until=UNTIL) == [dt.date(2027, 3, 9)]
    assert dates_from_ics(instant, until=UNTIL) == []


def test_with_the_calendars_hours_a_timed_event_closes_a_day_it_takes_half_the_open_hours_of() -> None:
    """A review of the four-hour rule: an evening's maintenance from 18:00 to 22:00 took four hours of the day
    and none of the office's, and closed a working day."""
    office = {day: ((9 * 60, 17 * 60),) for day in range(5)}  # Monday to Friday, 09:00-17:00
    cases = {
        "UID:e\r\nDTSTART:20270308T180000\r\nDTEND:20270308T220000\r\n": [],  # the evening's maintenance
        "UID:a\r\nDTSTART:20270309T130000\r\nDTEND:20270309T170000\r\n": [dt.date(2027, 3, 9)],  # half the day
        "UID:s\r\nDTSTART:20270310T140000\r\nDTEND:20270310T170000\r\n": [],  # three of eight hours
        "UID:w\r\nDTSTART:20270313T090000\r\nDTEND:20270313T170000\r\n": [],  # a Saturday: closed already
    }
    for event, closed in cases.items():
        assert list(named_days_from_ics(ics(event), until=UNTIL, hours=office)) == closed, event
