"""scripts/setup on a bare machine: it brings in what it needs (python3, python3-venv) and mends a
half-made .venv.

Each test runs the real script in a scratch copy of the repository with a PATH of its own: a few of
the machine's tools, and stand-ins that record their calls: `apt-get` (it "installs" python3 by
putting a python3 on that PATH, python3-venv by letting that python3 import ensurepip), `sleep`, and
`python3`, which runs the real Python of these tests.  The stand-in python3 makes venvs the real
way, except that a venv it makes successfully gets a recording stand-in for pip instead of pip
itself (so no test installs anything for real).  Without python3-venv it is the real Python with
ensurepip unimportable, which fails `python3 -m venv` the way Debian's python3 does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REAL_PYTHON = Path(sys._base_executable).resolve()  # the interpreter behind the tests' own venv
HOST_TOOLS = ["bash", "env", "dirname", "touch", "rm", "mkdir", "cp", "cat", "ls", "readlink", "uname"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="scripts/setup installs with apt-get as root")

FAKE_PIP = """\
import sys
with open({log!r}, "a", encoding="utf-8") as log:
    log.write("pip " + " ".join(sys.argv[1:]) + "\\n")
if sys.argv[1:] == ["--version"]:
    print("pip 0 (a stand-in of tests/test_setup_script.py)")
"""

FAKE_PYTHON3 = """\
#!/bin/bash
printf 'python3 %s\\n' "$*" >> {log}
if [ -e {state}/no-venv-package ]; then
    export PYTHONPATH={no_ensurepip}
elif [ "$1" = -m ] && [ "$2" = venv ] && [ "$3" != --help ]; then
    shift 2
    {real} -m venv --without-pip "$@" || exit
    site=$(echo "${{@: -1}}"/lib/python3*/site-packages)
    mkdir -p "$site/pip" && touch "$site/pip/__init__.py" && cp {fake_pip} "$site/pip/__main__.py"
    exit
fi
exec {real} "$@"
"""

FAKE_APT_GET = """\
#!/bin/bash
printf 'apt-get %s (DEBIAN_FRONTEND=%s)\\n' "$*" "${{DEBIAN_FRONTEND-}}" >> {log}
busy=$(cat {state}/dpkg-busy 2>/dev/null || echo 0)
if [ "$busy" -gt 0 ]; then
    echo $((busy - 1)) > {state}/dpkg-busy
    echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2
    exit 100
fi
[ "$1" = install ] || exit 0
for package in "$@"; do
    case "$package" in
        python3) cp {fake_python3} {bin}/python3 ;;
        python3-venv) rm -f {state}/no-venv-package ;;
    esac
done
"""

FAKE_SLEEP = """\
#!/bin/bash
printf 'sleep %s\\n' "$*" >> {log}
"""


@dataclass
class Machine:
    """A scratch copy of the repository and the PATH scripts/setup runs with."""

    repo: Path
    bin: Path
    state: Path
    log: Path
    fake_python3: Path

    def give_python3(self, *, venv_package: bool = True) -> None:
        shutil.copy(self.fake_python3, self.bin / "python3")
        if not venv_package:
            (self.state / "no-venv-package").touch()

    def dpkg_busy_for(self, failures: int) -> None:
        (self.state / "dpkg-busy").write_text(f"{failures}\n")

    def setup(self, **env: str) -> subprocess.CompletedProcess[str]:
        self.log.write_text("")
        return subprocess.run(
            [str(self.repo / "scripts" / "setup")], cwd=self.repo, capture_output=True, text=True,
            stdin=subprocess.DEVNULL, timeout=120,
            env={"PATH": str(self.bin), "HOME": str(self.state), "LC_ALL": "C.UTF-8", **env})

    def calls(self, program: str) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if line.startswith(program + " ")]

    @property
    def venv_python(self) -> Path:
        return self.repo / ".venv" / "bin" / "python"

    @property
    def stamp(self) -> Path:
        return self.repo / ".venv" / ".wikisync-installed"


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    repo, bin_dir, state = tmp_path / "repo", tmp_path / "bin", tmp_path / "state"
    for folder in (repo / "scripts", bin_dir, state):
        folder.mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "setup", repo / "scripts" / "setup")
    shutil.copy2(REPO / "pyproject.toml", repo / "pyproject.toml")
    for tool in HOST_TOOLS:
        found = shutil.which(tool, path="/usr/bin:/bin")
        assert found, f"{tool} is not on this machine"
        (bin_dir / tool).symlink_to(found)
    log = state / "calls.log"
    no_ensurepip = state / "no-ensurepip"
    (no_ensurepip / "ensurepip").mkdir(parents=True)
    (no_ensurepip / "ensurepip" / "__init__.py").write_text(
        'raise ImportError("ensurepip is in python3-venv, which is not installed")\n')
    fake_pip = state / "fake_pip.py"
    fake_pip.write_text(FAKE_PIP.format(log=str(log)))
    paths = {"log": log, "state": state, "bin": bin_dir, "no_ensurepip": no_ensurepip,
             "real": REAL_PYTHON, "fake_pip": fake_pip, "fake_python3": state / "python3"}
    quoted = {name: f"'{value}'" for name, value in paths.items()}
    scripts = {state / "python3": FAKE_PYTHON3, bin_dir / "apt-get": FAKE_APT_GET, bin_dir / "sleep": FAKE_SLEEP}
    for path, text in scripts.items():
        path.write_text(text.format(**quoted))
        path.chmod(0o755)
    return Machine(repo=repo, bin=bin_dir, state=state, log=log, fake_python3=state / "python3")


def assert_installed(machine: Machine, result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert machine.stamp.is_file()
    check = subprocess.run([str(machine.venv_python), "-m", "pip", "--version"], capture_output=True)
    assert check.returncode == 0, check.stderr
    installs = [call for call in machine.calls("pip") if call.startswith("pip install")]
    assert installs == ["pip install -q --disable-pip-version-check -e .[test,lint]"]


def test_installs_python3_and_its_venv_package_when_there_is_no_python3(machine: Machine) -> None:
    result = machine.setup()
    assert_installed(machine, result)
    installs = [call for call in machine.calls("apt-get") if call.startswith("apt-get install")]
    assert len(installs) == 1
    assert " python3 python3-venv " in installs[0]
    assert installs[0].endswith("(DEBIAN_FRONTEND=noninteractive)")


def test_waits_for_a_busy_dpkg_lock_before_installing_python3(machine: Machine) -> None:
    machine.dpkg_busy_for(2)  # the first attempt's install, then its update
    result = machine.setup()
    assert_installed(machine, result)
    assert len(machine.calls("sleep")) == 1
    assert "retrying" in result.stdout


def test_installs_python3_venv_when_python3_cannot_make_a_venv_with_pip(machine: Machine) -> None:
    machine.give_python3(venv_package=False)
    result = machine.setup()
    assert_installed(machine, result)
    installs = [call for call in machine.calls("apt-get") if call.startswith("apt-get install")]
    assert len(installs) == 1 and " python3-venv " in installs[0] and " python3 " not in installs[0]


def test_a_venv_left_without_pip_is_made_again(machine: Machine) -> None:
    # What a `python3 -m venv` without python3-venv leaves behind: a python, no pip, no stamp.
    machine.give_python3()
    subprocess.run([str(REAL_PYTHON), "-m", "venv", "--without-pip", str(machine.repo / ".venv")], check=True)
    result = machine.setup()
    assert_installed(machine, result)
    assert "python3 -m venv .venv" in machine.calls("python3")


def test_a_venv_whose_python_is_gone_is_made_again(machine: Machine) -> None:
    machine.give_python3()
    assert_installed(machine, machine.setup())
    machine.venv_python.unlink()
    machine.venv_python.symlink_to(machine.state / "a-python-since-removed")
    assert_installed(machine, machine.setup())


def test_a_second_run_does_nothing(machine: Machine) -> None:
    machine.give_python3()
    assert_installed(machine, machine.setup())
    result = machine.setup()
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert machine.calls("pip") == [] and machine.calls("apt-get") == [] and machine.calls("python3") == []


def test_a_python_named_by_PYTHON_is_never_replaced(machine: Machine) -> None:
    result = machine.setup(PYTHON="python3.99")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "setup: Python 3.11 or newer is needed as 'python3.99' (set PYTHON=...)"]
    assert machine.calls("apt-get") == []
    assert not (machine.repo / ".venv").exists()
