"""`cmq etablissement` commands: establishments of the directory (by UAI) and their campuses; name -> UAI."""

from pathlib import Path
from typing import Annotated

import typer

from cmq import filieres, filtres
from cmq.cli.lecture import (
    Format,
    FormatFiche,
    FormatListe,
    console,
    nom_territoire,
    periode_label,
    refuser_csv,
    sortir,
    tableau,
)
from cmq.models import Etablissement
from cmq.store import lecture, schema

groupe = typer.Typer(
    help="Établissements (UAI) : fiche, liste filtrée, recherche par nom et rapprochement d'un fichier.",
    no_args_is_help=True,
)
EMBARQUE = typer.Option(
    "--embarque", help="Chercher parmi les lycées embarqués (sans base) plutôt que dans l'annuaire chargé."
)

CHAMPS = (
    "uai",
    "nom",
    "type",
    "secteur",
    "code_commune",
    "nom_commune",
    "code_postal",
    "departement",
    "academie",
    "region_academique",
)


def _valeurs(e: Etablissement) -> tuple:
    return tuple(getattr(e, champ) for champ in CHAMPS)


def _fiche(e: Etablissement) -> list[tuple[str, str | None]]:
    commune = " ".join(filter(None, (e.code_postal, e.nom_commune, f"({e.code_commune})" if e.code_commune else None)))
    return [
        ("UAI", e.uai),
        ("Nom", e.nom),
        ("Type", e.type),
        ("Secteur", e.secteur),
        ("Commune", commune),
        ("Département", nom_territoire("departement", e.departement)),
        ("Académie", nom_territoire("academie", e.academie)),
        ("Région académique", nom_territoire("region_academique", e.region_academique)),
    ]


@groupe.command("voir")
def voir(
    uai: Annotated[str, typer.Argument(help="Code UAI (7 chiffres et une lettre, ex. 0690001A).")],
    format: FormatFiche = Format.table,
) -> None:
    """Fiche d'un établissement et campus dont il est membre."""
    refuser_csv(format)
    with schema.session_lecture() as s:
        e = lecture.etablissement(s, uai)
        campus = lecture.campus_de_l_etablissement(s, e.uai)
    if format is Format.json:
        sortir(format, (), [], e.model_dump(mode="json") | {"campus": [c.model_dump(mode="json") for c in campus]})
        return
    sortie = console()
    sortie.print(tableau(e.nom, ("Champ", "Valeur"), _fiche(e)))
    sortie.print(
        tableau(
            f"Campus ({len(campus)})",
            ("Identifiant", "Nom", "Filière", "Label"),
            [
                (
                    c.id,
                    c.nom,
                    filieres.get(c.filiere).libelle_court,
                    periode_label(c.date_debut_label, c.date_fin_label),
                )
                for c in campus
            ],
        )
    )


@groupe.command("liste")
def liste(
    departement: Annotated[str | None, typer.Option("--departement", help="Code ou nom de département.")] = None,
    academie: Annotated[str | None, typer.Option("--academie", help="Code ou nom d'académie.")] = None,
    region_academique: Annotated[str | None, typer.Option("--region-academique", help="Code ou nom.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Type d'établissement (LP, LPO, CFA…).")] = None,
    limite: Annotated[int | None, typer.Option("--limite", help="Nombre maximal d'établissements affichés.")] = 100,
    decalage: Annotated[int, typer.Option("--decalage", help="Nombre d'établissements sautés (pagination).")] = 0,
    format: FormatListe = Format.table,
) -> None:
    """Liste les établissements de l'annuaire chargé, triés par UAI."""
    with schema.session_lecture() as s:
        page, total = lecture.lister_etablissements(
            s,
            **filtres.codes_territoires(
                departement=departement, academie=academie, region_academique=region_academique
            ),
            type=type,
            limite=limite,
            decalage=decalage,
        )
    sortir(
        format,
        CHAMPS,
        [_valeurs(e) for e in page],
        [e.model_dump(mode="json") for e in page],
        titre="Établissements",
        pied=f"{len(page)} établissement(s) affiché(s) sur {total}.",
    )


def _index(embarque: bool):
    from cmq.rapprochement import IndexEtablissements

    return IndexEtablissements.embarque() if embarque else IndexEtablissements.de_la_base()


@groupe.command("chercher")
def chercher(
    texte: Annotated[str, typer.Argument(help="Nom (même abrégé : « LP Branly (Amiens) »), UAI ou commune.")],
    commune: Annotated[
        str | None, typer.Option("--commune", help="Commune (nom, code postal) de l'établissement.")
    ] = None,
    limite: Annotated[int, typer.Option("--limite", "-n", min=1, max=100, help="Nombre maximal de candidats.")] = 10,
    embarque: Annotated[bool, EMBARQUE] = False,
    format: FormatListe = Format.table,
) -> None:
    """Établissements correspondant à un nom, un UAI ou une commune, du plus probable au moins probable."""
    candidats = _index(embarque).chercher(texte, commune, limite)
    entetes = ("uai", "nom", "type", "commune", "code_commune", "score")
    lignes = [(c.uai, c.nom, c.type, c.commune, c.code_commune, f"{c.score:.1f}") for c in candidats]
    sortir(
        format,
        entetes,
        lignes,
        [
            dict(zip(entetes, (c.uai, c.nom, c.type, c.commune, c.code_commune, c.score), strict=True))
            for c in candidats
        ],
        titre=f"Établissements pour « {texte} »",
        pied=f"{len(candidats)} candidat(s)." if candidats else "Aucun établissement ne correspond.",
    )


@groupe.command("rapprocher")
def rapprocher(
    fichier: Annotated[Path, typer.Argument(help="Fichier .csv, .txt, .tsv ou .xlsx à lire (jamais modifié).")],
    nom_colonne: Annotated[str, typer.Option("--colonne", "-c", help="Colonne contenant le nom de l'établissement.")],
    colonne_commune: Annotated[
        str | None, typer.Option("--colonne-commune", help="Colonne contenant la commune (facultative).")
    ] = None,
    sortie: Annotated[
        Path | None,
        typer.Option("--sortie", "-o", help="Fichier écrit (défaut : <nom>_rapprochement.<ext> à côté de l'entrée)."),
    ] = None,
    feuille: Annotated[str | None, typer.Option("--feuille", help="Feuille à lire d'un classeur .xlsx.")] = None,
    embarque: Annotated[bool, EMBARQUE] = False,
) -> None:
    """Ajoute à chaque ligne uai_rapproche, statut_rapprochement (trouve, ambigu, inconnu), score et candidats."""
    from cmq.rapprochement import rapprocher_fichier

    resume = rapprocher_fichier(
        fichier, nom_colonne, sortie, colonne_commune=colonne_commune, feuille=feuille, index=_index(embarque)
    )
    libelles = {"trouve": "trouvés", "ambigu": "ambigus", "inconnu": "inconnus", "vide": "vides"}
    total = resume.lignes
    lignes = [
        (libelle, resume.statuts[statut], f"{100 * resume.statuts[statut] / total:.1f} %" if total else "–")
        for statut, libelle in libelles.items()
    ]
    ecran = console()
    ecran.print(tableau(f"Colonne « {resume.colonne} » : {total} lignes", ("Établissements", "Lignes", "Part"), lignes))
    ecran.print(f"Fichier écrit : {resume.sortie}")


def enregistrer(app: typer.Typer) -> None:
    """Attach the `etablissement` group to the root app."""
    app.add_typer(groupe, name="etablissement")
