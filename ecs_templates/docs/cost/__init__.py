"""Monthly cost estimates read from a finished template and a price table.

Sizes come from the template as deployed with its parameter defaults (instance type,
desired counts, volume sizes, task CPU and memory, database class); what the template
cannot know (hours a month, GB served, GB of logs, ...) comes from `Usage`, whose values
are printed with every estimate. Each line is rounded to the cent; the yearly figure is
twelve times the monthly one and totals are sums of the rounded lines, so a printed
table always adds up. Resource types with no price rule are listed as not priced rather
than silently counted as free.

The parts: `model` (usage, lines, estimates, rounding), `placement` (where the tasks run
and how many), `rules` (the lines of each priced resource), `estimator` (one template's
estimate) and `render` (the Markdown table). This package re-exports what the rest of
ecs_templates uses, so `from ecs_templates.docs.cost import estimate` keeps working.
"""
from __future__ import annotations

from ecs_templates.docs.cost.estimator import FREE_TYPES, PRICED_TYPES, estimate
from ecs_templates.docs.cost.model import CATEGORIES, CENT, MONTHS, Estimate, Line, Usage, money
from ecs_templates.docs.cost.placement import fargate_services, fargate_size, services_on
from ecs_templates.docs.cost.render import amount, markdown_table, price_note, render_estimate, total_text
from ecs_templates.docs.cost.rules import FARGATE_LABELS, FARGATE_RATES

__all__ = [
    "CATEGORIES", "CENT", "FARGATE_LABELS", "FARGATE_RATES", "FREE_TYPES", "MONTHS", "PRICED_TYPES", "Estimate",
    "Line", "Usage", "amount", "estimate", "fargate_services", "fargate_size", "markdown_table", "money",
    "price_note", "render_estimate", "services_on", "total_text",
]
