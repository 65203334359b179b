"""Reading a package for consumers: pandas frames, DuckDB connections, remote releases."""
