"""The task sizes Fargate accepts: CPU units -> the memory values (MiB) allowed with them.

Data, not logic (AWS "Task CPU and memory" table for Linux tasks). Any other pair is
refused by RegisterTaskDefinition at deploy time; the generator refuses it at build time.
"""
from __future__ import annotations

VALID_MEMORY_MIB: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

CPU_VALUES: tuple[int, ...] = tuple(sorted(VALID_MEMORY_MIB))


def is_valid(cpu: int, memory: int) -> bool:
    return memory in VALID_MEMORY_MIB.get(cpu, ())


def describe_memory_values(cpu: int) -> str:
    """The memory values of one CPU size, as a reader wants them: a list, or a range with its step."""
    values = VALID_MEMORY_MIB[cpu]
    if len(values) <= 7:
        return ", ".join(map(str, values))
    return f"{values[0]} to {values[-1]} in steps of {values[1] - values[0]}"
