"""`cmq sauvegarder` and `cmq restaurer`: portable backup of the whole store."""

from datetime import UTC
from pathlib import Path
from typing import Annotated

import typer

from cmq.cli.lecture import console, tableau
from cmq.store import sauvegarde
from cmq.store.historique import ACTEUR_LOCAL
from cmq.store.sauvegarde import Manifeste


def _resume(manifeste: Manifeste, titre: str) -> None:
    """Rows per table, then the total."""
    lignes = [(nom, entree.lignes) for nom, entree in manifeste.tables.items()]
    lignes.append(("total", manifeste.total_lignes))
    sortie = console()
    sortie.print(titre, markup=False)
    sortie.print(tableau(None, ("Table", "Lignes"), lignes))


def sauvegarder(
    fichier: Annotated[Path, typer.Argument(help="Fichier ZIP à écrire (remplacé s'il existe).")],
) -> None:
    """Sauvegarde toute la base dans un fichier portable (ZIP de tables JSON Lines)."""
    manifeste = sauvegarde.sauvegarder(fichier)
    _resume(manifeste, f"Sauvegarde écrite : {fichier}")


def restaurer(
    fichier: Annotated[Path, typer.Argument(help="Sauvegarde produite par `cmq sauvegarder`.")],
    remplacer: Annotated[
        bool, typer.Option("--remplacer", help="Écrase le contenu d'une base qui n'est pas vide.")
    ] = False,
) -> None:
    """Restaure une sauvegarde dans une base vide (SQLite ou PostgreSQL).

    La restauration est inscrite à l'historique de la base (`cmq historique campus ID`) ; le
    journal des restaurations n'entre pas dans les sauvegardes.
    """
    manifeste = sauvegarde.restaurer(fichier, remplacer=remplacer, acteur=ACTEUR_LOCAL)
    _resume(
        manifeste,
        f"Base restaurée depuis {fichier} (sauvegarde du {manifeste.cree_le.astimezone(UTC):%Y-%m-%d %H:%M} UTC)",
    )
    console().print(
        f"Restauration inscrite à l'historique de la base (auteur : {ACTEUR_LOCAL.nom}) : "
        "`cmq historique campus ID` la montre.",
        markup=False,
    )


def enregistrer(app: typer.Typer) -> None:
    """Attach `sauvegarder` and `restaurer` to the root app."""
    app.command("sauvegarder")(sauvegarder)
    app.command("restaurer")(restaurer)
