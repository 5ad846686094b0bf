"""`cmq verifier` commands."""

import typer


def enregistrer(app: typer.Typer) -> None:
    """Attach the `verifier` commands to the root app."""
