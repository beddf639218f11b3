"""Write the sources YAML and docs/raw-contract.md from src/loyalty_warehouse/contract.py.

Run after changing the contract; tests/python/test_contract.py fails while they disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from loyalty_warehouse.contract import RAW_TABLES, render_markdown  # noqa: E402

START, END = "<!-- contract:start -->\n", "<!-- contract:end -->"


def render() -> str:
    lines = [
        "# Generated from src/loyalty_warehouse/contract.py by scripts/sync_contract_docs.py - edit the "
        "contract, not this file.",
        "version: 2",
        "",
        "sources:",
        "  - name: raw",
        "    description: >",
        "      Raw exports of the brand, read in place from Parquet (or CSV) files in the folder",
        "      given by the raw_dir var (LOYALTY_RAW_DIR). Timestamps are UTC. Amounts are in the",
        "      currency of the currency_code var (CNY by default).",
        "      On PostgreSQL they are tables in schema raw, loaded by the project's loader.",
        # the PostgreSQL write-audit-publish build reads raw__building (engines/pg_publish.py)
        "    schema: \"{{ env_var('LOYALTY_RAW_SCHEMA', 'raw') }}\"",
        "    tables:",
    ]
    for table in RAW_TABLES:
        location = (
            f"var('raw_locations', {{}}).get('{table.name}', var('raw_dir', env_var('LOYALTY_RAW_DIR', 'data/raw'))"
            f" ~ '/{table.name}.' ~ var('raw_format', env_var('LOYALTY_RAW_FORMAT', 'parquet')))"
        )
        kind = "Required" if table.required else "Optional"
        lines += [
            f"      - name: {table.name}",
            f'        description: "{kind}. {table.grain} {table.description} Key: {table.key}."',
            "        meta:",
            f"          required: {str(table.required).lower()}",
            "          # read with the contract's types (a CSV is never type-sniffed from a sample), path "
            "quotes escaped;",
            "          # text columns a Parquet file stores as bytes are decoded (preflight checked they are UTF-8)",
            "          formatter: template",
            f"          external_location: {yaml_string(external_location(table, location))}",
        ]
        if table.arrives_daily:
            # load time per file: the file's modification time, read per engine by the
            # raw_loaded_at_query macro (macros/freshness.sql; spec DQ-S15: warn after 1 day, error after 3)
            lines += [
                "        config:",
                "          freshness:",
                "            warn_after: {count: 1, period: day}",
                "            error_after: {count: 3, period: day}",
                '          loaded_at_query: "{{ raw_loaded_at_query(this, source_node) }}"',
            ]
        lines += ["        columns:"]
        for col in table.columns:
            text = col.description
            if col.allowed:
                text += " Allowed: " + ", ".join(col.allowed) + "."
            if not col.nullable:
                text += " Never null."
            text = text.replace('"', "'")
            lines += [
                f"          - name: {col.name}",
                f'            description: "{text}"',
                f"            data_type: {col.sql_type}",
            ]
    return "\n".join(lines) + "\n"


DUCKDB_TYPES = {
    "varchar": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "double": "DOUBLE",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
}


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def external_location(table, location: str) -> str:
    """The DuckDB relation dbt reads a raw table from, as a Jinja template: a CSV with the contract's
    types (never sniffed from a sample), a Parquet file with byte-typed text columns decoded, and
    quotes in the path escaped."""
    columns = ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.sql_type]}'" for c in table.columns)
    quoted = '{{ path | replace("\'", "\'\'") }}'
    binary = f"var('raw_binary_text_columns', {{}}).get('{table.name}', [])"
    return (
        f"{{%- set path = {location} -%}}"
        "{%- if path.endswith('.csv') -%}"
        f"read_csv('{quoted}', header = true, delim = ',', quote = '\"', escape = '\"', "
        f"types = {{{columns}}})"
        f"{{%- elif {binary} -%}}"
        f"(select * replace ({{% for column in {binary} %}}decode({{{{ column }}}}) as {{{{ column }}}}"
        "{% if not loop.last %}, {% endif %}{% endfor %}) "
        f"from read_parquet('{quoted}'))"
        "{%- else -%}"
        f"read_parquet('{quoted}')"
        "{%- endif -%}"
    )


def page_with_contract(page: str) -> str:
    head, rest = page.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + START + render_markdown() + END + tail


if __name__ == "__main__":
    target = ROOT / "models" / "staging" / "raw" / "_raw__sources.yml"
    target.write_text(render(), encoding="utf-8")
    page = ROOT / "docs" / "raw-contract.md"
    page.write_text(page_with_contract(page.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)} and {page.relative_to(ROOT)}")
