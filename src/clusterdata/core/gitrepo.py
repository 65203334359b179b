"""Reading a git repository without touching its work tree or index.

`clusterdata diff REF …` and `clusterdata validate --base REF` both need a package as it was at
a commit; `git archive` into a private temporary folder gives exactly that, read-only.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clusterdata.core.package import UsageError

GIT_TIMEOUT_SECONDS = 120


class Git:
    """The git checkout a package lives in; every command reads, none writes."""

    def __init__(self, toplevel: Path) -> None:
        self.toplevel = toplevel

    @classmethod
    def discover(cls, folder: Path) -> Git:
        try:
            out = _git(folder, "rev-parse", "--show-toplevel")
        except UsageError as exc:
            raise UsageError(f"{folder}: not inside a git checkout ({exc}).") from exc
        return cls(Path(out.strip()).resolve())

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return _run_git(self.toplevel, args, check=check)

    def resolve_base(self, ref: str) -> str:
        """The commit to compare with: the merge base of REF and HEAD (REF when there is none)."""
        commit = commit_of(self.toplevel, ref)
        if commit is None:
            raise UsageError(
                f"{ref!r} is not a commit in this repository. Fetch it first (for example "
                "`git fetch origin main`), or use a branch name that `git log` knows."
            )
        merged = self.run("merge-base", commit, "HEAD", check=False)
        return merged.stdout.decode().strip() if merged.returncode == 0 else commit

    @contextmanager
    def export(self, commit: str, path: str) -> Iterator[Path | None]:
        """The folder `path` as it is at `commit`, unpacked privately; None if it is absent."""
        with tempfile.TemporaryDirectory(prefix="clusterdata-base-") as tmp:
            done = self.run("archive", "--format=tar", commit, "--", path, check=False)
            if done.returncode != 0:
                yield None
                return
            target = Path(tmp)
            with tarfile.open(fileobj=io.BytesIO(done.stdout), mode="r:") as archive:
                archive.extractall(target, filter="data")
            yield target / path

    def changed_files(self, commit: str, path: str) -> list[tuple[str, str]]:
        """(status letter, repo path) of files under `path` that differ from `commit`."""
        done = self.run(
            "diff", "--name-status", "--no-renames", "-z", commit, "--", path, check=False
        )
        parts = done.stdout.decode("utf-8", "replace").split("\0")
        pairs = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        untracked = (
            self.run("ls-files", "--others", "--exclude-standard", "-z", "--", path, check=False)
            .stdout.decode("utf-8", "replace")
            .split("\0")
        )
        return pairs + [("A", name) for name in untracked if name]

    def differs(self, commit: str, path: str) -> bool:
        return bool(self.changed_files(commit, path))


def _run_git(
    cwd: Path, args: tuple[str, ...] | list[str], *, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
            env=_git_env(),
        )
    except FileNotFoundError as exc:
        raise UsageError("git is not installed, and reading a git ref needs it.") from exc
    except subprocess.TimeoutExpired as exc:
        raise UsageError(f"git {' '.join(args)} took too long.") from exc
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(message[0] if message else f"git {args[0]} failed")
    return done


def _git(cwd: Path, *args: str) -> str:
    return _run_git(cwd, args).stdout.decode("utf-8", "replace")


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return env


def commit_of(toplevel: Path, ref: str) -> str | None:
    """The commit a ref names, or None when it names none (refs starting with '-' never do)."""
    if not ref or ref.startswith("-"):
        return None
    done = _run_git(
        toplevel,
        ("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"),
        check=False,
    )
    return done.stdout.decode().strip() if done.returncode == 0 else None


def repo_relative(path: Path) -> tuple[Path, str] | None:
    """(repository root, the folder relative to it) for a path inside a git checkout."""
    folder = path if path.is_dir() else path.parent
    try:
        git = Git.discover(folder)
    except UsageError:
        return None
    try:
        return git.toplevel, folder.resolve().relative_to(git.toplevel).as_posix() or "."
    except ValueError:
        return None
