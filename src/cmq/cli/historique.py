"""`cmq imports`: history of the imports recorded in the database."""

from typing import Annotated

import typer

from cmq.cli.lecture import Format, FormatListe, sortir
from cmq.models import ImportEnregistre
from cmq.store import lecture, schema

ENTETES = (
    "N°",
    "Source",
    "Type",
    "Début (UTC)",
    "Fin (UTC)",
    "Lues",
    "Insérées",
    "Mises à jour",
    "Rejetées",
    "Statut",
    "Message",
)


def _ligne(i: ImportEnregistre) -> tuple:
    return (
        i.id,
        i.source,
        i.type_import,
        f"{i.debut:%Y-%m-%d %H:%M:%S}",
        i.fin and f"{i.fin:%Y-%m-%d %H:%M:%S}",
        i.lignes_lues,
        i.inserees,
        i.mises_a_jour,
        i.rejetees,
        i.statut,
        i.message,
    )


def imports(
    limite: Annotated[int, typer.Option("--limite", help="Nombre d'imports affichés (les plus récents).")] = 50,
    format: FormatListe = Format.table,
) -> None:
    """Historique des imports (le plus récent d'abord)."""
    with schema.session_lecture() as s:
        historique = lecture.imports(s, limite=limite)
    sortir(
        format,
        ENTETES,
        [_ligne(i) for i in historique],
        [i.model_dump(mode="json") for i in historique],
        titre="Historique des imports",
        pied=f"{len(historique)} import(s)." if historique else "Aucun import enregistré.",
    )


def enregistrer(app: typer.Typer) -> None:
    """Attach `cmq imports` to the root app."""
    app.command("imports")(imports)
