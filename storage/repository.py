"""All SQL of the bot: each public method is one transaction on the store's thread."""

from __future__ import annotations

from storage.actions import ActionsRepository
from storage.budget import BudgetRepository
from storage.database import StorageEngine
from storage.events import EventsRepository
from storage.feedback import FeedbackRepository
from storage.leases import LeasesRepository
from storage.outbox import OutboxRepository
from storage.publications import PublicationsRepository
from storage.reminders import RemindersRepository
from storage.slack_parking import SlackParkingRepository
from storage.sql import DIRTY, ActionRequest, Intake, NewAction, NewEvent

__all__ = ["DIRTY", "ActionRequest", "Intake", "NewAction", "NewEvent", "Storage"]


class Storage(
    BudgetRepository,
    PublicationsRepository,
    ActionsRepository,
    EventsRepository,
    OutboxRepository,
    SlackParkingRepository,
    FeedbackRepository,
    RemindersRepository,
    LeasesRepository,
):
    """Repository over the four tables; safe to call from any coroutine."""

    def __init__(self, store: StorageEngine) -> None:
        self.store = store
