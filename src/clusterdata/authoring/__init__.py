"""Tools for people who edit the data: canonical format, generation, contribution rules."""
