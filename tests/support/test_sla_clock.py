"""The SLA clock counts business minutes in the business's time zone."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

from support.sla import BusinessHours, add_business_minutes, business_minutes_between

IST = ZoneInfo("Asia/Kolkata")
HOURS = BusinessHours(time_zone="Asia/Kolkata", days="12345", starts=time(9), ends=time(18))


def at(*args):
    return datetime(*args, tzinfo=IST)


def test_minutes_within_a_working_day_are_added_directly():
    assert add_business_minutes(at(2026, 11, 18, 10, 0), 90, HOURS) == at(2026, 11, 18, 11, 30)


def test_minutes_left_at_closing_time_carry_over_to_the_next_morning():
    assert add_business_minutes(at(2026, 11, 18, 17, 30), 60, HOURS) == at(2026, 11, 19, 9, 30)


def test_friday_evening_carries_over_the_weekend():
    assert add_business_minutes(at(2026, 11, 20, 17, 30), 60, HOURS) == at(2026, 11, 23, 9, 30)


def test_a_ticket_opened_at_night_starts_counting_in_the_morning():
    assert add_business_minutes(at(2026, 11, 18, 23, 0), 15, HOURS) == at(2026, 11, 19, 9, 15)


def test_business_minutes_between_skip_nights_and_weekends():
    assert business_minutes_between(at(2026, 11, 20, 17, 0), at(2026, 11, 23, 10, 0), HOURS) == 120


def test_around_the_clock_counts_every_minute():
    always = BusinessHours(time_zone="UTC", always=True)
    assert business_minutes_between(at(2026, 11, 21, 0, 0), at(2026, 11, 21, 3, 0), always) == 180
