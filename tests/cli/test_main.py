"""The `asc-bot` command line itself: its sub-commands, `--version`, and `db backup`."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from bot.cli import build_parser, db_backup, main
from tests.support.old_database import as_version_0_1_left_it


def test_the_cli_lists_the_new_commands() -> None:
    text = io.StringIO()
    build_parser().print_help(text)
    assert "notify" in text.getvalue() and "webhooks" in text.getvalue()


def test_db_backup_copies_a_live_database(tmp_path: Path, capsys) -> None:
    path = tmp_path / "live.db"
    as_version_0_1_left_it(path)
    writer = sqlite3.connect(path)
    writer.execute("pragma journal_mode=wal")
    writer.execute("update publications set build_number = '8'")
    writer.commit()  # in the WAL, not yet checkpointed: a plain file copy would miss it
    target = tmp_path / "copy.db"
    assert db_backup(str(target), str(path)) == 0
    writer.close()
    with sqlite3.connect(target) as copy:
        assert copy.execute("select build_number from publications").fetchall() == [("8",)]
    assert db_backup(str(target), str(path)) == 2  # never overwrites
    assert db_backup(str(tmp_path / "x.db"), str(tmp_path / "missing.db")) == 2
    assert "exists" in capsys.readouterr().err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("asc-bot 0.")
