"""deploy/Dockerfile's build stage, run for real without Docker: its commands (python -m venv, pip install of the
lock with --no-deps, pip install of the project, pip check) in a scratch directory, packages from the package
index as in `docker build`. Then the image's virtualenv must hold exactly the lock, the lock must be exactly what
pyproject.toml pulls in (no package missing, none to spare), and each target's CMD must start its service from
that virtualenv alone: an import the lock does not cover fails here as it would in the container.

Needs the package index (as `make test`'s set-up does); pip's download cache keeps reruns quick.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest

from tests import deploy_checks as dc

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def image_root(tmp_path_factory):
    """The build stage's filesystem changes, under a scratch root."""
    root = tmp_path_factory.mktemp("image")
    build = dc.stage("build")
    dc.run_stage(build, root, pip=[sys.executable, "-m", "pip"], python=sys.executable)
    return root


def venv_python(root) -> str:
    return str(root / "opt" / "backoffice" / "bin" / "python")


def installed(root) -> dict[str, metadata.Distribution]:
    site = next((root / "opt" / "backoffice" / "lib").glob("python3.*/site-packages"))
    return {dc.normalize(d.metadata["Name"]): d for d in metadata.distributions(path=[str(site)])}


def test_the_image_virtualenv_holds_exactly_the_lock_and_the_project(image_root):
    dists = installed(image_root)
    project = dists.pop("regionale-backoffice")
    assert project.version == tomllib.loads((dc.ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert {n: d.version for n, d in dists.items()} == dc.lock()
    assert "pip" not in dists and "setuptools" not in dists  # a slim virtualenv: nothing to install with at run time


def test_the_lock_is_exactly_what_pyproject_pulls_in(image_root):
    dists = installed(image_root)
    requirements = dists["regionale-backoffice"].requires or []
    needed = dc.closure([r for r in requirements if "extra ==" not in r], dists)
    pins = dc.lock()
    assert not set(needed) - set(pins), f"missing from the lock: {sorted(set(needed) - set(pins))}"
    spare = sorted(set(pins) - set(needed))
    assert not spare, f"in the lock but not needed by pyproject.toml: {spare} → run `.venv/bin/python deploy/lock.py`"


def test_each_target_starts_from_the_image_virtualenv_alone(image_root):
    stages = dc.dockerfile_stages()
    env = {"PATH": f"{image_root}/opt/backoffice/bin:/usr/bin:/bin", "PYTHONSAFEPATH": "1",
           **{k: v for k, v in dc.env_of("runtime", stages).items() if k not in ("PATH",)}}
    for service in dc.SERVICES:
        argv = dc.exec_form(dc.effective(service, "CMD", stages))
        assert argv[0] == "python"
        # No configuration: the service must import everything it needs from the image and then ask for it.
        result = subprocess.run([venv_python(image_root), *argv[1:]], env=env, cwd=image_root, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 2, f"{shlex.join(argv)}: exit {result.returncode}\n{result.stderr[-3000:]}"
        assert f"{service}: set KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL" in result.stderr
