"""Shared fixtures: a small generated dataset and a warehouse built from it with dbt."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from loyalty_warehouse.engines.spark import load_raw, spark_env
from loyalty_warehouse.generator import GeneratorConfig, generate
from loyalty_warehouse.runner import build, run_dbt

SMALL_MEMBERS = 3_000
# the Spark lanes' own small dataset (in-process and cluster share it and its DuckDB build)
SPARK_LANE_MEMBERS = int(os.environ.get("SPARK_LANE_MEMBERS", "300"))


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    generate(GeneratorConfig(members=SMALL_MEMBERS, seed=7), out)
    return out


@pytest.fixture(scope="session")
def built_warehouse(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small dataset built with `dbt build` (every model, seed, data test and unit test)."""
    work = tmp_path_factory.mktemp("warehouse")
    result = build(small_raw, work / "loyalty.duckdb", target_path=work / "target", progress=print)
    return result.warehouse


@pytest.fixture(scope="session")
def generation_summary(small_raw: Path) -> dict:
    return json.loads((small_raw / "generation.json").read_text())


@pytest.fixture(scope="session")
def parsed_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dbt target folder holding the manifest of the project as it stands (`dbt parse`; nothing is built)."""
    target = tmp_path_factory.mktemp("parse")
    run_dbt(["parse"], target / "unused.duckdb", target_path=target)
    return target


@pytest.fixture(scope="session")
def parsed_manifest(parsed_target: Path) -> dict:
    """dbt's manifest of the project as it stands."""
    return json.loads((parsed_target / "manifest.json").read_text())


class SparkLaneBuild:
    """The in-process Spark lane's dataset, raw load, dbt build and DuckDB comparison build, run in a
    background thread from the moment collection finds a Spark test.

    It is the suite's longest setup (about 8 minutes on a quiet machine) and mostly keeps one JVM
    busy, while the rest of the suite leaves the second core idle most of the time (about 0.85 cores
    busy on average): run alongside, it is ready by the time the Spark tests start. Everything runs
    in child processes except the generator; output is kept and printed by the fixture that waits.
    """

    def __init__(self, raw_dir: Path, spark_dir: Path, duckdb_dir: Path) -> None:
        self.raw_dir, self.spark_dir, self.duckdb_dir = raw_dir, spark_dir, duckdb_dir
        self.generated = threading.Event()
        self.lines: list[str] = []
        self.loaded: dict[str, int] = {}
        self.output = ""
        self.duckdb_warehouse: Path | None = None
        self.error: BaseException | None = None
        self.duckdb_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="spark-lane-build", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            generate(GeneratorConfig(members=SPARK_LANE_MEMBERS, seed=7), self.raw_dir)
        except BaseException as exc:
            self.error = self.duckdb_error = exc
            return
        finally:
            self.generated.set()
        try:
            self.loaded = load_raw(self.raw_dir, self.spark_dir)
            self.lines.append(f"loaded into Spark: {self.loaded}")
            self.output = run_dbt(
                ["build"],
                self.spark_dir / "unused.duckdb",
                target_path=self.spark_dir / "target",
                progress=self.lines.append,
                extra_env=spark_env(self.spark_dir),
            )
        except BaseException as exc:
            self.error = exc
        try:
            self.duckdb_warehouse = build(
                self.raw_dir,
                self.duckdb_dir / "loyalty.duckdb",
                target_path=self.duckdb_dir / "target",
                progress=self.lines.append,
                gates=False,
            ).warehouse
        except BaseException as exc:
            self.duckdb_error = exc

    def wait(self) -> None:
        self._thread.join()


_spark_lane: SparkLaneBuild | None = None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the Spark lane's build in the background when a Spark test is to run and Java is here."""
    global _spark_lane
    wanted = any(item.get_closest_marker("spark") for item in session.items)
    java = shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))
    if wanted and java and _spark_lane is None:
        factory = session.config._tmp_path_factory  # the run's basetemp, as tmp_path_factory gives fixtures
        _spark_lane = SparkLaneBuild(
            factory.mktemp("spark-raw"), factory.mktemp("spark"), factory.mktemp("spark-duckdb")
        )
        _spark_lane.start()


def spark_lane_build() -> SparkLaneBuild:
    """The background Spark lane build, once finished (its output printed: pytest shows it on failure)."""
    if _spark_lane is None:
        pytest.fail("Java not found: the Spark lane needs a JDK 17 (apt-get install -y openjdk-17-jre-headless)")
    _spark_lane.wait()
    print("\n".join(_spark_lane.lines))
    return _spark_lane


@pytest.fixture(scope="session")
def spark_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Spark lanes' dataset: the background build's, or generated here when no build was started."""
    if _spark_lane is not None:
        _spark_lane.generated.wait()
        if _spark_lane.error is not None and not _spark_lane.raw_dir.joinpath("generation.json").exists():
            raise _spark_lane.error
        return _spark_lane.raw_dir
    out = tmp_path_factory.mktemp("spark-raw")
    generate(GeneratorConfig(members=SPARK_LANE_MEMBERS, seed=7), out)
    return out


@pytest.fixture(scope="session")
def spark_duckdb(spark_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Spark lanes' dataset built on DuckDB (every model and test), what each lane is compared with."""
    if _spark_lane is not None:
        lane = spark_lane_build()
        if lane.duckdb_error is not None:
            raise lane.duckdb_error
        assert lane.duckdb_warehouse is not None
        return lane.duckdb_warehouse
    work = tmp_path_factory.mktemp("spark-duckdb")
    return build(spark_raw, work / "loyalty.duckdb", target_path=work / "target", progress=print, gates=False).warehouse
