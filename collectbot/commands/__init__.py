"""One module per command. Each defines `register(app)`, which adds its typer command(s).

A command function takes its own flags plus the common `--config`, `--now` and `--json`
(`collectbot.env.ConfigOpt`, `NowOpt`, `JsonOpt`) and calls `collectbot.env.execute(...)`
with a body `(env) -> exit code` that calls into the library.
"""
