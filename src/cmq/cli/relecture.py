"""`cmq relecture`: the changes waiting review, accepted or rejected as the user of $CMQ_JETON, else
the local administrator (`cmq.cli.acteur`)."""

from typing import Annotated

import typer

from cmq import relecture
from cmq.cli.acteur import AIDE
from cmq.cli.edition import ENTETES, base_et_acteur, lignes_changements
from cmq.cli.lecture import Format, FormatListe, console, sortir, tableau

groupe = typer.Typer(
    help="Changements en attente de relecture : liste, acceptation, rejet motivé.", no_args_is_help=True, epilog=AIDE
)
Numero = Annotated[int, typer.Argument(help="Numéro du changement (voir `cmq relecture liste`).")]


@groupe.command("liste")
def liste(
    campus: Annotated[str | None, typer.Option("--campus", help="Ceux d'un seul campus.")] = None,
    format: FormatListe = Format.table,
) -> None:
    """Les changements à valider, du plus ancien au plus récent, champ par champ."""
    url, qui = base_et_acteur()
    attente = relecture.en_attente(qui, campus_id=campus, url=url)
    entetes = (*ENTETES, "Auteur", "Source")
    auteurs = {c.id: (c.auteur, c.source) for c in attente}
    lignes = [(*ligne, *auteurs[ligne[0]]) for ligne in lignes_changements(attente)]
    objets = [c.model_dump(mode="json") for c in attente]
    pied = f"{len(attente)} changement(s) à valider : `cmq relecture accepter N` ou `rejeter N --motif …`."
    sortir(format, entetes, lignes, objets, titre="Changements à valider", pied=pied)


def _decision(changements, verbe: str) -> None:
    sortie = console()
    sortie.print(f"Changement(s) {', '.join(str(c.id) for c in changements)} {verbe}.")
    sortie.print(tableau(None, ENTETES, lignes_changements(changements)))


@groupe.command("accepter")
def accepter(id: Numero) -> None:
    """Applique le changement s'il part encore de l'état enregistré (sinon : conflit, rien n'est fait)."""
    url, qui = base_et_acteur()
    _decision(relecture.accepter(id, acteur=qui, url=url), "accepté(s) et appliqué(s)")


@groupe.command("rejeter")
def rejeter(
    id: Numero,
    motif: Annotated[str, typer.Option("--motif", help="Raison du rejet (obligatoire).")],
) -> None:
    """Rejette le changement avec son motif ; rien n'est appliqué."""
    url, qui = base_et_acteur()
    _decision(relecture.rejeter(id, motif, acteur=qui, url=url), "rejeté(s)")


def enregistrer(app: typer.Typer) -> None:
    """Attach the `relecture` group to the root app."""
    app.add_typer(groupe, name="relecture")
