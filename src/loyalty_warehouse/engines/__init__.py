"""Engines other than the embedded DuckDB default: loading the raw files into them and running their servers."""
