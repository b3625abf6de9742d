"""The project's testing API: offline stand-ins for App Store Connect and Slack, and a world wiring them.

It ships with the bot because `asc-bot demo` runs on it; the test suite and the benchmarks use the same
pieces, so all three exercise the real wiring rather than mocks:

- `bot.sandbox.asc.AscSimulator`: an App Store Connect API server (aiohttp on a loopback port) with
  Apple's JSON:API shapes, ES256 token checks, rate-limit headers, processing that takes time,
  injectable faults, and App Store Connect's own webhooks, signed as Apple signs them
  (`bot.sandbox.asc.webhooks.sign_apple`).
- `bot.sandbox.slack.SlackSimulator`: a Slack Web API server that records every call, checks Slack's
  limits, and sends signed clicks, forms and slash commands to the bot as a user would.
- `bot.sandbox.world.World`: both simulators plus a real bot built by `bot.app`, on an injected clock.
- `bot.sandbox.postgres.PostgresServer`: a throwaway PostgreSQL server for the PostgreSQL runs.
- `bot.sandbox.clock.FakeClock`: a clock that moves only when told (its `sleep` moves it), for the
  world, the tests and the benchmarks.

Helpers only the test suite needs live in `tests/support/`, not here and not in the product modules.
"""
