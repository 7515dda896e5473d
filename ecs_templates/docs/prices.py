"""The price table: a dated JSON file of unit prices per region, shipped with the package or the user's own.

Prices are inputs, never constants in code: the table carries its date (`as_of`), its
`source` and `currency`, and every estimate prints them. A region may say
`{"same_as": "us-east-1"}` when AWS lists the same prices for both. Amounts are read as
Decimal so that estimates round exactly.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from ecs_templates.errors import EcsTemplatesError

SHIPPED = "prices.json"
DEFAULT_REGION = "us-east-1"

# Each region must hold these keys: a number, a mapping of named numbers ("map"), or a nested spec.
REGION_SPEC: Mapping[str, Any] = {
    "ec2_hourly": "map",
    "ebs_gb_month": "map",
    "fargate": {architecture: {"vcpu_hour": "number", "gb_hour": "number"}
                for architecture in ("arm64", "x86_64", "spot")},
    "alb": {"hour": "number", "lcu_hour": "number"},
    "nlb": {"hour": "number", "nlcu_hour": "number"},
    "efs_gb_month": "number",
    "rds_hourly": "map",
    "rds_storage_gb_month": "map",
    "secrets_manager_secret_month": "number",
    "cloudwatch_logs": {"ingest_gb": "number", "storage_gb_month": "number"},
    "ecr_gb_month": "number",
    "data_transfer_out_gb": "number",
    "public_ipv4_hour": "number",
}


class PriceError(EcsTemplatesError):
    """The price table is missing, malformed, or has no price for what is asked."""


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    source: str
    currency: str
    location: str
    regions: Mapping[str, Mapping[str, Any]]

    def region(self, name: str) -> "RegionPrices":
        if name not in self.regions:
            raise PriceError(f"--region {name}: {self.location} has no prices for it; regions with prices: "
                             f"{', '.join(sorted(self.regions))} (or pass your own table with --prices FILE)")
        return RegionPrices(name, self, self.regions[name])


@dataclass(frozen=True)
class RegionPrices:
    name: str
    table: PriceTable
    prices: Mapping[str, Any]

    def get(self, *path: str) -> Decimal:
        value: Any = self.prices
        for key in path:
            if not isinstance(value, Mapping) or key not in value:
                raise PriceError(f"{self.table.location}: no price for {'.'.join(path)} in region {self.name}; "
                                 "add it to the price table")
            value = value[key]
        return value


def load_prices(path: Path | None = None) -> PriceTable:
    """The shipped table, or the user's file; every price checked (present, a number, not negative)."""
    if path is None:
        text = resources.files("ecs_templates.docs").joinpath(SHIPPED).read_text(encoding="utf-8")
        location = f"ecs_templates/docs/{SHIPPED}"
    else:
        location = str(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise PriceError(f"price file {path} does not exist") from None
        except UnicodeDecodeError:
            raise PriceError(f"price file {path} is not UTF-8 text") from None
        except OSError as error:
            raise PriceError(f"cannot read price file {path}: {error.strerror}") from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as error:
        raise PriceError(f"{location}: not valid JSON ({error.msg}, line {error.lineno})") from None
    return parse_prices(data, location)


def parse_prices(data: Any, location: str) -> PriceTable:
    if not isinstance(data, Mapping):
        raise PriceError(f"{location}: must hold a JSON object with as_of, source, currency and regions")
    for key in ("as_of", "source", "currency"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise PriceError(f"{location}: `{key}` is missing; a price table must say its date, source and currency")
    raw_regions = data.get("regions")
    if not isinstance(raw_regions, Mapping) or not raw_regions:
        raise PriceError(f"{location}: `regions` is missing or empty; give prices for at least one region")
    regions: dict[str, Mapping[str, Any]] = {}
    for name, prices in sorted(raw_regions.items()):
        if isinstance(prices, Mapping) and set(prices) == {"same_as"}:
            target = prices["same_as"]
            if target not in raw_regions or set(raw_regions[target]) == {"same_as"}:
                raise PriceError(f"{location}: regions.{name}.same_as names {target!r}, which is not a region "
                                 "with its own prices")
            prices = raw_regions[target]
        _check(prices, REGION_SPEC, f"regions.{name}", location)
        regions[name] = prices
    return PriceTable(data["as_of"], data["source"], data["currency"], location, regions)


def _check(value: Any, spec: Any, path: str, location: str) -> None:
    if spec == "number":
        _check_number(value, path, location)
    elif spec == "map":
        if not isinstance(value, Mapping) or not value:
            raise PriceError(f"{location}: {path} must map names to prices")
        for key, item in value.items():
            _check_number(item, f"{path}.{key}", location)
    else:
        if not isinstance(value, Mapping):
            raise PriceError(f"{location}: {path} must be an object with {', '.join(sorted(spec))}")
        for key, item_spec in spec.items():
            if key not in value:
                raise PriceError(f"{location}: {path}.{key} is missing; every region needs it")
            _check(value[key], item_spec, f"{path}.{key}", location)


def _check_number(value: Any, path: str, location: str) -> None:
    if not isinstance(value, Decimal):
        raise PriceError(f"{location}: {path} is {value!r}, not a number")
    if value < 0:
        raise PriceError(f"{location}: {path} is {value}; a price cannot be negative")
