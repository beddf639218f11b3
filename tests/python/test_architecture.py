"""The DAG is one-directional, read from dbt's manifest (no build needed).

Layers, by folder: quarantine (raw entry) -> staging -> intermediate -> marts -> semantic (what
MetricFlow reads besides the marts: the time spine). A model reads only its own layer or earlier
ones; a mart reads marts of its own area and the shared member-fact core; only the raw-entry layer
reads sources; every model is read by another one unless it is a public mart or semantic-layer
model (or one of the few documented end points below).
"""

from __future__ import annotations

from pathlib import Path

LAYERS = ("quarantine", "staging", "intermediate", "marts", "semantic")
# layers whose models are read by BI tools and MetricFlow rather than by other models
END_LAYERS = ("marts", "semantic")
SHARED_MART_AREA = "member_facts"
# Marts that gather the current labels of every area (and why); no model may read them, so they can
# never close a loop between areas.
CROSS_AREA_READERS = {
    "dim_member_tags": "the member profile (spec C24): each derived tag is read from the mart owning its rule",
}
# Models nobody reads that are still not public marts, and why.
END_POINTS = {
    "qrn_quarantined_rows": "the held-back rows and their reasons, for the data owner (not BI: it holds raw rows)",
    "qrn_cleaned_values": "the list of values staged as null and why, for the data owner",
}


def layer_of(node: dict) -> str:
    parts = Path(node["original_file_path"]).parts
    if node["resource_type"] == "snapshot":
        return "snapshots"
    assert parts[0] == "models" and parts[1] in LAYERS, f"{node['original_file_path']} is outside the layer folders"
    return parts[1]


def area_of(node: dict) -> str:
    parts = Path(node["original_file_path"]).parts
    return parts[2] if len(parts) > 3 else ""


def violations(manifest: dict) -> list[str]:
    """Every layering rule the manifest breaks, as readable lines."""
    nodes = {
        key: node
        for key, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "snapshot") and node["package_name"] == "loyalty_warehouse"
    }
    problems: list[str] = []
    readers: dict[str, int] = {key: 0 for key in nodes}
    for node in nodes.values():
        for parent in node["depends_on"]["nodes"]:
            if parent.startswith("source."):
                if layer_of(node) != "quarantine":
                    problems.append(f"{node['name']} reads source {parent} outside the raw-entry (quarantine) layer")
                continue
            if parent not in nodes:
                continue  # seeds: reference data any layer may read
            readers[parent] += 1
            upstream, downstream = nodes[parent], node
            up_layer, down_layer = layer_of(upstream), layer_of(downstream)
            if down_layer == "snapshots":
                continue
            if LAYERS.index(up_layer) > LAYERS.index(down_layer):
                problems.append(
                    f"{downstream['name']} ({down_layer}) reads {upstream['name']} ({up_layer}): a later layer"
                )
            if upstream["name"] in CROSS_AREA_READERS:
                problems.append(
                    f"{downstream['name']} reads {upstream['name']}, which gathers every area: nothing may read it"
                )
            cross_area_allowed = downstream["name"] in CROSS_AREA_READERS
            if (
                up_layer == down_layer == "marts"
                and not cross_area_allowed
                and area_of(upstream) not in (area_of(downstream), SHARED_MART_AREA)
            ):
                problems.append(
                    f"{downstream['name']} (marts/{area_of(downstream)}) reads {upstream['name']} "
                    f"(marts/{area_of(upstream)}): marts read their own area and {SHARED_MART_AREA} only"
                )
    for key, count in readers.items():
        node = nodes[key]
        if count or node["resource_type"] == "snapshot" or node["name"] in END_POINTS:
            continue
        if layer_of(node) not in END_LAYERS:
            problems.append(
                f"{node['name']} ({layer_of(node)}) is read by no model: delete it or make it a public mart"
            )
    return problems


def test_the_dag_runs_one_way(parsed_manifest: dict) -> None:
    problems = violations(parsed_manifest)
    assert not problems, "layering rules broken:\n" + "\n".join(problems)


def _node(name: str, path: str, parents: list[str], kind: str = "model") -> tuple[str, dict]:
    return f"model.loyalty_warehouse.{name}", {
        "name": name,
        "resource_type": kind,
        "package_name": "loyalty_warehouse",
        "original_file_path": path,
        "depends_on": {"nodes": parents},
    }


def test_each_rule_catches_what_it_is_for() -> None:
    """A small hand-made manifest with one breach of each rule."""
    nodes = dict(
        [
            _node("qrn_raw__x", "models/quarantine/qrn_raw__x.sql", ["source.loyalty_warehouse.raw.raw_x"]),
            _node("stg_raw__x", "models/staging/raw/stg_raw__x.sql", ["model.loyalty_warehouse.qrn_raw__x"]),
            _node("stg_raw__y", "models/staging/raw/stg_raw__y.sql", ["source.loyalty_warehouse.raw.raw_y"]),
            _node("fct_x", "models/marts/member_facts/fct_x.sql", ["model.loyalty_warehouse.stg_raw__x"]),
            _node("int_x", "models/intermediate/x/int_x.sql", ["model.loyalty_warehouse.fct_x"]),
            _node(
                "fct_a",
                "models/marts/koc/fct_a.sql",
                ["model.loyalty_warehouse.int_x", "model.loyalty_warehouse.stg_raw__y"],
            ),
            _node("fct_b", "models/marts/retention/fct_b.sql", ["model.loyalty_warehouse.fct_a"]),
            _node("int_unread", "models/intermediate/x/int_unread.sql", ["model.loyalty_warehouse.stg_raw__x"]),
            _node(
                "dim_member_tags", "models/marts/member_facts/dim_member_tags.sql", ["model.loyalty_warehouse.fct_a"]
            ),
            _node("fct_c", "models/marts/member_facts/fct_c.sql", ["model.loyalty_warehouse.dim_member_tags"]),
        ]
    )
    problems = violations({"nodes": nodes})
    assert len(problems) == 5, problems
    assert any("fct_c reads dim_member_tags, which gathers every area" in p for p in problems)
    assert any("stg_raw__y reads source" in p for p in problems)
    assert any("int_x (intermediate) reads fct_x (marts)" in p for p in problems)
    assert any("fct_b (marts/retention) reads fct_a (marts/koc)" in p for p in problems)
    assert any("int_unread (intermediate) is read by no model" in p for p in problems)
