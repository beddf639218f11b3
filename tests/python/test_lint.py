"""sqlfluff reports nothing on the project's SQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from loyalty_warehouse.paths import PROJECT_DIR
from loyalty_warehouse.runner import dbt_env


def test_sqlfluff_reports_no_violations(tmp_path: Path) -> None:
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    proc = subprocess.run(
        [str(sqlfluff), "lint", "models", "tests/data", "analyses"],
        cwd=PROJECT_DIR,
        env=dbt_env(tmp_path / "lint.duckdb", tmp_path / "target"),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
