"""An App Store Connect API simulator: a real aiohttp server with Apple's JSON:API shapes and rules."""

from bot.sandbox.asc.exchange import Exchange
from bot.sandbox.asc.faults import Faults
from bot.sandbox.asc.simulator import AscSimulator

__all__ = ["AscSimulator", "Exchange", "Faults"]
