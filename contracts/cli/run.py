"""`contracts run` (placeholder until its issue lands)."""

import click


@click.command("run")
def command() -> int:
    """Not built yet."""
    raise click.UsageError("'contracts run' is not built yet")
