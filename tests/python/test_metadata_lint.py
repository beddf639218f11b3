"""The project's metadata is judged by dbt-score and dbt-bouncer on the parsed manifest (no build).

dbt-score: the thresholds in pyproject.toml ([tool.dbt-score]); dbt-bouncer: the conventions in
dbt-bouncer.yml (names by folder, sources read by the raw-entry layer only, contracts, descriptions
and owners on what BI reads, exposures and semantic models on public models only).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from loyalty_warehouse.paths import PROJECT_DIR

BIN = Path(sys.executable).parent


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=PROJECT_DIR, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def test_dbt_score_is_above_the_project_thresholds(parsed_target: Path) -> None:
    proc = _run([str(BIN / "dbt-score"), "lint", "--manifest", str(parsed_target / "manifest.json")])
    plain = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
    assert proc.returncode == 0, plain[-3000:] + proc.stderr
    score = float(re.search(r"Project score: ([0-9.]+)", plain).group(1))
    assert score >= 9.5, plain[-2000:]


def _bouncer(parsed_target: Path, config: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "dbt-bouncer.yml"
    path.write_text(f"dbt_artifacts_dir: {parsed_target}\n{config}")
    return _run([str(BIN / "dbt-bouncer"), "run", "--config-file", str(path)])


def test_dbt_bouncer_conventions_hold(parsed_target: Path, tmp_path: Path) -> None:
    proc = _bouncer(parsed_target, (PROJECT_DIR / "dbt-bouncer.yml").read_text(), tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "All checks passed" in proc.stdout


def test_dbt_bouncer_would_catch_a_misnamed_mart(parsed_target: Path, tmp_path: Path) -> None:
    """The same run with a stricter mart-name rule fails: the checks are really evaluated."""
    config = (PROJECT_DIR / "dbt-bouncer.yml").read_text().replace("^(fct|dim|rpt)_", "^(fct|dim)_")
    proc = _bouncer(parsed_target, config, tmp_path)
    assert proc.returncode != 0
    assert "rpt_rfm_segments" in proc.stdout + proc.stderr
