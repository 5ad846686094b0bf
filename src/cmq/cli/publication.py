"""`cmq publier DOSSIER`: a versioned open-data release of the directory (`cmq.publication`)."""

import json
from pathlib import Path
from typing import Annotated

import typer

from cmq import publication
from cmq.cli.lecture import Format, FormatFiche, refuser_csv
from cmq.cli.sortie import console, tableau


def publier(
    dossier: Annotated[Path, typer.Argument(help="Dossier des publications (chacune dans un sous-dossier vN).")],
    format: FormatFiche = Format.table,
) -> None:
    """Publie le référentiel en open data : campus, membres et partenaires (CSV, JSON), sièges et
    membres (GeoJSON), datapackage.json décrivant chaque champ, et les changements depuis la
    publication précédente. Même base, mêmes octets ; rien n'est écrit si rien n'a changé."""
    refuser_csv(format)
    resultat = publication.publier(dossier)
    if format is Format.json:
        typer.echo(
            json.dumps(
                {
                    "version": resultat.version,
                    "dossier": str(resultat.dossier),
                    "nouvelle": resultat.nouvelle,
                    "precedente": resultat.precedente,
                    "changements": resultat.changements,
                    "lignes": resultat.lignes,
                },
                ensure_ascii=False,
            )
        )
        return
    sortie = console()
    if not resultat.nouvelle:
        sortie.print(
            f"Rien de nouveau : la publication v{resultat.version} est à jour ({resultat.dossier}).", markup=False
        )
        return
    depuis = f"depuis v{resultat.precedente}" if resultat.precedente else "première publication"
    sortie.print(
        f"Publication v{resultat.version} écrite : {resultat.dossier} ({resultat.changements} changement(s), {depuis})",
        markup=False,
    )
    sortie.print(tableau(None, ("Table", "Lignes"), list(resultat.lignes.items())))


def enregistrer(app: typer.Typer) -> None:
    """Attach `publier` to the root app."""
    app.command("publier")(publier)
