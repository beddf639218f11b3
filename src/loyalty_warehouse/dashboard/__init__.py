"""A local web dashboard over the published warehouse (see docs/dashboard.md)."""
