"""Settings that follow the host's size, by formulas each variable's documentation states: the
JVM heap from memory, the thread pools from vCPUs. A sizing variable left `auto` is resolved on
the host at render time, from its gathered facts; a number is taken as it is.
"""

from __future__ import annotations

import re

AUTO = "auto"
HEAP_PATTERN = re.compile(r"^(\d+)([mMgG])$")
HEAP_MIN_MB = 256


def heap_mb(memory_mb: int, share: float = 0.25, floor_mb: int = 512, ceiling_mb: int = 6144) -> int:
    """A quarter of memory, at least 512 MiB and at most 6 GiB: Kafka lives on the page cache."""
    return max(floor_mb, min(ceiling_mb, int(memory_mb * share)))


def heap_size(value, memory_mb: int, **formula) -> str:
    """`-Xmx` of `value` (`auto`, or a size like 1024m or 4g)."""
    return f"{heap_mb(int(memory_mb), **formula)}m" if str(value) == AUTO else str(value)


def heap_error(value) -> str | None:
    """Why `value` is not a heap size the JVM takes (and the kit allows)."""
    if str(value) == AUTO:
        return None
    match = HEAP_PATTERN.match(str(value))
    if not match:
        return "must be auto or a size with a unit m or g, like 1024m or 4g (the JVM reads -Xmx4096 as bytes)"
    megabytes = int(match.group(1)) * (1024 if match.group(2) in "gG" else 1)
    if megabytes < HEAP_MIN_MB:
        return f"is {megabytes} MiB: Kafka needs at least {HEAP_MIN_MB}m"
    return None


# Thread pools: (formula from vCPUs, what the variable's documentation says).
THREADS = {
    "num.network.threads": (lambda cpus: max(3, cpus // 2), "one per two vCPUs, at least 3"),
    "num.io.threads": (lambda cpus: max(8, cpus * 2), "two per vCPU, at least 8"),
    "num.replica.fetchers": (lambda cpus: max(1, cpus // 4), "one per four vCPUs, at least 1"),
    "num.recovery.threads.per.data.dir": (lambda cpus: max(2, cpus), "one per vCPU, at least 2"),
}


def count_error(value) -> str | None:
    """Why `value` is not `auto` or a whole number of at least 1."""
    if str(value) == AUTO:
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(str(value)) < 1:
        return "must be auto or a whole number of at least 1"
    return None


def sized(properties: dict, vcpus: int) -> dict:
    """`properties` with every thread pool left `auto` sized from `vcpus`."""
    cpus = max(1, int(vcpus or 1))
    return {
        key: (THREADS[key][0](cpus) if key in THREADS and str(value) == AUTO else value)
        for key, value in properties.items()
    }
