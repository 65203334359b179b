"""Validation: layer 1 (structure), layer 2 (rules), layer 3 (integrity), and the pipeline."""

from clusterdata.validation.pipeline import Report, default_checks_dir, validate

__all__ = ["Report", "default_checks_dir", "validate"]
