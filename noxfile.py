"""Sessions: the test matrix, lint and types. Run with ``uvx nox`` or ``uv run nox``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.12", "3.13"]
DJANGOS = ["6.0", "6.1"]


def available(version: str) -> bool:
    """Whether an interpreter for ``version`` is here (uv cannot download one)."""
    if shutil.which(f"python{version}"):
        return True
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    return any(Path(root, "versions").glob(f"{version}.*/bin/python{version}"))


def interpreter(version: str) -> str:
    """The path of a pyenv interpreter for ``version``, else its name."""
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    found = sorted(Path(root, "versions").glob(f"{version}.*/bin/python{version}"))
    return str(found[-1]) if found else f"python{version}"


@nox.session(python=False)
@nox.parametrize("python", [v for v in PYTHONS if available(v)])
@nox.parametrize("django", DJANGOS)
def tests(session: nox.Session, python: str, django: str) -> None:
    """The test suite on one Python and one Django."""
    env = {
        "UV_PROJECT_ENVIRONMENT": f".nox/tests-{python}-django{django}",
        "UV_PYTHON": interpreter(python),
    }
    session.run("uv", "sync", "--quiet", env=env, external=True)
    session.run(
        "uv",
        "pip",
        "install",
        "--quiet",
        f"django~={django}.0",
        "--python",
        f"{env['UV_PROJECT_ENVIRONMENT']}/bin/python",
        env=env,
        external=True,
    )
    session.run(
        "uv", "run", "--no-sync", "pytest", *session.posargs, env=env, external=True
    )


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    """ruff's lint and format checks."""
    session.run("uv", "run", "ruff", "check", ".", external=True)
    session.run("uv", "run", "ruff", "format", "--check", ".", external=True)


@nox.session(python=False)
def types(session: nox.Session) -> None:
    """mypy, strict, with the django-stubs plugin, on the package."""
    session.run("uv", "run", "mypy", external=True)
