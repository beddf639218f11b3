"""Run dbt for the project against a raw folder and a published warehouse.

Builds follow write-audit-publish: dbt writes a working file beside the published warehouse
(``loyalty.building.duckdb``); only when every dbt test and great-expectations gate passes is it
published: moved to ``builds/<build id>/loyalty.duckdb``, its public tables exported as Parquet, and the
pointer switched to it (see published.py for the layout). A failed or killed build leaves the
published warehouse and its export as they were, and readers never see a half-built warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import gates as ge_gates
from . import paths, project_vars
from .db import connect, quote_path
from .exports import export_public_tables, fsync
from .preflight import PreflightResult, check_raw_dir
from .profile import check_as_of_date, check_time_bounds, quarantine_summary
from .published import (
    KEEP_BUILDS_ENV,
    POINTER_VERSION,
    Layout,
    PublishedBuild,
    WarehouseNotFound,
    current_build,
    keep_builds,
    read_pointer,
    stable_path,
)

Progress = Callable[[str], None]


class BuildError(Exception):
    """dbt failed; the message says which step and where the log is."""


@dataclass
class BuildResult:
    warehouse: Path
    preflight: PreflightResult
    seconds: float
    data_docs: Path | None = None
    settings: dict = field(default_factory=dict)


def working_path(warehouse: Path) -> Path:
    """The file a build writes before it is published: ``<name>.building.duckdb`` beside it."""
    return warehouse.with_name(f"{warehouse.stem}.building{warehouse.suffix}")


def data_docs_path(warehouse: Path) -> Path:
    """Where the great-expectations Data Docs of the last build go (beside the warehouse)."""
    return warehouse.parent / "data_docs"


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader sees the old content or the new, never a part."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    fsync(temporary)
    os.replace(temporary, path)


def _link_atomically(link: Path, target: str) -> None:
    """Point the symlink ``link`` at ``target`` (relative), replacing whatever is at ``link`` in one rename."""
    if link.is_dir() and not link.is_symlink():
        raise BuildError(f"{link} is a folder; move it away so the current build can be linked there")
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


def _as_of_date(database: Path) -> str | None:
    con = connect()
    try:
        con.execute(f"attach {quote_path(database)} as built (read_only)")
        row = con.execute("select max(as_of_date) from built.member_facts.fct_members").fetchone()
    finally:
        con.close()
    return row[0].isoformat() if row and row[0] is not None else None


def _current_or_none(warehouse: Path) -> PublishedBuild | None:
    try:
        build = current_build(warehouse)
    except WarehouseNotFound:
        return None
    return build if build.database.is_file() else None


def prune(layout: Layout, current_id: str, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` builds (never the current one) and their exports."""
    ids = layout.published_build_ids()
    kept = set(ids[-keep:]) | {current_id}
    removed = [build_id for build_id in ids if build_id not in kept]
    for build_id in removed:
        # An open reader keeps reading an unlinked file; only new opens go to the current build.
        shutil.rmtree(layout.build_dir(build_id), ignore_errors=True)
        shutil.rmtree(layout.export_dir(build_id), ignore_errors=True)
    for leftover in layout.exports_dir.glob(f"{layout.stem}-*.partial") if layout.exports_dir.is_dir() else []:
        shutil.rmtree(leftover, ignore_errors=True)  # from a publish that was killed
    return removed


def reconcile_links(published: Path) -> list[str]:
    """Point the stable symlinks at the build the pointer names; return the links re-pointed.

    A publish switches the pointer first and the two symlinks after it, so a publish killed in
    between leaves the pointer (which the readers in published.py follow) on the new build and the
    symlinks (which a BI tool opening the stable path follows) on the one before. Every build and
    publish starts by putting them back in step; nothing happens when they already agree.
    """
    published = stable_path(published)
    layout = Layout(published)
    pointer = read_pointer(layout)
    if pointer is None:
        return []
    wanted = [(published, pointer["database"])]
    if pointer.get("exports"):
        wanted.append((layout.parquet_link, pointer["exports"]))
    repointed = []
    for link, target in wanted:
        if not (layout.folder / target).exists():
            continue  # a damaged layout is current_build's error to report, not this repair's
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.exists() and not link.is_symlink():
            continue  # a real file or folder there is never replaced (check_warehouse_path names it)
        _link_atomically(link, target)
        repointed.append(link.name)
    if repointed:
        fsync(layout.folder)
    return repointed


def publish(
    working: Path, published: Path, keep: int | None = None, progress: Progress | None = None
) -> PublishedBuild:
    """Publish the finished ``working`` file as the current build of ``published``; return that build.

    Order matters: the build file and its export are complete on disk before the pointer names
    them, and the pointer is switched before the stable symlinks; nothing is written in place.
    """
    say = progress or (lambda _line: None)
    published = stable_path(published)
    layout = Layout(published)
    keep = keep_builds(keep)
    for link in reconcile_links(published):
        say(f"  {link} re-pointed at the current build (a publish before this one was interrupted)")
    con = connect(working)
    try:
        con.execute("checkpoint")  # everything in the main file, nothing left in a .wal
    finally:
        con.close()
    fsync(working)
    build_id = layout.new_build_id()
    built_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    build = {"build_id": build_id, "built_at": built_at, "as_of_date": _as_of_date(working)}
    result = export_public_tables(working, layout.export_dir(build_id), build)
    exports = os.path.relpath(result.folder, layout.folder)
    rows = sum(result.tables.values())
    say(
        f"  parquet export: {len(result.tables)} public tables, {rows:,} rows in {result.seconds:.2f}s "
        f"-> {result.folder}"
    )
    layout.build_dir(build_id).mkdir(parents=True)
    os.replace(working, layout.build_file(build_id))
    fsync(layout.build_dir(build_id))
    fsync(layout.builds_dir)
    pointer = {
        "layout_version": POINTER_VERSION,
        **build,
        "database": os.path.relpath(layout.build_file(build_id), layout.folder),
        "exports": exports,
    }
    _write_atomically(layout.pointer, json.dumps(pointer, indent=2) + "\n")
    published.with_name(published.name + ".wal").unlink(missing_ok=True)
    _link_atomically(published, pointer["database"])
    _link_atomically(layout.parquet_link, exports)
    fsync(layout.folder)
    removed = prune(layout, build_id, keep)
    if removed:
        say(f"  pruned {len(removed)} older build(s), keeping the newest {keep} ({KEEP_BUILDS_ENV})")
    return current_build(published)


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(warehouse: Path, target_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(paths.PROFILES_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DBT_USE_COLORS="False",
        LOYALTY_DBT_PATH=str(warehouse),  # the file dbt writes (profiles.yml); never a published build
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


def check_warehouse_path(warehouse: Path) -> None:
    """Refuse a warehouse path that cannot be written, before any work is done."""
    if warehouse.is_dir():
        raise BuildError(f"--warehouse {warehouse} is a folder; give the path of a .duckdb file inside it")
    folder = warehouse.parent
    while not folder.exists():
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BuildError(
            f"cannot write the warehouse at {warehouse}: {folder} is not writable; choose another --warehouse"
        )
    if warehouse.exists() and not os.access(warehouse, os.W_OK):
        raise BuildError(
            f"cannot replace {warehouse}: the file is read-only; make it writable or choose another --warehouse"
        )


def build(
    raw_dir: Path,
    warehouse: Path,
    extra_vars: dict | None = None,
    target_path: Path | None = None,
    progress: Progress | None = None,
    *,
    gates: bool = True,
    docs_dir: Path | None = None,
    full_refresh: bool = False,
    keep: int | None = None,
) -> BuildResult:
    """Check the raw files, `dbt build` into a working file, run the gates, then publish to ``warehouse``.

    With ``gates`` the great-expectations suites run on the raw files before dbt and on the
    built warehouse before it is published; their Data Docs go to ``docs_dir`` (default
    ``data_docs/`` beside the warehouse). ``full_refresh`` rebuilds the incremental models from
    all the raw data instead of starting from the published warehouse. ``keep`` is how many
    published builds stay on disk (default ``LOYALTY_KEEP_BUILDS``, else 2).
    """
    say = progress or (lambda _line: None)
    steps = 5 if gates else 3
    step = iter(range(1, steps + 1))
    started = time.perf_counter()
    extra_vars = dict(extra_vars or {})
    project_vars.check_names(extra_vars)
    project_vars.check_values(extra_vars)
    settings = project_vars.effective(extra_vars)
    warehouse = stable_path(warehouse)
    keep = keep_builds(keep)  # a bad setting fails before the build, not after it
    check_warehouse_path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    for link in reconcile_links(warehouse):
        say(f"{link} re-pointed at the current build (a publish before this one was interrupted)")
    say(f"[{next(step)}/{steps}] checking raw files in {raw_dir}")
    pre = check_raw_dir(raw_dir.resolve(), warehouse.parent / "placeholders")
    for note in pre.notes():
        say(f"  note: {note}")
    say("  " + ", ".join(f"{name} {rows:,}" for name, rows in pre.row_counts.items()))
    check_time_bounds(pre, settings)
    check_as_of_date(pre, settings)
    docs = (docs_dir or data_docs_path(warehouse)) if gates else None
    if docs is not None:
        shutil.rmtree(docs, ignore_errors=True)
        say(f"[{next(step)}/{steps}] great-expectations raw gate")
        ge_gates.raise_on_failure(ge_gates.check_raw(pre.locations, docs, pre.row_counts))
    dbt_vars = {**pre.dbt_vars(), **extra_vars}
    working = working_path(warehouse)
    _remove(working)  # left over from a build that was killed
    previous = _current_or_none(warehouse)
    if previous is not None and not full_refresh:
        # start from the published warehouse, so incremental models only add what is new
        shutil.copyfile(previous.database, working)
    say(f"[{next(step)}/{steps}] building {working} with dbt (published to {warehouse} when every test passes)")
    try:
        run_dbt(["build", *(["--full-refresh"] if full_refresh else [])], working, dbt_vars, target_path, progress)
        if docs is not None:
            say(f"[{next(step)}/{steps}] great-expectations mart gate")
            ge_gates.raise_on_failure(ge_gates.check_marts(working, docs, dbt_vars))
    except (BuildError, ge_gates.GateError) as exc:
        # the unpublished build stays for inspection (failing test rows are in its dbt_test__audit schema)
        held = [h.describe() for h in quarantine_summary(working) if h.share > ge_gates.MAX_BAD_SHARE]
        why = ("; the quarantine held back more than usual: " + "; ".join(held)) if held else ""
        raise type(exc)(
            f"{exc}{why}. Nothing was published: {warehouse} is unchanged; the failed build is kept at {working}"
        ) from exc
    say(f"[{next(step)}/{steps}] publishing")
    published = publish(working, warehouse, keep, progress)
    say(f"published {warehouse} (build {published.build_id}: {published.database})")
    return BuildResult(
        warehouse=warehouse, preflight=pre, seconds=time.perf_counter() - started, data_docs=docs, settings=settings
    )
