"""Layer 2: the rules derived from Table Schemas and the domain checks."""
