"""Layer 3: keys and SQL checks across tables, in DuckDB."""
