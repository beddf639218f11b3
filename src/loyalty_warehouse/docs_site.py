"""`make docs` / `loyalty docs`: the dbt docs site, with the catalog read from the current build.

`dbt docs generate` opens its database read-write, so pointed at a published build it would fail
with a lock error whenever a reader (the dashboard, a BI tool) holds that build open, and could
write into what BI reads. It runs instead on a scratch copy of the current build: published builds
are never written after they are published, so a byte copy is a consistent snapshot, and copying
takes no lock.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import paths
from .published import PublishedBuild, WarehouseNotFound, current_build
from .runner import Progress, run_dbt

SITE_NAME = "static_index.html"


def target_dir() -> Path:
    """dbt's target folder: DBT_TARGET_PATH when set (relative to the project), else target/."""
    return paths.PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")


def generate_docs(warehouse: Path, progress: Progress | None = None) -> tuple[Path, PublishedBuild | None]:
    """Write ``static_index.html`` to dbt's target folder; return it and the build its catalog describes."""
    target = target_dir()
    target.mkdir(parents=True, exist_ok=True)
    # named like the published file, so the site shows the relation names a BI tool sees (loyalty.schema.table)
    scratch = target / "docs-catalog" / Path(warehouse).name
    scratch.parent.mkdir(exist_ok=True)
    scratch.unlink(missing_ok=True)
    try:
        build = current_build(warehouse)
        shutil.copyfile(build.database, scratch)
    except (WarehouseNotFound, FileNotFoundError):
        build = None  # dbt creates an empty scratch file: the site documents the project, with no catalog
    try:
        run_dbt(["docs", "generate", "--static", "--quiet"], scratch, target_path=target, progress=progress)
    finally:
        for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target / SITE_NAME, build
