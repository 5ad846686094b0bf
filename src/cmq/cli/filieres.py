"""`cmq filieres` commands."""

import typer


def enregistrer(app: typer.Typer) -> None:
    """Attach the `filieres` commands to the root app."""
