from __future__ import annotations

import sys

from ecs_templates.cli import main

sys.exit(main())
