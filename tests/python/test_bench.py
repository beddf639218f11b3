"""The benchmark's RFM comparisons are honest: the hand-written DuckDB query and the pandas
version produce exactly the table the model produces (on the small warehouse; the timings
themselves are measured by `loyalty bench`, not asserted here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loyalty_warehouse.bench import compare_rfm

pytestmark = pytest.mark.e2e


def test_floor_and_pandas_rfm_equal_the_model(built_warehouse: Path) -> None:
    compiled = next((built_warehouse.parent / "target" / "compiled").rglob("fct_member_rfm.sql"))
    result = compare_rfm(built_warehouse, compiled.read_text(), window=365, bins=5)
    print(result)
    assert result["buyers"] > 1000
    assert result["floor_equal_to_model"], result["differences"]
    assert result["pandas_equal_to_model"], result["differences"]
