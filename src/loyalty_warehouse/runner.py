"""Run dbt for the project against a raw folder and a warehouse file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import paths
from .preflight import PreflightResult, check_raw_dir

Progress = Callable[[str], None]


class BuildError(Exception):
    """dbt failed; the message says which step and where the log is."""


@dataclass
class BuildResult:
    warehouse: Path
    preflight: PreflightResult
    seconds: float


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(warehouse: Path, target_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(paths.PROFILES_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DBT_USE_COLORS="False",
        LOYALTY_WAREHOUSE_PATH=str(warehouse),
    )
    if target_path is not None:
        env["DBT_TARGET_PATH"] = str(target_path)
        env["DBT_LOG_PATH"] = str(target_path / "logs")
    return env


def run_dbt(
    args: list[str],
    warehouse: Path,
    dbt_vars: dict | None = None,
    target_path: Path | None = None,
    progress: Progress | None = None,
    extra_env: dict[str, str] | None = None,
) -> str:
    """Run one dbt command, streaming its output to ``progress``; return the output.

    ``extra_env`` selects another target, e.g. the PostgreSQL lane's LOYALTY_TARGET and LOYALTY_PG_*.
    """
    say = progress or (lambda _line: None)
    cmd = [dbt_executable(), *args]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    proc = subprocess.Popen(
        cmd,
        cwd=paths.PROJECT_DIR,
        env=dbt_env(warehouse, target_path) | (extra_env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        say(line.rstrip("\n"))
    code = proc.wait()
    output = "".join(lines)
    if code != 0:
        raise BuildError(f"`dbt {' '.join(args)}` failed (exit {code}); the failing models and tests are listed above")
    return output


def build(
    raw_dir: Path,
    warehouse: Path,
    extra_vars: dict | None = None,
    target_path: Path | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Check the raw files, then `dbt build` every model, test and seed into ``warehouse``."""
    say = progress or (lambda _line: None)
    started = time.perf_counter()
    warehouse = warehouse.resolve()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    say(f"checking raw files in {raw_dir}")
    pre = check_raw_dir(raw_dir.resolve(), warehouse.parent / "placeholders")
    for note in pre.notes():
        say(f"  note: {note}")
    say("  " + ", ".join(f"{name} {rows:,}" for name, rows in pre.row_counts.items()))
    dbt_vars = {"raw_locations": pre.locations, **(extra_vars or {})}
    say(f"building the warehouse {warehouse} with dbt")
    run_dbt(["build"], warehouse, dbt_vars, target_path, progress)
    return BuildResult(warehouse=warehouse, preflight=pre, seconds=time.perf_counter() - started)
