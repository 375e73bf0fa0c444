"""A wheel that carries the graph: built from a copy of the project, installed into a new virtual
environment outside any clone, `kg build`, `kg validate MYFILE.ttl` and `kg serve` work there.

The new environment reaches the wheel's dependencies through a .pth line naming this suite's
site-packages (the suite runs offline, and they are the versions the wheel requires); the
package itself comes from the wheel alone: that directory's editable-install hook is not a
.pth file of the new environment, so it is never run.
"""

from __future__ import annotations

import shutil
import site
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "CHANGELOG.md")
TREES = ("src", "ontology", "data", "shapes", "queries")
YASGUI = Path("node_modules") / "@zazuko" / "yasgui" / "build"
VALID = ROOT / "tests" / "data" / "valid" / "community-with-prospective-count.ttl"
INVALID = ROOT / "tests" / "data" / "invalid" / "QuoteShape--empty-exact.ttl"
"""A user's files, checked against the shapes the wheel carries (tests/data/invalid/README.md)."""
CLEAN_ENVIRONMENT = {"PATH": "/usr/bin:/bin"}
"""What the installed commands run with: no PYTHONPATH or KG_* of the suite's."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel` builds from a copy of the project's files."""
    source = tmp_path_factory.mktemp("source")
    for name in COPIED:
        shutil.copy2(ROOT / name, source / name)
    for tree in TREES:
        shutil.copytree(ROOT / tree, source / tree, ignore=shutil.ignore_patterns("__pycache__"))
    (source / YASGUI).mkdir(parents=True)
    for name in ("yasgui.min.js", "yasgui.min.css"):
        shutil.copy2(ROOT / YASGUI / name, source / YASGUI / name)
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps"]
    command += ["--no-build-isolation", "--quiet", "--wheel-dir", str(out)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    [built] = out.glob("partage_kg-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel installed; its bin/ directory."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    [packages] = venv.glob("lib/python*/site-packages")
    (packages / "dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    command = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    command += ["install", "--no-deps", "--quiet", str(wheel)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """An empty directory, outside any clone, to run the installed `kg` in."""
    return tmp_path


def kg(bin_dir: Path, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "kg"), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**CLEAN_ENVIRONMENT, "HOME": str(cwd)},
    )


def test_the_wheel_carries_the_ontology_shapes_data_and_study(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "kg/project/ontology/partage.ttl",
        "kg/project/shapes/partage-shapes.ttl",
        "kg/project/data/organisations.ttl",
        "kg/project/data/source/etude-partage-pouvoir-valeur.md",
        "kg/project/node_modules/@zazuko/yasgui/build/yasgui.min.js",
    ):
        assert expected in names, expected


def test_the_installed_package_runs_from_the_wheel_not_the_clone(
    installed: Path, elsewhere: Path
) -> None:
    code = "import kg, sys; print(kg.__file__)"
    done = subprocess.run(
        [str(installed / "python"), "-c", code],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=CLEAN_ENVIRONMENT,
    )
    assert done.returncode == 0, done.stderr
    assert str(ROOT) not in done.stdout
    assert "site-packages" in done.stdout


@pytest.fixture(scope="module")
def built_elsewhere(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory outside any clone where the installed `kg build` ran (made once: the serve
    test serves what it built); the directory."""
    directory = tmp_path_factory.mktemp("built-elsewhere")
    done = kg(installed, directory, "build")
    assert done.returncode == 0, done.stderr
    return directory


def test_kg_build_outside_a_clone_builds_the_carried_graph(built_elsewhere: Path) -> None:
    assert (built_elsewhere / ".kg" / "store" / "manifest.json").is_file()


def test_kg_validate_of_a_users_file_outside_a_clone(installed: Path, elsewhere: Path) -> None:
    assert kg(installed, elsewhere, "validate", str(VALID)).returncode == 0
    assert kg(installed, elsewhere, "validate", str(INVALID)).returncode == 1


@pytest.fixture
def serving(installed: Path, built_elsewhere: Path) -> Iterator[str]:
    """The installed `kg serve` over the store `kg build` made in `built_elsewhere`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(installed / "kg"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=built_elsewhere, env={**CLEAN_ENVIRONMENT, "HOME": str(built_elsewhere)}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, "kg serve exited"
            try:
                httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(30)


def test_kg_serve_outside_a_clone_answers_queries_and_the_query_page(serving: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) { ?s a pv:Organisation }"
    answer = httpx.get(f"{serving}/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert answer.status_code == 200
    assert int(answer.text.split()[1]) > 10
    assert httpx.get(f"{serving}/ui/yasgui.min.js").status_code == 200
    assert "Partage" in httpx.get(serving, headers={"accept": "text/html"}).text
