"""Shared plumbing every layer uses: findings, safe package reading, CSV lines, atomic writes."""
