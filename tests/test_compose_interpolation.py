"""Compose variable interpolation and dotenv files, as Compose reads them."""
from __future__ import annotations

import pytest

from ecs_templates.importers.compose.interpolation import (
    InterpolationError,
    dotenv_variables,
    interpolate,
    parse_dotenv,
)

VARIABLES = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize("text, expected", [
    ("$SET", "value"),
    ("${SET}", "value"),
    ("pre-${SET}-post", "pre-value-post"),
    ("${MISSING:-fallback}", "fallback"),
    ("${EMPTY:-fallback}", "fallback"),
    ("${EMPTY-fallback}", ""),
    ("${MISSING-fallback}", "fallback"),
    ("${SET:+other}", "other"),
    ("${EMPTY:+other}", ""),
    ("${EMPTY+other}", "other"),
    ("${MISSING:-${SET}x}", "valuex"),
    ("$$SET", "$SET"),
    ("cost: $$5", "cost: $5"),
    ("${SET:?needed}", "value"),
    ("no variables", "no variables"),
])
def test_interpolation(text, expected):
    assert interpolate(text, VARIABLES) == expected


def test_unset_variable_without_default_is_empty_and_reported():
    unset: list[str] = []
    assert interpolate("a${MISSING}b", VARIABLES, unset) == "ab"
    assert unset == ["MISSING"]


@pytest.mark.parametrize("text, fragment", [
    ("${MISSING:?set it in .env}", r"required variable MISSING is not set \(set it in \.env\)"),
    ("${EMPTY:?}", "required variable EMPTY is not set"),
    ("${MISSING?}", "required variable MISSING is not set"),
    ("$1", r"write \$\$ for a literal dollar"),
    ("${SET", "unclosed|expected }"),
    ("${SET:-x", "unclosed"),
    ("${SET:x}", r"expected }, :-, -, :\?, \?, :\+ or \+"),
    ("${1X}", "invalid variable name"),
])
def test_interpolation_errors(text, fragment):
    with pytest.raises(InterpolationError, match=fragment):
        interpolate(text, VARIABLES)


def test_dotenv_file_forms():
    text = ("# comment\n\nPLAIN=value # trailing comment\nexport EXPORTED=1\nSINGLE='lit ${PLAIN}'\n"
            'DOUBLE="a\\nb ${PLAIN}"\nREF=${PLAIN}-x\nEMPTY=\nBARE\n')
    variables = dotenv_variables(text, {})
    assert variables == {"PLAIN": "value", "EXPORTED": "1", "SINGLE": "lit ${PLAIN}",
                         "DOUBLE": "a\nb value", "REF": "value-x", "EMPTY": ""}
    assert ("BARE", None) in parse_dotenv(text)


def test_environment_wins_over_dotenv_in_dotenv_values():
    assert dotenv_variables("A=${HOME_DIR}/x\n", {"HOME_DIR": "/home/u"}) == {"A": "/home/u/x"}


@pytest.mark.parametrize("text, fragment", [
    ("NOT A NAME=1\n", "line 1: 'NOT A NAME' is not a variable name"),
    ("A='open\n", "line 1: unclosed single quote"),
    ('B="open\n', "line 1: unclosed double quote"),
])
def test_dotenv_errors(text, fragment):
    with pytest.raises(InterpolationError, match=fragment):
        parse_dotenv(text)
