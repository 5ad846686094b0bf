"""Shared rich consoles and small output helpers for the CLI."""

from rich.console import Console

console = Console()
erreurs = Console(stderr=True)
