"""The raw contract has one definition: the sources YAML and the enum seeds must agree with it."""

from __future__ import annotations

import csv
import importlib.util

from loyalty_warehouse import contract
from loyalty_warehouse.paths import PROJECT_DIR


def _load_writer():
    spec = importlib.util.spec_from_file_location(
        "write_sources_yaml", PROJECT_DIR / "scripts" / "sync_contract_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sources_yaml_is_generated_from_the_contract() -> None:
    committed = (PROJECT_DIR / "models" / "staging" / "raw" / "_raw__sources.yml").read_text(encoding="utf-8")
    assert committed == _load_writer().render(), "run: .venv/bin/python scripts/sync_contract_docs.py"


def test_contract_page_documents_every_column_of_the_contract() -> None:
    page = (PROJECT_DIR / "docs" / "raw-contract.md").read_text(encoding="utf-8")
    assert page == _load_writer().page_with_contract(page), "run: .venv/bin/python scripts/sync_contract_docs.py"


def test_enum_seed_matches_the_contract() -> None:
    with (PROJECT_DIR / "seeds" / "ref_enums.csv").open() as fh:
        seed = {(r["enum_name"], r["enum_value"]) for r in csv.DictReader(fh)}
    expected = {
        ("acquisition_channel", contract.ACQUISITION_CHANNELS),
        ("gender", contract.GENDERS),
        ("city_tier", contract.CITY_TIERS),
        ("social_platform", contract.SOCIAL_PLATFORMS),
        ("relationship_end_reason", contract.RELATIONSHIP_END_REASONS),
        ("order_status", contract.ORDER_STATUSES),
        ("order_channel", contract.ORDER_CHANNELS),
        ("platform", contract.PLATFORMS),
        ("campaign_type", contract.CAMPAIGN_TYPES),
        ("message_type", contract.MESSAGE_TYPES),
        ("survey_id", contract.SURVEY_IDS),
        ("badge", contract.BADGES),
    }
    assert seed == {(name, value) for name, values in expected for value in values}


def test_event_type_seed_covers_exactly_the_contract() -> None:
    with (PROJECT_DIR / "seeds" / "ref_event_types.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["event_type"] for r in rows] == list(contract.EVENT_TYPES)
    assert {r["is_member_initiated"] for r in rows} == {"true", "false"}
