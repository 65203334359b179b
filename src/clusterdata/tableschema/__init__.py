"""The one implementation of Table Schema semantics."""
