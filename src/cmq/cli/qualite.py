"""`cmq qualite`: completeness of each field of the directory and kinds of sources."""

from typing import Annotated

import typer

from cmq.cli.lecture import Format, FormatListe, console, sortir, tableau

ENTETES = ("Champ", "Campus qui l'ont", "Campus", "Part", "Sans (identifiants)")


def qualite(
    format: FormatListe = Format.table,
    tous: Annotated[
        bool, typer.Option("--tous", help="Liste tous les campus sans chaque champ (sinon les 10 premiers).")
    ] = False,
) -> None:
    """Qualité des données : pour chaque champ (siège, coordonnées, dates du label, excellence, membres,
    sources), combien de campus l'ont, lesquels ne l'ont pas, et quels campus reposent sur un miroir,
    un agrégateur ou la presse plutôt que sur une page officielle."""
    from cmq import exports
    from cmq.qualite import qualite as calculer

    r = calculer()
    rangs = [
        (
            c.libelle,
            c.nb_avec,
            c.nb_campus,
            exports.pourcentage(c.nb_avec / c.nb_campus if c.nb_campus else None),
            ", ".join(c.sans if tous or len(c.sans) <= 10 else [*c.sans[:10], f"… (+{len(c.sans) - 10})"]),
        )
        for c in r.champs
    ]
    if format is not Format.table:
        sortir(format, ENTETES, rangs, r.model_dump(mode="json"))
        return
    sortie = console()
    sortie.print(tableau(f"Qualité des données ({r.nb_campus} campus)", ENTETES, rangs))
    genres = ", ".join(f"{genre} : {nombre}" for genre, nombre in r.sources.items())
    sortie.print(f"Sources des campus : {genres}.")
    sortie.print(
        tableau(
            "Campus reposant sur une source non officielle",
            ("Campus", "Genre de source", "Site"),
            [(s.campus_id, s.genre, s.hote or "") for s in r.non_officielles],
        )
    )
    sortie.print(
        "Règle : officielle = gouv.fr, académie (ac-…), ONISEP, région ou collectivité, université ; "
        "campus = site du campus ; miroir ou agrégateur = copie de documents, agrégateur, blog ; "
        "le reste = presse ou autre (voir cmq.qualite)."
    )


def enregistrer(app: typer.Typer) -> None:
    """Attach `cmq qualite` to the root app."""
    app.command("qualite")(qualite)
