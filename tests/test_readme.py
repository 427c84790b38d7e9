"""The README is documentation users run: its examples must work and cover every option."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import typer.main

from storydiff.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def console_commands() -> list[str]:
    return [
        line.removeprefix("$ ")
        for block in code_blocks("console")
        for line in block.splitlines()
        if line.startswith("$ ")
    ]


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quickstart, flags=re.DOTALL)
    assert len(commands) == 2
    demo, tests = commands
    assert "storydiff demo" in demo
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci_script.splitlines()


def test_console_examples_run(workdir: Path) -> None:
    commands = console_commands()
    assert len(commands) >= 8
    scripts = sysconfig.get_path("scripts")
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ['PATH']}"}
    env.pop("STORYDIFF_ARCHIVE", None)
    for command in commands:
        result = subprocess.run(
            command, shell=True, cwd=workdir, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"{command}\n{result.stderr}"
    assert (workdir / "storydiff-archive").is_dir()


def _all_options() -> set[str]:
    group: Any = typer.main.get_command(app)
    options = set()
    for command in group.commands.values():
        for param in command.params:
            options.update(o for o in [*param.opts, *param.secondary_opts] if o.startswith("-"))
    return options - {"-h", "--help"}


@pytest.mark.parametrize("option", sorted(_all_options()))
def test_every_option_is_in_the_readme(option: str) -> None:
    assert re.search(rf"`[^`]*{re.escape(option)}\b", README), f"{option} is not documented"


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "storydiff", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "storydiff demo" in result.stdout
