"""Migration m011: step kinds take the names of the publishing options they carry out (issue 13).

`testflight`, `app_store` and `expire_previous` became `submit_to_testflight`, `submit_to_app_store`
and `expire_build_submitted_for_review`, the webhook's and codemagic.yaml's names. Publications in
flight at the upgrade keep their steps: every stored kind is renamed, wherever it is kept:

- `actions.kind`, the step itself;
- `events.kind` of a step's outcome (`<kind>_succeeded`, `_failed`, `_skipped`, bot/engine/runner.py);
- `events.data.kind` of the events about a step (requested, held for an approver, reminders,
  questions, approver checks: a held step's *Approve and run it* button is drawn from it);
- `events.data.step` of pre-flight checklists (the runner compares it before telling again).

The same statements run on SQLite and PostgreSQL (`statements`), so both engines end alike.
"""

from __future__ import annotations

from types import MappingProxyType

from sqlite_utils import Database

from storage.migrations import MIGRATIONS

# Each kind as the releases before this migration stored it -> its name since.
RENAMED_KINDS = MappingProxyType(
    {
        "testflight": "submit_to_testflight",
        "app_store": "submit_to_app_store",
        "expire_previous": "expire_build_submitted_for_review",
    }
)
OUTCOMES = ("succeeded", "failed", "skipped")  # a step's outcome event is "<kind>_<outcome>"
CHECKLIST = "preflight_checklist"  # bot.engine.preflight.CHECKLIST, as stored when this was written


def statements(dialect: str) -> list[str]:
    """The SQL that renames every stored kind, for "sqlite" or "postgresql" (constants only)."""
    out: list[str] = []
    for old, new in RENAMED_KINDS.items():
        out.append(f"UPDATE actions SET kind = '{new}' WHERE kind = '{old}'")  # noqa: S608 - constants
        out += [
            f"UPDATE events SET kind = '{new}_{outcome}' WHERE kind = '{old}_{outcome}'"  # noqa: S608
            for outcome in OUTCOMES
        ]
        out.append(_set_in_data(dialect, "kind", old, new))
        out.append(_set_in_data(dialect, "step", old, new, f"kind = '{CHECKLIST}' AND "))
    return out


def _set_in_data(dialect: str, key: str, old: str, new: str, where: str = "") -> str:
    """Set `key` of the JSON-text `events.data` from `old` to `new`, other keys kept."""
    if dialect == "postgresql":
        return (
            f"UPDATE events SET data = jsonb_set(data::jsonb, '{{{key}}}', '\"{new}\"')::text"  # noqa: S608
            f" WHERE {where}(data::jsonb ->> '{key}') = '{old}'"
        )
    return (
        f"UPDATE events SET data = json_set(data, '$.{key}', '{new}')"  # noqa: S608 - constants
        f" WHERE {where}json_extract(data, '$.{key}') = '{old}'"
    )


@MIGRATIONS()
def m011_step_kinds(db: Database) -> None:
    """Rename the stored step kinds (see the module's docstring)."""
    for statement in statements("sqlite"):
        db.execute(statement)
