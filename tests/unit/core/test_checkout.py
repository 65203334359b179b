"""The checkout an editable install runs from: where the bundled package and schemas are found
when the working directory is elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fixtures.packages import REPO

from clusterdata.core.package import repo_root, schemas_dir


def test_repo_root_is_the_checkout_with_pyproject_schemas_and_datapackage() -> None:
    assert repo_root() == REPO.resolve()
    assert (repo_root() / "pyproject.toml").is_file()
    assert (schemas_dir() / "tables").is_dir()


def test_validate_without_arguments_finds_the_bundled_package_from_any_directory(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CLUSTERDATA_PACKAGE"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from clusterdata.core.package import bundled_descriptor as b;print(b())",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = Path(done.stdout.strip())
    assert found == REPO.resolve() / "datapackage" / "datapackage.json"
    assert found.is_file()
