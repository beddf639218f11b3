"""The exposures (models/_exposures.yml) say what their consumers really read.

The dashboard's exposure must list exactly the tables the dashboard's code queries: every SQL
string in dashboard/data.py and the header's as_of_date query are parsed with DuckDB's own parser,
and the tables found must equal ``data.TABLES_READ`` and the exposure's depends_on. (That
bi_tool and parquet_exports depend on every public model is checked in test_semantic_layer.py; that
the export writes exactly those tables, in test_publish.py.)
"""

from __future__ import annotations

import ast
import inspect

import duckdb

from loyalty_warehouse import published
from loyalty_warehouse.dashboard import data


def sql_strings(module) -> list[str]:
    """Every string literal in a module's source that is a SQL query."""
    tree = ast.parse(inspect.getsource(module))
    texts = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    return [text for text in texts if text.lstrip().lower().startswith("select ") and " from " in text.lower()]


def tables_in(sql: str) -> set[str]:
    # DuckDB will not parse a query with ? placeholders outside a prepared statement; a null stands in.
    return set(duckdb.get_table_names(sql.replace("?", "null"), qualified=True))


def queried_tables() -> set[str]:
    queries = sql_strings(data) + [published.AS_OF_SQL]
    assert len(queries) >= 10, queries  # every view's query was found, not just a few
    return set().union(*(tables_in(sql) for sql in queries))


def exposure_tables(manifest: dict, name: str) -> set[str]:
    exposure = next(e for e in manifest["exposures"].values() if e["name"] == name)
    nodes = manifest["nodes"]
    return {f"{nodes[node]['schema']}.{nodes[node]['name']}" for node in exposure["depends_on"]["nodes"]}


def test_the_dashboard_declares_the_tables_its_sql_reads() -> None:
    assert queried_tables() == set(data.TABLES_READ)


def test_the_dashboard_exposure_depends_on_exactly_what_the_dashboard_reads(parsed_manifest: dict) -> None:
    assert exposure_tables(parsed_manifest, "membership_dashboard") == set(data.TABLES_READ)


def test_every_consumer_of_the_published_warehouse_has_an_exposure(parsed_manifest: dict) -> None:
    names = {e["name"] for e in parsed_manifest["exposures"].values()}
    assert {"membership_dashboard", "parquet_exports", "bi_tool"} <= names
    assert exposure_tables(parsed_manifest, "parquet_exports") == exposure_tables(parsed_manifest, "bi_tool")
