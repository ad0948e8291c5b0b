"""The test suite on every supported CPython, each in a virtual environment of its own.

`make test` runs the whole suite on the default interpreter (in `.venv`) and
then `nox`, whose default sessions run a quick profile of it on every other
version in VERSIONS. `nox -s tests-3.11` runs a version's session by hand;
`nox -l` lists them.

An interpreter is looked for on PATH (`python3.X`), then in pyenv's versions
folder ($PYENV_ROOT, or ~/.pyenv): a pyenv shim on PATH that is not active
fails, and a `python3.X` that answers with another version does not count. A
version found nowhere is reported and its session skipped; under CI (the
environment variable CI is set) nox makes that an error, so a CI machine must
have every version, while a contributor with one Python can still run
`make test`.

Each session installs the package as `pip install .` does (a wheel built for
that interpreter, not an editable install), so a compiled core is built and
tested per version; environment variables such as SCALARGRAD_PURE reach the
tests unchanged, so the same sessions test either core.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nox

# The versions the classifiers in pyproject.toml name (tests/test_wheel.py checks).
VERSIONS = ("3.10", "3.11", "3.12", "3.13")
RUNNING = "{}.{}".format(*sys.version_info[:2])

# The quick profile: Hypothesis's `dev` profile (30 examples a property, where
# `ci` takes 200) on everything but the slow sweeps, and without the tests of
# what sits above the library: the demo and benchmark scripts, the notebooks,
# the browser page and the documentation site. Those train models for hundreds
# of steps through code the library's own tests cover op by op, or drive
# Chromium through a page script that no Python runs (the site is built by
# Sphinx first); they take most of the suite's time and run on the default
# interpreter. What differs between versions is the language and
# its runtime under the library, which the remaining tests exercise.
QUICK = (
    "-m",
    "not slow",
    "--ignore=tests/test_demos.py",
    "--ignore=tests/test_names_gpt.py",
    "--ignore=tests/test_benchmarks.py",
    "--ignore=tests/test_notebooks.py",
    "--ignore=tests/test_interactive.py",
    "--ignore=tests/test_site.py",
    "-p",
    "no:cacheprovider",  # sessions side by side share no .pytest_cache
)

nox.needs_version = ">=2026.8.17"
nox.options.reuse_venv = "yes"
# One session per core at once, each printed whole when it ends.
nox.options.parallel = "auto"
# Never fetch an interpreter: one that is missing is reported, not downloaded.
nox.options.download_python = "never"


def reports_version(python: str, version: str) -> bool:
    """Whether the program `python` runs and is CPython `version` ("3.X")."""
    try:
        done = subprocess.run(
            [
                python,
                "-c",
                "import sys; print(sys.implementation.name, *sys.version_info[:2])",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return False
    return done.returncode == 0 and done.stdout.split() == [
        "cpython",
        *version.split("."),
    ]


def find_python(
    version: str, path: str | None = None, pyenv_root: str | Path | None = None
) -> str | None:
    """The first working CPython `version` on `path`, then under pyenv's versions."""
    candidates = []
    on_path = shutil.which(f"python{version}", path=path)
    if on_path is not None:
        candidates.append(on_path)
    if pyenv_root is None:
        pyenv_root = os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv"
    # Full releases only ("3.10.13", not "3.13.0t" or "3.10-dev"), newest first.
    releases = [
        (int(match.group(1)), folder)
        for folder in (Path(pyenv_root) / "versions").glob(f"{version}.*")
        if (match := re.fullmatch(re.escape(version) + r"\.(\d+)", folder.name))
    ]
    for _, folder in sorted(releases, reverse=True):
        candidates.append(str(folder / "bin" / f"python{version}"))
    return next((c for c in candidates if reports_version(c, version)), None)


def tests(session: nox.Session) -> None:
    """The quick profile of the suite against the package as installed by pip."""
    # pip builds the package inside the source tree: one build at a time.
    with open(Path(session.virtualenv.location).parent / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        session.install(".[dev]")
    # From outside the checkout, so `autograd` comes from the venv, not the source.
    where = session.run(
        "python",
        "-I",
        "-c",
        "import autograd; print(autograd.__file__)",
        silent=True,
    )
    assert isinstance(where, str)
    venv = Path(session.virtualenv.location).resolve()
    if venv not in Path(where.strip()).resolve().parents:
        session.error(f"autograd imports from {where.strip()}, not from {venv}")
    session.run(
        "pytest",
        "-q",
        *QUICK,
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "dev")},
    )


for _version in VERSIONS:
    # A version found nowhere keeps its bare number, which nox reports missing.
    # The running version's whole suite is `make pytest`'s: not a default here.
    nox.session(
        name=f"tests-{_version}",
        python=find_python(_version) or _version,
        default=_version != RUNNING,
        allow_parallel=True,
    )(tests)
