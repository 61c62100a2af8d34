"""`contracts mock` (placeholder until its issue lands)."""

import click


@click.command("mock")
def command() -> int:
    """Not built yet."""
    raise click.UsageError("'contracts mock' is not built yet")
