"""What an estimate is made of: the usage assumed, its priced lines, and how amounts round.

Each line is rounded to the cent; the yearly figure is twelve times the monthly one and
totals are sums of the rounded lines, so a printed table always adds up.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Sequence

from ecs_templates.docs.prices import RegionPrices
from ecs_templates.errors import EcsTemplatesError

CENT = Decimal("0.01")
MONTHS = 12

# Row order follows the seed's table (compute, registry, transfer, load balancer, block storage,
# monitoring), then what the seed did not have.
CATEGORIES = {
    "compute": "Compute", "registry": "Amazon ECR", "transfer": "AWS Data Transfer",
    "load_balancer": "Elastic Load Balancing", "block_storage": "Amazon EBS", "logs": "Amazon CloudWatch",
    "secrets": "AWS Secrets Manager", "public_ipv4": "Public IPv4 addresses", "database": "Amazon RDS",
    "file_storage": "Amazon EFS",
}


@dataclass(frozen=True)
class Usage:
    """What a template cannot know; every value is printed with the estimate."""

    hours_per_month: Decimal = Decimal(730)
    data_transfer_gb: Decimal = Decimal(100)
    log_ingest_gb: Decimal = Decimal(2)
    image_storage_gb: Decimal = Decimal("0.8")
    alb_lcu: Decimal = Decimal("0.25")
    nlb_lcu: Decimal = Decimal("0.25")
    efs_storage_gb: Decimal = Decimal(5)

    DESCRIPTIONS = {
        "hours_per_month": "hours a month everything runs",
        "data_transfer_gb": "GB a month served to the internet",
        "log_ingest_gb": "GB of container logs a month",
        "image_storage_gb": "GB of images stored in ECR",
        "alb_lcu": "average load balancer capacity units",
        "nlb_lcu": "average network load balancer capacity units",
        "efs_storage_gb": "GB stored on each EFS file system",
    }

    @classmethod
    def from_assignments(cls, assignments: Sequence[str]) -> "Usage":
        """`KEY=VALUE` pairs (the CLI's --assume) over the defaults."""
        known = [item.name for item in fields(cls)]
        values: dict[str, Decimal] = {}
        for assignment in assignments:
            key, separator, text = assignment.partition("=")
            key = key.strip().replace("-", "_")
            if not separator or key not in known:
                raise EcsTemplatesError(f"--assume {assignment}: expected KEY=VALUE with KEY one of "
                                        f"{', '.join(known)}")
            try:
                value = Decimal(text.strip())
            except InvalidOperation:
                raise EcsTemplatesError(f"--assume {assignment}: {text!r} is not a number") from None
            if not value.is_finite() or value < 0 or (key == "hours_per_month" and value > 744):
                raise EcsTemplatesError(f"--assume {assignment}: must be a number from 0"
                                        + (" to 744 (31 days)" if key == "hours_per_month" else " up"))
            values[key] = value
        return cls(**values)

    def describe(self) -> str:
        return "; ".join(f"{item.name}={getattr(self, item.name)} ({self.DESCRIPTIONS[item.name]})"
                         for item in fields(self))


@dataclass(frozen=True)
class Line:
    category: str
    service: str
    sizing: str
    monthly: Decimal
    optional: bool = False
    resource: str = ""  # the logical ID of what the line prices (an ECS service, a load balancer), if one


    @property
    def yearly(self) -> Decimal:
        return self.monthly * MONTHS


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: RegionPrices
    usage: Usage
    lines: tuple[Line, ...]
    not_priced: tuple[str, ...] = ()

    @property
    def required(self) -> Decimal:
        return sum((line.monthly for line in self.lines if not line.optional), Decimal("0.00"))

    @property
    def with_optional(self) -> Decimal:
        return sum((line.monthly for line in self.lines), Decimal("0.00"))

    def by_category(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            if not line.optional:
                totals[line.category] = totals.get(line.category, Decimal("0.00")) + line.monthly
        return totals


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain_decimal(value: float | None) -> Decimal | None:
    """A float read from a template as a Decimal written plainly (30, not 3E+1; 0.5, not 0.50)."""
    if value is None:
        return None
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def plural(count: Decimal | int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "es" if word.endswith("s") else "s")
