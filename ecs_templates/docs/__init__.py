"""Documentation of finished templates: architecture diagrams, cost estimates, the per-version README.

Everything here reads the template dicts exactly as CloudFormation receives them (the
rendered JSON), never the builders, so a stack added later is documented without
changes here.
"""
from __future__ import annotations
