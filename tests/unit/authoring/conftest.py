"""The scratch-repository fixtures of the contribution tests."""

from fixtures.scratchrepo import base_repo, repo

__all__ = ["base_repo", "repo"]
