"""The SLA clock: business minutes in the business's time zone.

A target of 60 minutes opened at 17:30 on a Friday with 09:00-18:00 on weekdays is due at
09:30 on Monday. The clock of a ticket runs only while it waits on the business (new, open);
pending, on hold and solved pause it. A ticket keeps the business minutes it used so far
(`sla_elapsed_minutes`) and the moment its clock last started (`sla_resumed_at`); its due times
are recomputed each time the clock starts again.
"""
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

MAX_DAYS = 3660  # a year of searching is far more than any target needs


@dataclass(frozen=True)
class BusinessHours:
    time_zone: str = "UTC"
    days: str = "12345"            # ISO weekdays
    starts: time = time(9, 0)
    ends: time = time(18, 0)
    always: bool = False           # around the clock

    @classmethod
    def of(cls, policy, time_zone: str) -> "BusinessHours":
        return cls(time_zone=time_zone, days=policy.business_days, starts=_as_time(policy.day_starts),
                   ends=_as_time(policy.day_ends), always=policy.around_the_clock)

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def window(self, day):
        """The working window of a local date, as aware datetimes, or None on a day off."""
        if str(day.isoweekday()) not in self.days:
            return None
        tz = self.tz
        return datetime.combine(day, self.starts, tzinfo=tz), datetime.combine(day, self.ends, tzinfo=tz)


def _as_time(value) -> time:
    if isinstance(value, str):
        return time.fromisoformat(value)
    return value


def add_business_minutes(start: datetime, minutes: float, hours: BusinessHours) -> datetime:
    """The moment `minutes` business minutes after `start`."""
    if hours.always:
        return start + timedelta(minutes=minutes)
    remaining = timedelta(minutes=max(minutes, 0))
    current = start
    day = start.astimezone(hours.tz).date()
    for _ in range(MAX_DAYS):
        window = hours.window(day)
        if window is not None:
            opens, closes = window
            current = max(current, opens)
            if current < closes:
                available = closes - current
                if remaining <= available:
                    return current + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("No business hours to count SLA minutes in.")


def business_minutes_between(start: datetime, end: datetime, hours: BusinessHours) -> float:
    """Business minutes from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    if hours.always:
        return (end - start).total_seconds() / 60
    total = timedelta()
    day = start.astimezone(hours.tz).date()
    last = end.astimezone(hours.tz).date()
    while day <= last:
        window = hours.window(day)
        if window is not None:
            opens, closes = max(window[0], start), min(window[1], end)
            if closes > opens:
                total += closes - opens
        day += timedelta(days=1)
    return total.total_seconds() / 60
