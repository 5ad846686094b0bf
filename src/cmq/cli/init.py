"""`cmq init`: create or upgrade the database and load the embedded lycées, campuses and members."""

import typer
from rich.console import Console

from cmq.cli.importer import barre
from cmq.cli.lecture import tableau


def init(
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        metavar="URL",
        help="Base à initialiser, ex. postgresql+psycopg://utilisateur@serveur/cmq (comme --base).",
    ),
) -> None:
    """Crée ou met à jour la base, puis charge les lycées, les campus et leurs membres embarqués (sans doublon)."""
    from cmq.init import initialiser

    with barre() as progression:
        resultat = initialiser(database_url, progression=progression)
    sortie = Console(soft_wrap=False)
    sortie.print(f"Base : {resultat['base']} (schéma {resultat['revision']})", soft_wrap=True)
    rapports = (
        ("établissements (lycées)", resultat["etablissements"]),
        ("campus", resultat["campus"]),
        ("membres des campus", resultat["membres"]),
    )
    lignes = [(nom, r.lues, r.inserees, r.mises_a_jour, r.inchangees) for nom, r in rapports]
    sortie.print(tableau("Données embarquées", ("données", "lues", "insérées", "mises à jour", "inchangées"), lignes))
    if not any(r.inserees or r.mises_a_jour for _, r in rapports):
        sortie.print("Base déjà à jour : aucune modification.")


def enregistrer(app: typer.Typer) -> None:
    """Attach `cmq init` to the root app."""
    app.command("init")(init)
