"""Estimates as Markdown: the seed's cost table, its amounts, and the note on where prices come from."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Sequence

from ecs_templates.docs.cost.model import MONTHS, Estimate
from ecs_templates.docs.prices import RegionPrices


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> str:
    """A Markdown table padded to its column widths (readable as plain text too); align: l or r per column."""
    cells = [list(header)] + [[cell.replace("|", "\\|").replace("\n", " ") for cell in row] for row in rows]
    widths = [max(len(row[index]) for row in cells) for index in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(cell.rjust(width) if side == "r" else cell.ljust(width)
                                 for cell, width, side in zip(row, widths, align)) + " |"

    rule = "| " + " | ".join(("-" * (width - 1) + ":") if side == "r" else "-" * width
                             for width, side in zip(widths, align)) + " |"
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]]) + "\n"


def amount(value: Decimal, *, approximate: bool = False) -> str:
    return ("~" if approximate else "") + f"{value:,.2f}"


def total_text(low: Decimal, high: Decimal) -> str:
    return amount(low) if low == high else f"{amount(low)} - {amount(high)}"


def render_estimate(estimate_: Estimate) -> str:
    """The seed's table: service, sizing, monthly and yearly, optional lines marked, total as a range."""
    currency = estimate_.region.table.currency
    rows = [[f"**{line.service}**", line.sizing, amount(line.monthly, approximate=line.optional),
             amount(line.yearly, approximate=line.optional)] for line in estimate_.lines]
    rows.append(["**Total estimated**", "without - with the optional lines" if estimate_.required != estimate_.with_optional
                 else "", f"**{total_text(estimate_.required, estimate_.with_optional)}**",
                 f"**{total_text(estimate_.required * MONTHS, estimate_.with_optional * MONTHS)}**"])
    text = markdown_table(["Service", "Sizing", f"Monthly ({currency})", f"Yearly ({currency})"], rows, "llrr")
    if estimate_.not_priced:
        text += f"\nNot priced (no rule in the price table): {', '.join(estimate_.not_priced)}.\n"
    return text


def price_note(region: RegionPrices) -> str:
    table = region.table
    return (f"Prices: {region.name}, {table.currency}, as of {table.as_of}, from {table.location}; "
            f"source: {table.source}.")
