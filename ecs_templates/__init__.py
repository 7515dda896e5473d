"""Generate production-grade CloudFormation for containers on Amazon ECS."""
from __future__ import annotations

__version__ = "0.1.0"
