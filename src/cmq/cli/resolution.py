"""`cmq resoudre`, `cmq alias ajouter|liste|supprimer`, `cmq audit-demandes`: free-text campus mentions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cmq import alias as alias_
from cmq import audit, filieres
from cmq.cli.acteur import acteur
from cmq.cli.lecture import (
    Format,
    FormatFiche,
    FormatListe,
    analyser_date,
    console,
    refuser_csv,
    sortir,
    tableau,
)
from cmq.resolve import Resolution
from cmq.store import db, schema

STATUTS = {"trouve": "campus trouvé", "ambigu": "mention ambiguë", "inconnu": "mention inconnue"}

groupe_alias = typer.Typer(
    help="Alias confirmés : une mention (« campus btp hdf ») toujours associée au même campus.",
    no_args_is_help=True,
)


def _url() -> str:
    """The default database, which must exist and be initialised (nothing is created)."""
    url = db.ouvrir(creer=False)
    schema.exiger_initialisee(url)
    return url


def _afficher(r: Resolution) -> None:
    if r.motif == "libelle_de_filiere":
        typer.echo(f"« {r.texte} » est le libellé d'une filière, pas le nom d'un campus")
    if r.statut == "trouve":
        origine = " (alias confirmé)" if r.via_alias else ""
        typer.echo(f"{STATUTS[r.statut]}{origine} : {r.campus_id} — {r.campus_nom} (score {r.score:.1f})")
    elif r.statut == "ambigu":
        typer.echo(
            f"{STATUTS[r.statut]} : {len(r.candidats)} campus proches, précisez la filière ou le territoire "
            f"(--filiere, --territoire) ou confirmez un alias (`cmq alias ajouter`)"
        )
    elif r.candidats:
        typer.echo(
            f"{STATUTS[r.statut]} : aucun campus ne correspond avec assez de certitude à « {r.texte} » "
            "(le plus proche, non retenu, est listé)"
        )
    else:
        typer.echo(f"{STATUTS[r.statut]} : aucun campus ne correspond à « {r.texte} »")
    if r.filiere_incoherente:
        typer.echo("attention : la filière indiquée diffère de celle du campus")
    if r.candidats and not r.via_alias:
        console().print(
            tableau(
                "Candidats",
                ("Identifiant", "Nom", "Score", "Filière", "Région acad."),
                [
                    (c.campus_id, c.nom, f"{c.score:.1f}", filieres.get(c.filiere).libelle_court, c.region_academique)
                    for c in r.candidats
                ],
            )
        )


def resoudre(
    nom: Annotated[str, typer.Argument(help="Mention libre du campus, ex. « CMQ aéronautique Occitanie ».")],
    filiere: Annotated[str | None, typer.Option("--filiere", help="Filière indiquée (code ou libellé).")] = None,
    territoire: Annotated[
        str | None,
        typer.Option(
            "--territoire",
            help="Territoire de la demande (région académique, académie, département : code ou nom).",
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Date de la demande (AAAA-MM-JJ) : label valide ce jour.")
    ] = None,
    format: FormatFiche = Format.table,
) -> None:
    """Trouve le campus désigné par une mention libre (nomCmq d'Orion) : trouvé, ambigu ou inconnu."""
    from cmq.resolve import resolve

    refuser_csv(format)
    r = resolve(nom, filiere=filiere, territoire=territoire, date=analyser_date(date), url=_url())
    if format is Format.json:
        sortir(format, (), [], r.model_dump(mode="json"))
    else:
        _afficher(r)


@groupe_alias.command("ajouter")
def ajouter(
    texte: Annotated[str, typer.Argument(help="Mention telle que saisie, ex. « campus btp hdf ».")],
    campus_id: Annotated[str, typer.Argument(help="Identifiant du campus (voir `cmq campus liste`).")],
) -> None:
    """Associe une mention à un campus ; la mention sera résolue vers ce campus en priorité.

    Avec CMQ_JETON, l'utilisateur doit couvrir ce campus et celui que la mention désignait.
    """
    url = _url()
    nouveau, remplace = alias_.ajouter(texte, campus_id, url=url, acteur=acteur(url))
    suite = f" (remplace {remplace})" if remplace else ""
    typer.echo(f"alias enregistré : « {nouveau.texte} » → {nouveau.campus_id}{suite}")


@groupe_alias.command("liste")
def liste(format: FormatListe = Format.table) -> None:
    """Liste les alias confirmés."""
    tous = alias_.lister(url=_url())
    lignes = [(a.texte, a.campus_id, a.cree_le.isoformat(timespec="seconds") if a.cree_le else "") for a in tous]
    sortir(
        format,
        ("alias", "campus_id", "cree_le"),
        lignes,
        [a.model_dump(mode="json") for a in tous],
        titre="Alias confirmés",
        pied=f"{len(tous)} alias.",
    )


@groupe_alias.command("supprimer")
def supprimer(texte: Annotated[str, typer.Argument(help="Mention de l'alias (toute graphie équivalente).")]) -> None:
    """Supprime un alias confirmé (avec CMQ_JETON : l'utilisateur doit couvrir son campus)."""
    url = _url()
    ancien = alias_.supprimer(texte, url=url, acteur=acteur(url))
    typer.echo(f"alias supprimé : « {ancien.texte} » (était associé à {ancien.campus_id})")


def audit_demandes(
    fichier: Annotated[
        Path,
        typer.Argument(
            help="Export des demandes (CSV ou XLSX) : N° demande, UAI, Filière CMQ, Nom CMQ au minimum "
            "(cmqImplique, CodeRegion, CodeAcadémie, Domaine de formation (NSF), CFD, Formation, Diplôme facultatifs)."
        ),
    ],
    sortie: Annotated[
        Path | None,
        typer.Option(
            "-o", "--sortie", help="Fichier produit (.xlsx ou .csv ; défaut : <fichier>_audit.xlsx à côté de l'entrée)."
        ),
    ] = None,
    feuille: Annotated[str | None, typer.Option("--feuille", help="Feuille à lire d'un classeur XLSX.")] = None,
    colonne: Annotated[
        list[str] | None,
        typer.Option(
            "--colonne",
            metavar="CHAMP=COLONNE",
            help="Correspondance CHAMP=COLONNE pour un export d'un autre outil (répétable), ex. "
            "--colonne nomCmq=Campus ; champs : " + ", ".join(audit.CHAMPS) + ".",
        ),
    ] = None,
    corriger: Annotated[
        bool,
        typer.Option(
            "--corriger",
            help="Écrit aussi une copie de l'entrée (<fichier>_corrige.<ext>) où « Nom CMQ » et « Filière CMQ » "
            "portent le nom et la filière exacts du campus, pour les lignes résolues avec certitude.",
        ),
    ] = False,
) -> None:
    """Audite un export de demandes (celui de la console de restitution d'Orion se lit sans option) :
    résout chaque « Nom CMQ », confronte la formation à la filière et signale les incohérences (entrée non modifiée).

    Avec la colonne « Domaine de formation (NSF) » : formation_hors_filiere, cmq_possible, nsf_illisible.
    Les demandes sont aussi résumées par région académique et filière du domaine de formation (feuille
    « territoires », ou <sortie>_territoires.csv à côté d'une sortie CSV)."""
    from cmq.cli.importer import barre

    cible = audit.verifier_sortie(fichier, sortie if sortie is not None else audit.chemin_par_defaut(fichier))
    correspondance = audit.lire_correspondance(colonne)
    copie = audit.verifier_copie(fichier, audit.chemin_corrige(fichier)) if corriger else None
    url = _url()
    with barre() as progression:
        resultat = audit.auditer(
            fichier, feuille=feuille, url=url, progression=progression, correspondance=correspondance
        )
    ecrit = audit.ecrire(resultat, cible)
    console().print(tableau(f"Audit de {fichier.name}", ("", "nombre"), audit.lignes_synthese(resultat)))
    typer.echo(f"Résultat écrit dans {ecrit}")
    if ecrit.suffix.lower() == ".csv":
        typer.echo(f"Synthèse par territoire et filière écrite dans {audit.chemin_territoires(ecrit)}")
    if copie is not None:
        chemin, changees = audit.corriger(resultat, copie)
        typer.echo(f"Copie corrigée écrite dans {chemin} ({changees} ligne(s) corrigée(s))")


def enregistrer(app: typer.Typer) -> None:
    """Attach `resoudre`, `alias` and `audit-demandes` to the root app."""
    app.command("resoudre")(resoudre)
    app.add_typer(groupe_alias, name="alias")
    app.command("audit-demandes")(audit_demandes)
