"""Send pacing: WhatsApp's throughput limits, kept by every worker together.

Meta lets a business phone number send 80 messages a second by default (up to 1,000 on a higher
tier: `WhatsAppConfig.messages_per_second`), and one customer receive about one message every 6
seconds from a business, with short bursts allowed (the "pair rate limit"). Going over answers
130429 (throughput) or 131056 (pair). Each send first takes its turn on both:

- one GCRA schedule (generic cell rate algorithm: a "theoretical arrival time" per key) for the
  number and one for the (number, recipient) pair, both taken in one step, in Redis when
  REDIS_URL is set (one Lua script call per send: atomic, on Redis's clock, so every worker
  process and machine share them), else in this process (the embedded default has one worker);
- a send whose turn is within `MAX_WAIT_SECONDS` waits for it; a later one raises `Later`, and
  the outbox sends it again after a back-off (nothing lost, the conversation's order kept: the
  messages of one event go out in order and a later event of the conversation waits for the
  retry);
- when Meta answers 130429 or 131056 anyway (another sender on the number, a lower tier than
  configured), `back_off` pushes that schedule forward, so every worker pauses that number or
  that pair, not just the one that was told.
"""
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

DEFAULT_RATE = 80
MAX_RATE = 1000
PAIR_INTERVAL_SECONDS = 6.0
PAIR_BURST = 45
MAX_WAIT_SECONDS = 2.0
THROUGHPUT_ERROR = 130429
PAIR_ERROR = 131056

# KEYS[1]: the schedule. ARGV: interval (microseconds between sends), burst (sends allowed at
# once), hold (microseconds until the next turn, for a back-off; 0 to take a turn).
# Answers the microseconds to wait: 0 when the turn was taken now.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval, burst, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if hold > 0 then
  tat = math.max(tat, now + hold + interval * (burst - 1))
  redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
  return 0
end
local allowed_at = tat - interval * (burst - 1)
if now < allowed_at then return allowed_at - now end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
return 0
"""

# KEYS: the schedules of one send (the pair's, the number's); ARGV: interval and burst of each, in
# turn. A turn on every schedule at once, or on none: answers the microseconds until all allow one
# (the longest wait), 0 when the turns were taken. One round trip per send instead of one per key.
_GCRA_ALL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tats, wait = {}, 0
for i = 1, #KEYS do
  local interval, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  local allowed_at = tat - interval * (burst - 1)
  if now < allowed_at and allowed_at - now > wait then wait = allowed_at - now end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  local tat = tats[i] + tonumber(ARGV[2 * i - 1])
  redis.call('SET', KEYS[i], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
return 0
"""


class Later(Exception):
    """The number or the recipient has no turn within MAX_WAIT_SECONDS: send again later."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"WhatsApp throughput: next turn in {wait:.1f} s")
        self.wait = wait


@dataclass(frozen=True)
class Schedule:
    key: str
    interval: float  # seconds between two sends
    burst: int  # sends allowed back to back


def number_schedule(phone_number_id: str, rate: int | None) -> Schedule:
    rate = min(max(int(rate or DEFAULT_RATE), 1), MAX_RATE)
    return Schedule(f"wa:pace:{phone_number_id}", 1.0 / rate, max(1, rate // 10))  # at most 1/10 s of sends at once


def pair_schedule(phone_number_id: str, wa_id: str) -> Schedule:
    return Schedule(f"wa:pace:{phone_number_id}:{wa_id}", PAIR_INTERVAL_SECONDS, PAIR_BURST)


class _LocalSchedules:
    """The same algorithm in this process (no Redis): a dict of arrival times under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}

    def run(self, schedule: Schedule, hold: float) -> float:
        with self._lock:
            now = time.monotonic()
            tat = max(self._tat.get(schedule.key, now), now)
            if hold > 0:
                # past the burst's tolerance too, so the next turn is `hold` away
                self._tat[schedule.key] = max(tat, now + hold + schedule.interval * (schedule.burst - 1))
                return 0.0
            allowed_at = tat - schedule.interval * (schedule.burst - 1)
            if now < allowed_at:
                return allowed_at - now
            self._tat[schedule.key] = tat + schedule.interval
            if len(self._tat) > 100_000:
                self._tat = {k: v for k, v in self._tat.items() if v > now}
            return 0.0


    def run_all(self, schedules: tuple[Schedule, ...]) -> float:
        """A turn on every schedule or on none (as _GCRA_ALL): the longest wait, 0 if taken."""
        with self._lock:
            now = time.monotonic()
            tats = [max(self._tat.get(s.key, now), now) for s in schedules]
            wait = max((tat - s.interval * (s.burst - 1) - now for s, tat in zip(schedules, tats, strict=True)),
                       default=0.0)
            if wait > 0:
                return wait
            for schedule, tat in zip(schedules, tats, strict=True):
                self._tat[schedule.key] = tat + schedule.interval
            return 0.0


_local = _LocalSchedules()
_redis_scripts: dict[str, Any] = {}
_redis_lock = threading.Lock()


def _redis(script: str = _GCRA):
    with _redis_lock:
        if script not in _redis_scripts:
            import redis

            url = settings.WHATSAPP_PACING_REDIS_URL or settings.REDIS_URL
            client = _redis_scripts["client"] if "client" in _redis_scripts else \
                redis.Redis.from_url(url, socket_timeout=2)
            _redis_scripts["client"] = client
            _redis_scripts[script] = client.register_script(script)
    return _redis_scripts[script]


def _shared() -> bool:
    return bool(settings.WHATSAPP_PACING_REDIS_URL or settings.REDIS_URL)


def _run(schedule: Schedule, hold: float = 0.0) -> float:
    """Take a turn on `schedule` (or push it by `hold` seconds): the seconds to wait, 0 if taken."""
    if not _shared():
        return _local.run(schedule, hold)
    micros = _redis()(keys=[schedule.key], args=[int(schedule.interval * 1e6), schedule.burst, int(hold * 1e6)])
    return int(micros) / 1e6


def _run_all(schedules: tuple[Schedule, ...]) -> float:
    """Take a turn on every schedule at once, or on none: the seconds to wait, 0 if taken."""
    if not _shared():
        return _local.run_all(schedules)
    args: list[int] = []
    for schedule in schedules:
        args += [int(schedule.interval * 1e6), schedule.burst]
    micros = _redis(_GCRA_ALL)(keys=[schedule.key for schedule in schedules], args=args)
    return int(micros) / 1e6


def take_turn(*, phone_number_id: str, wa_id: str, rate: int | None) -> None:
    """Wait for this send's turn on the number and on the recipient pair (both taken together,
    in one round trip to Redis); raises Later when the turn is more than MAX_WAIT_SECONDS away
    (no turn is taken then). WHATSAPP_PACING off: no wait."""
    if not settings.WHATSAPP_PACING:
        return
    schedules = (pair_schedule(phone_number_id, wa_id), number_schedule(phone_number_id, rate))
    waited = 0.0
    while True:
        wait = _run_all(schedules)
        if wait <= 0:
            return
        if waited + wait > MAX_WAIT_SECONDS:
            raise Later(wait)
        time.sleep(wait)
        waited += wait


def back_off(*, phone_number_id: str, wa_id: str, code: int | None) -> None:
    """Meta answered a throughput error: pause the number (130429, one second) or the pair
    (131056, one pair interval) for every worker."""
    if not settings.WHATSAPP_PACING:
        return
    if code == THROUGHPUT_ERROR:
        _run(number_schedule(phone_number_id, None), hold=1.0)
    elif code == PAIR_ERROR:
        _run(pair_schedule(phone_number_id, wa_id), hold=PAIR_INTERVAL_SECONDS)


def forget(*, phone_number_id: str, wa_id: str) -> None:
    """Drop the number's and the pair's schedules (a new tier takes effect at once; tests)."""
    keys = [number_schedule(phone_number_id, None).key, pair_schedule(phone_number_id, wa_id).key]
    if _shared():
        _redis().registered_client.delete(*keys)
    else:
        with _local._lock:
            for key in keys:
                _local._tat.pop(key, None)
