"""asc-bot: App Store Connect post-processing driven from Slack."""

__version__ = "0.1.0"
