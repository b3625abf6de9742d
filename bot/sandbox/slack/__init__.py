"""A Slack Web API simulator for tests, benchmarks and `asc-bot demo` (part of `bot.sandbox`).

sim = SlackSimulator(signing_secret=secret)
client = AsyncWebClient(token="xoxb-sim", base_url=await sim.start())
...  # the bot posts; then act as a user:
await sim.click_button(bot_url, sim.messages["C1"][0], "submit_testflight", user="U1")
"""

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
