"""Every dbt unit test pins every var its model reads, directly or through the macros it calls, so a
user who changes a documented var never fails a unit test (the expected rows are written for the
pinned values)."""

from __future__ import annotations

import re

VAR_CALL = re.compile(r"var\(\s*['\"]([A-Za-z0-9_]+)['\"]")
# A macro that reads var(<its argument>) (validate_weights, validated_level_thresholds) is given the
# var's name as a string: `validate_weights('churn_risk_weights', [...])` reads churn_risk_weights.
VAR_BY_ARGUMENT = re.compile(r"var\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\)")
# Vars that only say where files are or how tables are stored; no model logic reads them.
NOT_LOGIC = {"raw_locations", "raw_binary_text_columns", "raw_dir", "raw_format", "spark_file_format"}


def vars_in(code: str, macros: dict) -> set[str]:
    """Vars named in code: var('x') calls, and names passed to a macro that reads var(<argument>)."""
    found = set(VAR_CALL.findall(code))
    for macro in macros.values():
        if VAR_BY_ARGUMENT.search(macro["macro_sql"]):
            found |= set(re.findall(rf"\b{macro.get('name', '')}\(\s*['\"]([A-Za-z0-9_]+)['\"]", code))
    return found


def vars_read(node: dict, macros: dict) -> set[str]:
    """Vars in the node's code and in every project macro it calls, transitively."""
    found = vars_in(node.get("raw_code", ""), macros)
    seen: set[str] = set()
    todo = list(node["depends_on"]["macros"])
    while todo:
        key = todo.pop()
        if key in seen or key not in macros:
            continue
        seen.add(key)
        found |= vars_in(macros[key]["macro_sql"], macros)
        todo += macros[key]["depends_on"]["macros"]
    return found - NOT_LOGIC


def unpinned(manifest: dict) -> list[str]:
    macros = {k: m for k, m in manifest["macros"].items() if m["package_name"] == "loyalty_warehouse"}
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    problems = []
    for test in manifest["unit_tests"].values():
        model = models[test["model"]]
        pinned = set(((test.get("overrides") or {}).get("vars") or {}).keys())
        missing = sorted(vars_read(model, macros) - pinned)
        if missing:
            problems.append(f"{test['model']}::{test['name']} ({test['original_file_path']}) does not pin {missing}")
    return problems


def test_every_unit_test_pins_the_vars_its_model_reads(parsed_manifest: dict) -> None:
    assert parsed_manifest["unit_tests"], "no unit tests in the manifest"
    problems = unpinned(parsed_manifest)
    assert not problems, "pin these vars in the unit test's overrides: vars:\n" + "\n".join(problems)


def test_a_var_read_through_a_macro_counts() -> None:
    manifest = {
        "macros": {
            "macro.loyalty_warehouse.outer": {
                "package_name": "loyalty_warehouse",
                "macro_sql": "{{ inner() }}",
                "depends_on": {"macros": ["macro.loyalty_warehouse.inner"]},
            },
            "macro.loyalty_warehouse.inner": {
                "package_name": "loyalty_warehouse",
                "macro_sql": "{{ var('deep') }}",
                "depends_on": {"macros": []},
            },
        },
        "nodes": {
            "model.p.m": {
                "name": "m",
                "resource_type": "model",
                "raw_code": "{{ var('top') }} {{ outer() }}",
                "depends_on": {"macros": ["macro.loyalty_warehouse.outer"]},
            }
        },
        "unit_tests": {
            "u": {"name": "u", "model": "m", "original_file_path": "x.yml", "overrides": {"vars": {"top": 1}}}
        },
    }
    assert unpinned(manifest) == ["m::u (x.yml) does not pin ['deep']"]


def test_a_var_named_as_a_macro_argument_counts() -> None:
    manifest = {
        "macros": {
            "macro.loyalty_warehouse.validate_weights": {
                "package_name": "loyalty_warehouse",
                "name": "validate_weights",
                "macro_sql": "{% macro validate_weights(var_name, dimensions) %}{{ var(var_name) }}{% endmacro %}",
                "depends_on": {"macros": []},
            },
        },
        "nodes": {
            "model.p.m": {
                "name": "m",
                "resource_type": "model",
                "raw_code": "{% set w = validate_weights('churn_risk_weights', ['a']) %}",
                "depends_on": {"macros": ["macro.loyalty_warehouse.validate_weights"]},
            }
        },
        "unit_tests": {"u": {"name": "u", "model": "m", "original_file_path": "x.yml", "overrides": {"vars": {}}}},
    }
    assert unpinned(manifest) == ["m::u (x.yml) does not pin ['churn_risk_weights']"]
