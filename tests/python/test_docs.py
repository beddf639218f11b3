"""Every model and every column in the built warehouse is documented, and each model says its grain."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e


def _manifest(built_warehouse: Path) -> dict:
    return json.loads((built_warehouse.parent / "target" / "manifest.json").read_text())


def test_every_model_describes_its_grain(built_warehouse: Path) -> None:
    nodes = _manifest(built_warehouse)["nodes"].values()
    models = [
        n
        for n in nodes
        if n["resource_type"] in ("model", "seed", "snapshot") and n["package_name"] == "loyalty_warehouse"
    ]
    assert models
    missing = [n["name"] for n in models if not n["description"].strip()]
    assert not missing, f"models without a description: {missing}"
    no_grain = [
        n["name"] for n in models if n["resource_type"] == "model" and not n["description"].startswith("One row")
    ]
    assert not no_grain, f"model descriptions must start with their grain ('One row per ...'): {no_grain}"


def test_every_built_column_is_documented(built_warehouse: Path) -> None:
    nodes = [
        n
        for n in _manifest(built_warehouse)["nodes"].values()
        if n["resource_type"] in ("model", "seed", "snapshot") and n["package_name"] == "loyalty_warehouse"
    ]
    con = duckdb.connect(str(built_warehouse), read_only=True)
    problems = []
    for node in nodes:
        actual = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [node["schema"], node["alias"]],
            ).fetchall()
        ]
        if not actual:
            problems.append(f"{node['name']}: not built")
            continue
        documented = {name for name, col in node["columns"].items() if col.get("description", "").strip()}
        undocumented = [c for c in actual if c not in documented and not c.startswith("dbt_")]
        stale = [c for c in node["columns"] if c not in actual]
        if undocumented:
            problems.append(f"{node['name']}: undocumented columns {undocumented}")
        if stale:
            problems.append(f"{node['name']}: documented columns that do not exist {stale}")
    assert not problems, "\n".join(problems)


def test_every_macro_and_argument_is_documented(built_warehouse: Path) -> None:
    """Each macro and generic test of the project has a description in macros/_macros.yml, and every
    argument of its signature is listed there with a description."""
    import re

    macros = [m for m in _manifest(built_warehouse)["macros"].values() if m["package_name"] == "loyalty_warehouse"]
    assert len(macros) > 50
    problems = []
    for macro in macros:
        if not macro["description"].strip():
            problems.append(f"{macro['name']} ({macro['original_file_path']}): no description")
        signature = re.search(r"\{%-?\s*(?:macro|test)\s+\w+\(([^)]*)\)", macro["macro_sql"])
        wanted = [a.split("=")[0].strip() for a in signature.group(1).split(",") if a.strip()] if signature else []
        documented = {a["name"]: a.get("description", "").strip() for a in macro["arguments"]}
        missing = [a for a in wanted if not documented.get(a)]
        if missing:
            problems.append(f"{macro['name']}: arguments without a description: {missing}")
    assert not problems, "\n".join(problems)


def test_data_quality_page_lists_every_reason_and_value_rule() -> None:
    """docs/data-quality.md names every quarantine reason of the seed and every cleaning reason of the value rules."""
    import csv
    import re

    root = Path(__file__).resolve().parents[2]
    page = (root / "docs" / "data-quality.md").read_text(encoding="utf-8")
    with (root / "seeds" / "ref_quarantine_reasons.csv").open(newline="", encoding="utf-8") as fh:
        reasons = [row["quarantine_reason"] for row in csv.DictReader(fh)]
    cleaning = re.findall(r"'reason': '(\w+)'", (root / "macros" / "quarantine" / "value_rules.sql").read_text())
    assert len(reasons) > 10 and len(cleaning) >= 3
    missing = [reason for reason in reasons + cleaning if f"`{reason}`" not in page]
    assert not missing, f"docs/data-quality.md does not explain: {missing}"
