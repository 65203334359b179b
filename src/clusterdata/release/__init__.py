"""Releases: versioning, publish, exports, DCAT metadata."""
