"""loyalty-warehouse: the Python side of the dbt project (CLI, data generator, raw checks)."""

__version__ = "0.1.0"
