"""`cmq etablissement` commands: establishments of the directory (by UAI) and their campuses."""

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

groupe = typer.Typer(help="Établissements (UAI) : fiche et liste filtrée.", no_args_is_help=True)

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


def enregistrer(app: typer.Typer) -> None:
    """Attach the `etablissement` group to the root app."""
    app.add_typer(groupe, name="etablissement")
