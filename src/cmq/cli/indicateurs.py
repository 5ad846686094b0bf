"""`cmq indicateurs` (figures per territory at a date) and `cmq indicateurs evolution`."""

from pathlib import Path
from typing import Annotated

import typer

from cmq import exports, filieres, indicateurs
from cmq.cli.exporter import Bom, Separateur, Sortie, exiger_fichier, livrer
from cmq.cli.lecture import console, tableau
from cmq.errors import EntreeInvalide

FORMATS = ("table", "csv", "json", "xlsx", "md")
Echelle = Annotated[str, typer.Option("--echelle", help="france, region_academique, academie ou departement.")]
Code = Annotated[str | None, typer.Option("--code", help="Code ou nom du territoire (ex. 10, Lyon, 84, ARA).")]
FormatOption = Annotated[
    str | None, typer.Option("--format", help="table (écran), csv, json, xlsx ou md (défaut : selon -o, sinon table).")
]


def _filieres(ligne: indicateurs.LigneIndicateurs) -> str:
    return ", ".join(f"{filieres.get(c).libelle_court} {n}" for c, n in ligne.filieres.items() if n)


def _verifier(format: str | None, chemin: Path | None) -> str:
    forme = exports.verifier_format(format or exports.format_du_fichier(chemin, "table"), FORMATS)
    if forme == "table" and chemin is not None:
        raise EntreeInvalide("le format table s'affiche à l'écran : pour un fichier, choisissez csv, json, xlsx ou md")
    exiger_fichier(forme, chemin)
    return forme


groupe = typer.Typer(
    name="indicateurs",
    help="Indicateurs « Acteurs » des CMQ par territoire à une date (un campus compte dans un territoire si son "
    "siège ou l'un de ses établissements membres s'y trouve, et à une date si son label y est valide) ; "
    "[bold]evolution[/bold] : nombre de campus à la rentrée de chaque année.",
)


@groupe.callback(invoke_without_command=True)
def indicateurs_territoires(
    ctx: typer.Context,
    echelle: Echelle = "france",
    code: Code = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Date AAAA-MM-JJ (défaut : --au, sinon aujourd'hui).")
    ] = None,
    format: FormatOption = None,
    sortie: Sortie = None,
    separateur: Separateur = ",",
    bom: Bom = False,
    au: Annotated[
        str | None,
        typer.Option(
            "--au",
            help="Calcul sur l'annuaire tel qu'il était à la fin de ce jour (AAAA-MM-JJ) : campus et membres "
            "reconstitués depuis l'historique, établissements tels que chargés aujourd'hui.",
        ),
    ] = None,
) -> None:
    """Campus valides à la date (un campus compte dans un territoire si son siège ou un membre s'y trouve),
    excellence, campus par filière, établissements membres, couverture des lycées."""
    if ctx.invoked_subcommand is not None:
        return
    forme = _verifier(format, sortie)
    lignes = indicateurs.indicateurs(echelle, code, date, au=au)
    if forme == "table":
        entetes = (
            "Code",
            "Territoire",
            "Campus",
            "Excellence",
            "Filières",
            "Membres connus",
            "Établ. membres",
            "Lycées",
            "Couverture lycées",
        )
        rangs = [
            (
                lg.code,
                lg.nom,
                lg.nb_campus,
                f"{lg.nb_excellence} ({exports.pourcentage(lg.part_excellence)})",
                _filieres(lg),
                f"{lg.nb_campus_membres_connus}/{lg.nb_campus} campus",
                lg.nb_etablissements_membres,
                lg.nb_lycees,
                exports.pourcentage(lg.couverture_lycees),
            )
            for lg in lignes
        ]
        console().print(tableau(f"Indicateurs CMQ au {lignes[0].date}", entetes, rangs))
        if len(lignes) == 1:
            console().print(
                f"Chiffres des membres : {indicateurs.completude_membres(lignes[0])} (couverture des lycées "
                "= minimum connu, pas un total) ; "
                f"{indicateurs.completude_dates(lignes[0].nb_campus_sans_date_debut, lignes[0].nb_campus)}."
            )
        else:
            console().print("Membres connus : campus dont les membres sont recensés, base des chiffres des membres.")
        if isinstance(lignes[0], indicateurs.LigneIndicateursAu):
            console().print(f"Annuaire : {lignes[0].note}.")
        return
    if forme == "md":
        contenu = exports.markdown_glossaire(lignes).encode("utf-8")
    else:
        colonnes, rangs = indicateurs.vers_table(lignes)
        contenu = exports.octets(colonnes, rangs, forme, separateur=separateur, bom=bom, feuille="Indicateurs")
    livrer(contenu, sortie, forme, f"{len(lignes)} territoire(s) au {lignes[0].date} écrit(s)")


@groupe.command("evolution")
def evolution(
    de: Annotated[int, typer.Option("--de", help="Première année.")],
    a: Annotated[int, typer.Option("--a", help="Dernière année (incluse).")],
    echelle: Echelle = "france",
    code: Code = None,
    jour_du_mois: Annotated[str, typer.Option("--jour", help="Jour de l'année compté (MM-JJ, défaut : rentrée).")] = (
        indicateurs.JOUR_DE_RENTREE
    ),
    format: FormatOption = None,
    sortie: Sortie = None,
    separateur: Separateur = ",",
    bom: Bom = False,
) -> None:
    """Nombre de campus valides à la rentrée (1er septembre) de chaque année, par territoire."""
    forme = _verifier(format, sortie)
    points = indicateurs.evolution(de, a, echelle, code, jour_du_mois=jour_du_mois)
    if forme == "table":
        rangs = [(p.annee, p.date, p.code, p.nom, p.nb_campus, p.nb_campus_sans_date_debut) for p in points]
        titre = f"Nombre de campus au {jour_du_mois[3:]}/{jour_du_mois[:2]} de chaque année"
        entetes = ("Année", "Date", "Code", "Territoire", "Campus", "dont sans date de début")
        console().print(tableau(titre, entetes, rangs))
        console().print(
            "Un campus sans date de début de label est compté chaque année jusqu'à sa fin : "
            "les premières années sont surestimées d'autant."
        )
        return
    colonnes, rangs = indicateurs.evolution_vers_table(points)
    contenu = exports.octets(colonnes, rangs, forme, separateur=separateur, bom=bom, feuille="Évolution")
    livrer(contenu, sortie, forme, f"{len(rangs)} ligne(s) écrite(s)")


def enregistrer(app: typer.Typer) -> None:
    """Attach the `indicateurs` group to the root app."""
    app.add_typer(groupe)
