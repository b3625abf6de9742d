"""A Slack Web API simulator for tests, benchmarks and `asc-bot demo` (see DESIGN.md §5)."""

from bot.sandbox.slack.interactions import SOCKET_MODE
from bot.sandbox.slack.limits import check_message, check_view, message_warnings
from bot.sandbox.slack.models import BotResponse, Edit, Message, SlackCall
from bot.sandbox.slack.simulator import SlackSimulator

__all__ = [
    "SOCKET_MODE",
    "BotResponse",
    "Edit",
    "Message",
    "SlackCall",
    "SlackSimulator",
    "check_message",
    "check_view",
    "message_warnings",
]
