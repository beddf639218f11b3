"""The project's dbt vars, as the CLI and the Python checks see them.

`dbt_project.yml` is the one list of vars and their defaults. A user's `--vars` is checked against it
before dbt runs, so a misspelled var is an error that names the closest real one instead of being
silently ignored, and the Python checks (preflight, gates, the data profile) read the same values
the models will use.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from functools import lru_cache
from typing import Any

import yaml

from . import paths

# Vars a model reads with a default but that dbt_project.yml only mentions in a comment.
UNLISTED = {"raw_dir": None, "raw_format": None}


class VarsError(ValueError):
    """A --vars value the project cannot use; the message says what to write instead."""


@lru_cache(maxsize=1)
def defaults() -> dict[str, Any]:
    """Every var of the project with its default value."""
    config = yaml.safe_load((paths.PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return {**UNLISTED, **(config.get("vars") or {})}


def parse(text: str | None) -> dict[str, Any]:
    """A --vars option (JSON object) as a dict, checked against the project's vars."""
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VarsError(
            f"--vars is not valid JSON ({exc.msg} at character {exc.pos}); "
            """write an object in single quotes, e.g. --vars '{"member_window_days": 180}'"""
        ) from None
    if not isinstance(value, dict):
        raise VarsError(
            f"--vars must be a JSON object of var names and values, got {type(value).__name__}; "
            """e.g. --vars '{"member_window_days": 180}'"""
        )
    check_names(value)
    check_values(value)
    return value


def check_names(overrides: dict[str, Any]) -> None:
    known = defaults()
    for name in overrides:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise VarsError(f"unknown var '{name}': {hint}the project's vars are listed in dbt_project.yml")


def check_values(overrides: dict[str, Any]) -> None:
    """A value of the wrong kind fails here, naming the var, instead of deep inside a dbt model:
    dates (vars named *_date) are ISO dates or null, numbers are numbers, flags are true/false."""
    known = defaults()
    for name, value in overrides.items():
        default = known.get(name)
        if value is None:
            continue
        if name.endswith("_date"):
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                raise VarsError(f"var {name} is {value!r}; give a date as YYYY-MM-DD (or null)") from None
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise VarsError(f"var {name} is {value!r}; give true or false")
        elif isinstance(default, (int, float)) and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise VarsError(f"var {name} is {value!r}; give a number (the default is {default})")


def effective(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The values the models will use: the defaults with the user's overrides."""
    return {**defaults(), **(overrides or {})}
