"""`cmq imports`: history of the imports; `cmq historique campus ID`: the changes of a campus."""

from typing import Annotated

import typer

from cmq.cli.lecture import Format, FormatListe, sortir
from cmq.models import Changement, ImportEnregistre
from cmq.reponses import historique as en_clair
from cmq.store import historique as changements
from cmq.store import lecture, schema

groupe = typer.Typer(
    help="Historique des changements d'un campus : qui, quand, quelle source, chaque champ avant et après.",
    no_args_is_help=True,
)
ENTETES_CHANGEMENTS = ("N°", "Date (Paris)", "Auteur", "Source", "Objet", "Action", "Champs (avant → après)")

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


def _changement(c: Changement) -> tuple:
    return (
        c.id,
        en_clair.quand(c.quand),
        c.auteur,
        c.source,
        en_clair.objet(c),
        en_clair.ACTIONS.get(c.action, c.action),
        en_clair.resume(c),
    )


@groupe.command("campus")
def campus(
    id: Annotated[str, typer.Argument(help="Identifiant du campus (même supprimé depuis).")],
    limite: Annotated[
        int, typer.Option("--limite", min=1, help="Nombre de changements affichés (les plus récents).")
    ] = 50,
    format: FormatListe = Format.table,
) -> None:
    """Changements d'un campus, le plus récent d'abord : champs du campus, membres, partenaires, alias."""
    with schema.session_lecture() as s:
        liste, total = changements.du_campus(s, id, limite=limite)
    sortir(
        format,
        ENTETES_CHANGEMENTS,
        [_changement(c) for c in liste],
        [c.model_dump(mode="json") for c in liste],
        titre=f"Historique du campus {id.strip().lower()}",
        pied=f"{len(liste)} changement(s) affiché(s) sur {total}." if total else "Aucun changement enregistré.",
    )


def enregistrer(app: typer.Typer) -> None:
    """Attach `cmq imports` and `cmq historique` to the root app."""
    app.command("imports")(imports)
    app.add_typer(groupe, name="historique")
