"""sqlfluff reports nothing on the project's SQL, ruff nothing on its Python (checks and format)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from loyalty_warehouse.paths import PROJECT_DIR
from loyalty_warehouse.runner import dbt_env


def test_sqlfluff_reports_no_violations(tmp_path: Path) -> None:
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    proc = subprocess.run(
        # two processes: about 85 s instead of 140 s on two cores (the dbt templater renders every file)
        [str(sqlfluff), "lint", "models", "tests/data", "analyses", "--processes", "2"],
        cwd=PROJECT_DIR,
        env=dbt_env(tmp_path / "lint.duckdb", tmp_path / "target"),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_reports_no_violations_and_the_code_is_formatted() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    for args in (["check", "src", "tests/python", "scripts"], ["format", "--check", "src", "tests/python", "scripts"]):
        proc = subprocess.run(
            [str(ruff), *args], cwd=PROJECT_DIR, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        assert proc.returncode == 0, f"ruff {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
