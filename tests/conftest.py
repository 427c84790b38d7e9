from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storydiff.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_STORY = SEEDS / "armenia-azerbaijan"
SEED_FILE = SEEDS / "000_3fde548d52f91677.txt"
GOLDEN = Path(__file__).parent / "golden"
DATA = Path(__file__).parent / "data"
STORY = "armenia-azerbaijan-talks"
# Archive times are "now" unless SOURCE_DATE_EPOCH is set: fix it so commits and JSON
# are reproducible (2020-10-24T00:00:00Z).
FIXED_EPOCH = "1603497600"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite golden files from the current output instead of comparing.",
    )


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    monkeypatch.delenv("STORYDIFF_ARCHIVE", raising=False)


@dataclass
class Golden:
    update: bool

    def check(self, name: str, actual: str) -> None:
        path = GOLDEN / name
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {name}; run pytest --update-golden and review it"
        assert actual == path.read_text(encoding="utf-8"), (
            f"output differs from golden/{name}; if the change is intended, "
            "run pytest --update-golden and review the diff"
        )

    def check_json(self, name: str, document: object) -> None:
        self.check(name, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(update=bool(request.config.getoption("--update-golden")))


@dataclass
class Cli:
    """Runs storydiff commands in-process against one archive."""

    archive: Path
    runner: CliRunner

    def __call__(self, *args: str, input: bytes | str | None = None) -> Result:
        result = self.runner.invoke(
            app, [*args], input=input, env={"STORYDIFF_ARCHIVE": str(self.archive)}
        )
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def cli(archive_path: Path) -> Cli:
    return Cli(archive_path, CliRunner())


@pytest.fixture
def seeded(cli: Cli) -> Iterator[Cli]:
    """An archive holding the seed story's three versions."""
    for name in ("v1.txt", "v2.txt", "v3.txt"):
        result = cli("archive", str(SEED_STORY / name))
        assert result.code == 0, result.stderr
    yield cli


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh current directory with a copy of seeds/."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def git_env() -> dict[str, str]:
    return {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
