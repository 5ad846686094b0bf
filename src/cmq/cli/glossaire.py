"""`cmq glossaire` commands."""

import typer


def enregistrer(app: typer.Typer) -> None:
    """Attach the `glossaire` commands to the root app."""
