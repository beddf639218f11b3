"""Shared fixtures: a small generated dataset and a warehouse built from it with dbt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def spark_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spark-raw")
    generate(GeneratorConfig(members=SPARK_LANE_MEMBERS, seed=7), out)
    return out


@pytest.fixture(scope="session")
def spark_duckdb(spark_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Spark lanes' dataset built on DuckDB (every model and test), what each lane is compared with."""
    work = tmp_path_factory.mktemp("spark-duckdb")
    return build(spark_raw, work / "loyalty.duckdb", target_path=work / "target", progress=print, gates=False).warehouse
