"""`cmq campus` commands: list and show the campuses of the directory; edit them (`cmq.cli.edition`)."""

from typing import Annotated

import typer

from cmq import filieres, filtres
from cmq.cli.lecture import (
    Format,
    FormatFiche,
    FormatListe,
    analyser_date,
    console,
    nom_territoire,
    oui_non,
    periode_label,
    refuser_csv,
    sortir,
    tableau,
)
from cmq.models import Campus
from cmq.store import etat_au, lecture, schema

Au = Annotated[
    str | None,
    typer.Option(
        "--au", help="Annuaire tel qu'il était à la fin de ce jour (AAAA-MM-JJ), reconstitué depuis l'historique."
    ),
]


def _base(au: str | None):
    """The database to read: the directory at the end of `au`, or the current one."""
    jour = analyser_date(au)
    return etat_au.url_au(None, jour) if jour is not None else None


groupe = typer.Typer(
    help="Annuaire des campus : liste filtrée, fiche détaillée et modification (champs, membres, partenaires).",
    no_args_is_help=True,
)

ENTETES = ("Identifiant", "Nom", "Filière", "Excellence", "Région acad.", "Académies", "Siège", "Label")


def _ligne(c: Campus) -> tuple:
    return (
        c.id,
        c.nom,
        filieres.get(c.filiere).libelle_court,
        oui_non(c.excellence),
        c.region_academique,
        ", ".join(c.academies),
        c.ville_siege,
        periode_label(c.date_debut_label, c.date_fin_label),
    )


def _ligne_csv(c: Campus) -> tuple:
    return (
        c.id,
        c.nom,
        c.sigle,
        c.filiere,
        {True: "oui", False: "non"}.get(c.excellence),
        c.region_academique,
        "|".join(c.academies),
        c.ville_siege,
        c.code_commune_siege,
        c.date_debut_label,
        c.date_fin_label,
        c.site_web,
        c.provenance.source_url,
    )


ENTETES_CSV = (
    "id",
    "nom",
    "sigle",
    "filiere",
    "excellence",
    "region_academique",
    "academies",
    "ville_siege",
    "code_commune_siege",
    "date_debut_label",
    "date_fin_label",
    "site_web",
    "source_url",
)


@groupe.command("liste")
def liste(
    filiere: Annotated[str | None, typer.Option("--filiere", help="Code ou libellé de filière.")] = None,
    region_academique: Annotated[str | None, typer.Option("--region-academique", help="Code ou nom.")] = None,
    academie: Annotated[str | None, typer.Option("--academie", help="Code ou nom d'académie.")] = None,
    departement: Annotated[str | None, typer.Option("--departement", help="Code ou nom de département.")] = None,
    excellence: Annotated[
        bool | None, typer.Option("--excellence/--non-excellence", help="Campus d'excellence ou non.")
    ] = None,
    actif_le: Annotated[str | None, typer.Option("--actif-le", help="Label valide à cette date (AAAA-MM-JJ).")] = None,
    q: Annotated[str | None, typer.Option("--q", help="Recherche dans le nom, le sigle et la ville.")] = None,
    limite: Annotated[int | None, typer.Option("--limite", help="Nombre maximal de campus affichés.")] = None,
    format: FormatListe = Format.table,
    au: Au = None,
) -> None:
    """Liste les campus ; un territoire inclut les campus dont le siège ou un membre s'y trouve."""
    jour = analyser_date(actif_le)
    with schema.session_lecture(_base(au)) as s:
        page, total = lecture.lister_campus(
            s,
            **filtres.codes(
                filiere=filiere, region_academique=region_academique, academie=academie, departement=departement
            ),
            excellence=excellence,
            actif_le=jour,
            q=q,
            limite=limite,
        )
    if format is Format.csv:
        sortir(format, ENTETES_CSV, [_ligne_csv(c) for c in page], [])
        return
    sortir(
        format,
        ENTETES,
        [_ligne(c) for c in page],
        [c.model_dump(mode="json") for c in page],
        titre="Campus des métiers et des qualifications",
        pied=f"{len(page)} campus affiché(s) sur {total}.",
    )


def _fiche(c: Campus) -> list[tuple[str, str]]:
    filiere = filieres.get(c.filiere)
    siege = " ".join(filter(None, (c.ville_siege, f"({c.code_commune_siege})" if c.code_commune_siege else None)))
    p = c.provenance
    return [
        ("Identifiant", c.id),
        ("Nom", c.nom),
        ("Sigle", c.sigle or ""),
        ("Filière", f"{filiere.libelle} ({filiere.code})"),
        ("Excellence", oui_non(c.excellence)),
        ("Label", periode_label(c.date_debut_label, c.date_fin_label)),
        ("Arrêté", c.reference_arrete or ""),
        ("Siège", siege or "non renseigné"),
        ("Région académique", nom_territoire("region_academique", c.region_academique)),
        ("Académies", ", ".join(nom_territoire("academie", a) for a in c.academies) or "non renseigné"),
        ("Établissement support", c.uai_support or ""),
        ("Site web", c.site_web or ""),
        ("Source", " — ".join(filter(None, (p.source_nom, p.source_url))) or "non renseignée"),
        ("Récupéré le", str(p.date_recuperation or "")),
    ]


@groupe.command("voir")
def voir(
    id: Annotated[str, typer.Argument(help="Identifiant du campus (voir `cmq campus liste`).")],
    format: FormatFiche = Format.table,
    au: Au = None,
) -> None:
    """Fiche d'un campus : identité, label, siège, provenance, membres et partenaires."""
    refuser_csv(format)
    with schema.session_lecture(_base(au)) as s:
        c = lecture.campus(s, id)
        membres = lecture.membres(s, c.id)
        partenaires = lecture.partenaires(s, c.id)
    if format is Format.json:
        objet = c.model_dump(mode="json") | {
            "membres": [
                m.model_dump(mode="json") | {"etablissement": e and e.model_dump(mode="json")} for m, e in membres
            ],
            "partenaires": [p.model_dump(mode="json") for p in partenaires],
        }
        sortir(format, (), [], objet)
        return
    sortie = console()
    sortie.print(tableau(c.nom, ("Champ", "Valeur"), _fiche(c)))
    sortie.print(
        tableau(
            f"Membres ({len(membres)})",
            ("UAI", "Nom", "Commune", "Rôle"),
            [
                (m.uai, e.nom if e else "absent de l'annuaire", e.nom_commune if e else "", m.role.value)
                for m, e in membres
            ],
        )
    )
    sortie.print(
        tableau(
            f"Partenaires ({len(partenaires)})",
            ("Nom", "Nature", "SIRET"),
            [(p.nom, p.nature.value, p.siret) for p in partenaires],
        )
    )


def enregistrer(app: typer.Typer) -> None:
    """Attach the `campus` group to the root app."""
    from cmq.cli import edition

    edition.enregistrer_dans(groupe)
    app.add_typer(groupe, name="campus")
