"""Where things live. Every path can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("LOYALTY_PROJECT_DIR", Path(__file__).resolve().parents[2]))
DEFAULT_RAW_DIR = Path(os.environ.get("LOYALTY_RAW_DIR", PROJECT_DIR / "data" / "raw"))
# The published warehouse's stable path (a symlink to the current build; layout in published.py).
# Plain dbt never writes it: the profile's default target is LOYALTY_DBT_PATH, else target/dev.duckdb.
DEFAULT_WAREHOUSE = Path(os.environ.get("LOYALTY_WAREHOUSE_PATH", PROJECT_DIR / "warehouse" / "loyalty.duckdb"))
PROFILES_DIR = PROJECT_DIR / "profiles"
