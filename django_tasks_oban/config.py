"""The backend's ``OPTIONS``, parsed and validated once into a frozen object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oban import Oban
from psycopg_pool import AsyncConnectionPool

DEFAULT_QUEUE = "default"
DEFAULT_CONCURRENCY = 10
DEFAULT_MAX_ATTEMPTS = 20
DEFAULT_PREFIX = "public"
DEBOUNCE_INTERVAL = 0.002

# Oban.py's own settings, handed to ``oban.Oban`` as they are.
PASSTHROUGH = {
    "NODE": "node",
    "SHUTDOWN_GRACE_PERIOD": "shutdown_grace_period",
    "LIFELINE": "lifeline",
    "PRUNER": "pruner",
    "STAGER": "stager",
    "REFRESHER": "refresher",
    "METRICS": "metrics",
    "SCHEDULER": "scheduler",
}

KNOWN = {
    "QUEUE",
    "DEFAULT_CONCURRENCY",
    "QUEUES",
    "POOL",
    "DATABASE",
    "PREFIX",
    "MAX_ATTEMPTS",
    "CRON",
    *PASSTHROUGH,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with ``OPTIONS``: a system check id, a message and a hint."""

    id: str
    msg: str
    hint: str


class OptionsError(ValueError):
    """Raised when ``OPTIONS`` cannot be used; carries every :class:`Problem`."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.msg for problem in problems))


@dataclass(frozen=True, slots=True)
class CronEntry:
    """A periodic Django task: a cron expression, the task's path, Oban options."""

    expression: str
    path: str
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class ObanOptions:
    """The validated ``OPTIONS`` of an ``ObanTaskBackend``.

    >>> ObanOptions.from_options({"QUEUES": {"mail": 5}, "QUEUE": "mail"}).queues
    {'mail': 5}
    """

    queue: str = DEFAULT_QUEUE
    default_concurrency: int = DEFAULT_CONCURRENCY
    queues: dict[str, int] = field(default_factory=lambda: {DEFAULT_QUEUE: 10})
    pool: dict[str, Any] = field(default_factory=dict)
    database: str = "default"
    prefix: str = DEFAULT_PREFIX
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    cron: tuple[CronEntry, ...] = ()
    oban: dict[str, Any] = field(default_factory=dict)
    queue_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def oban_queues(self, limits: Mapping[str, int]) -> dict[str, int | dict[str, Any]]:
        """Oban.py's ``queues`` for these limits, with each queue's own options.

        The producers coalesce a fetch for the slots freed within
        ``debounce_interval``. Sync tasks finish in threads, a little apart, so
        a shorter window than Oban.py's 5 ms keeps the slots busy.

        >>> ObanOptions().oban_queues({"mail": 5})
        {'mail': {'debounce_interval': 0.002, 'limit': 5}}
        """
        return {
            name: {
                "debounce_interval": DEBOUNCE_INTERVAL,
                **self.queue_options.get(name, {}),
                "limit": limit,
            }
            for name, limit in limits.items()
        }

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ObanOptions:
        """Parse ``OPTIONS``, raising :class:`OptionsError` listing every problem."""
        parsed, problems = cls.parse(options)
        if problems:
            raise OptionsError(problems)
        return parsed

    @classmethod
    def parse(cls, options: Mapping[str, Any]) -> tuple[ObanOptions, list[Problem]]:
        """Parse ``OPTIONS`` into the options that are valid and the problems.

        Each invalid option falls back to its default, so that the system
        checks can still look at the rest (the database, the periodic tasks).
        """
        problems: list[Problem] = []
        unknown = sorted(set(options) - KNOWN)
        if unknown:
            problems.append(
                Problem(
                    "django_tasks_oban.E003",
                    f"Unknown OPTIONS key(s): {', '.join(unknown)}.",
                    f"Valid keys are: {', '.join(sorted(KNOWN))}.",
                )
            )
        concurrency = options.get("DEFAULT_CONCURRENCY", DEFAULT_CONCURRENCY)
        if not _is_positive_int(concurrency):
            problems.append(_concurrency_problem("DEFAULT_CONCURRENCY", concurrency))
            concurrency = DEFAULT_CONCURRENCY
        queue = options.get("QUEUE", DEFAULT_QUEUE)
        queue_options: dict[str, dict[str, Any]] = {}
        queues = _parse_queues(
            options.get("QUEUES"), queue, concurrency, problems, queue_options
        )
        if not isinstance(queue, str) or queue not in queues:
            problems.append(
                Problem(
                    "django_tasks_oban.E005",
                    f"QUEUE {queue!r} is not one of QUEUES ({', '.join(queues)}).",
                    "Add it to OPTIONS['QUEUES'] or pick one of those queues.",
                )
            )
        pool = _parse_pool(options.get("POOL", {}), problems)
        max_attempts = options.get("MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)
        if not _is_positive_int(max_attempts):
            problems.append(
                Problem(
                    "django_tasks_oban.E007",
                    f"MAX_ATTEMPTS must be a positive integer, not {max_attempts!r}.",
                    "Oban's default is 20.",
                )
            )
            max_attempts = DEFAULT_MAX_ATTEMPTS
        names = {"DATABASE": "default", "PREFIX": DEFAULT_PREFIX}
        for key, default in names.items():
            value = options.get(key, default)
            if isinstance(value, str) and value:
                names[key] = value
            else:
                problems.append(
                    Problem(
                        "django_tasks_oban.E008",
                        f"{key} must be a non-empty string, not {value!r}.",
                        "DATABASE is a DATABASES alias; PREFIX a PostgreSQL schema.",
                    )
                )
        cron = _parse_cron(options.get("CRON", ()), problems)
        oban = {PASSTHROUGH[key]: options[key] for key in PASSTHROUGH if key in options}
        parsed = cls(
            queue=queue if queue in queues else DEFAULT_QUEUE,
            default_concurrency=concurrency,
            queues=queues or {DEFAULT_QUEUE: concurrency},
            pool=pool,
            database=names["DATABASE"],
            prefix=names["PREFIX"],
            max_attempts=max_attempts,
            cron=cron,
            oban=oban,
            queue_options=queue_options,
        )
        if not problems and (problem := _oban_problem(parsed)):
            problems.append(problem)
            parsed = replace(parsed, oban={})
        return parsed, problems


def _oban_problem(options: ObanOptions) -> Problem | None:
    """Oban.py's own verdict on its settings, from building an Oban with them."""
    node = options.oban.get("node", "node")
    grace = options.oban.get("shutdown_grace_period", 0)
    error: object = None
    if not isinstance(node, str) or not node.strip():
        error = f"NODE must be a non-empty string, not {node!r}"
    elif grace is not None and (
        not isinstance(grace, (int, float)) or isinstance(grace, bool) or grace < 0
    ):
        error = f"SHUTDOWN_GRACE_PERIOD must be seconds (>= 0) or None, not {grace!r}"
    else:
        try:
            Oban(
                pool=AsyncConnectionPool("", open=False),
                name="django_tasks_oban.check",
                queues=options.oban_queues(options.queues),
                prefix=options.prefix,
                **options.oban,
            )
        except (TypeError, ValueError, KeyError) as refused:  # Oban.py's checks
            error = refused
    if error is None:
        return None
    return Problem(
        "django_tasks_oban.E012",
        f"Oban.py refuses these settings: {error}",
        "NODE, SHUTDOWN_GRACE_PERIOD, LIFELINE, PRUNER, STAGER, REFRESHER, METRICS "
        "and SCHEDULER are handed to oban.Oban(); see its documentation.",
    )


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _concurrency_problem(where: str, value: object) -> Problem:
    return Problem(
        "django_tasks_oban.E004",
        f"{where} must be a positive integer, not {value!r}.",
        "A queue's limit is how many of its tasks run at once on one worker.",
    )


def _parse_queues(
    raw: object,
    queue: object,
    concurrency: int,
    problems: list[Problem],
    extra: dict[str, dict[str, Any]],
) -> dict[str, int]:
    """Each queue's limit; Oban.py options of queues given as dicts go in ``extra``."""
    if raw is None:
        name = queue if isinstance(queue, str) else DEFAULT_QUEUE
        return {name: concurrency}
    if not isinstance(raw, Mapping) or not raw:
        problems.append(
            Problem(
                "django_tasks_oban.E004",
                f"QUEUES must be a non-empty dict of queue name to limit, not {raw!r}.",
                'For example {"default": 10, "mail": 5}.',
            )
        )
        return {}
    queues: dict[str, int] = {}
    for name, value in raw.items():
        limit = value
        if isinstance(value, Mapping):
            limit = value.get("limit", concurrency)
            extra[name] = {key: item for key, item in value.items() if key != "limit"}
            debounce = value.get("debounce_interval", 0)
            if (
                isinstance(debounce, bool)
                or not isinstance(debounce, (int, float))
                or debounce < 0
            ):
                problems.append(
                    Problem(
                        "django_tasks_oban.E004",
                        f"QUEUES[{name!r}]['debounce_interval'] must be seconds "
                        f"(>= 0), not {debounce!r}.",
                        "It is how long a queue gathers freed slots before a fetch.",
                    )
                )
        elif value is None:
            limit = concurrency
        if not isinstance(name, str) or not name.strip():
            problems.append(
                Problem(
                    "django_tasks_oban.E004",
                    f"Queue names must be non-empty strings, not {name!r}.",
                    'For example {"default": 10, "mail": 5}.',
                )
            )
        elif not _is_positive_int(limit):
            problems.append(_concurrency_problem(f"QUEUES[{name!r}]", limit))
        else:
            queues[name] = limit
    return queues


POOL_KEYS = {"min_size", "max_size", "timeout", "max_idle", "max_lifetime"}


def _parse_pool(raw: object, problems: list[Problem]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        problems.append(
            Problem(
                "django_tasks_oban.E006",
                f"POOL must be a dict, not {raw!r}.",
                'For example {"min_size": 1, "max_size": 20}.',
            )
        )
        return {}
    pool = dict(raw)
    unknown = sorted(set(pool) - POOL_KEYS)
    if unknown:
        problems.append(
            Problem(
                "django_tasks_oban.E006",
                f"Unknown POOL key(s): {', '.join(unknown)}.",
                f"Valid keys are: {', '.join(sorted(POOL_KEYS))}.",
            )
        )
    sizes = {key: pool[key] for key in ("min_size", "max_size") if key in pool}
    for key, value in sizes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(
                Problem(
                    "django_tasks_oban.E006",
                    f"POOL[{key!r}] must be a non-negative integer, not {value!r}.",
                    "min_size connections stay open; max_size bounds the pool.",
                )
            )
            return pool
    if len(sizes) == 2 and sizes["min_size"] > sizes["max_size"]:
        problems.append(
            Problem(
                "django_tasks_oban.E006",
                f"POOL min_size ({sizes['min_size']}) is greater than "
                f"max_size ({sizes['max_size']}).",
                "Make max_size at least min_size.",
            )
        )
    return pool


def _parse_cron(raw: object, problems: list[Problem]) -> tuple[CronEntry, ...]:
    from oban._scheduler import Expression

    entries: list[CronEntry] = []
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    for item in raw:
        entry = _cron_entry(item)
        if entry is None:
            problems.append(
                Problem(
                    "django_tasks_oban.E010",
                    f"CRON entries are (expression, task path[, options]), "
                    f"not {item!r}.",
                    'For example ("*/5 * * * *", "shop.tasks.cleanup").',
                )
            )
            continue
        try:
            Expression.parse(entry.expression)
            if entry.timezone is not None:
                ZoneInfo(entry.timezone)
        except (ValueError, ZoneInfoNotFoundError) as error:
            problems.append(
                Problem(
                    "django_tasks_oban.E010",
                    f"CRON entry {entry.expression!r} for {entry.path} is "
                    f"invalid: {error}",
                    "Use five cron fields or a nickname such as @daily, and an "
                    "IANA timezone name such as Europe/Lisbon.",
                )
            )
            continue
        entries.append(entry)
    return tuple(entries)


def _cron_entry(item: object) -> CronEntry | None:
    if not isinstance(item, (list, tuple)) or len(item) not in (2, 3):
        return None
    expression, path, *rest = item
    opts = rest[0] if rest else {}
    if (
        not isinstance(expression, str)
        or not isinstance(path, str)
        or not isinstance(opts, Mapping)
        or set(opts) - {"timezone"}
    ):
        return None
    timezone = opts.get("timezone")
    if timezone is not None and not isinstance(timezone, str):
        return None
    return CronEntry(expression, path, timezone)
