"""The user's input to cfn_helper.py: the error that names what to fix, and JSON files read with it.

Standard library only, like cfn_helper.py, which turns an `InputError` into one message
on stderr and exit 2.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class InputError(Exception):
    """Something the user gave (argument, file, value) is wrong; the message says what to fix."""


def load_json(path: str | Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path} is not valid JSON: {error.msg} at line {error.lineno}") from None
