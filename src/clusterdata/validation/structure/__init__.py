"""Layer 1: structure and Table Schema, on the frictionless or the DuckDB engine."""
