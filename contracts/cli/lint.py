"""`contracts lint` (placeholder until its issue lands)."""

import click


@click.command("lint")
def command() -> int:
    """Not built yet."""
    raise click.UsageError("'contracts lint' is not built yet")
