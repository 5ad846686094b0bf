"""`cmq campus modifier | membre | partenaire`: edit a campus (`cmq.curation`) as the user of
$CMQ_JETON, else the local administrator (`cmq.cli.acteur`)."""

import json
from typing import Annotated, Any

import typer

from cmq import curation
from cmq.cli.acteur import AIDE, acteur
from cmq.cli.lecture import Format, FormatFiche, console, refuser_csv, sortir, tableau
from cmq.models import Acteur, Changement
from cmq.store import db, schema

Source = Annotated[
    str,
    typer.Option("--source", help="Adresse (https://…) ou référence du document qui justifie le changement."),
]
Identifiant = Annotated[str, typer.Argument(help="Identifiant du campus (voir `cmq campus liste`).")]
Texte = Annotated[str | None, typer.Option(help="Nouvelle valeur (texte vide : effacer).")]


def base() -> str:
    """The configured database, which must be initialised (nothing is created)."""
    url = db.ouvrir(None, creer=False)
    schema.exiger_initialisee(url)
    return url


def base_et_acteur() -> tuple[str, Acteur]:
    """The database and who acts on it (`cmq.cli.acteur`: $CMQ_JETON's user, else the local administrator)."""
    url = base()
    return url, acteur(url)


def valeur(v: Any) -> str:
    return "∅" if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))


def lignes_changements(changements: list[Changement]) -> list[tuple]:
    """One row per changed field: number, object, action, key, field, before, after."""
    return [
        (c.id, c.campus_id, c.objet, c.action, c.cle or "", v.champ, valeur(v.avant), valeur(v.apres))
        for c in changements
        for v in c.champs
    ]


ENTETES = ("N°", "Campus", "Objet", "Action", "Clé", "Champ", "Avant", "Après")


def afficher(resultat: curation.Resultat, format: Format) -> None:
    """The outcome of an edition: a sentence, the notes, then the fields changed (or JSON)."""
    refuser_csv(format)
    if format is Format.json:
        objet = {
            "statut": resultat.statut,
            "changements": [c.model_dump(mode="json") for c in resultat.changements],
            "avertissements": resultat.avertissements,
        }
        sortir(format, (), [], objet)
        return
    sortie = console()
    numeros = ", ".join(str(c.id) for c in resultat.changements)
    sortie.print(
        {
            "applique": f"Changement appliqué et inscrit à l'historique (n° {numeros}).",
            "a_valider": f"Changement en attente de relecture (n° {numeros}) : voir `cmq relecture liste`.",
            "inchange": "Rien à modifier : les valeurs données sont déjà celles enregistrées.",
        }[resultat.statut]
    )
    for note in resultat.avertissements:
        sortie.print(f"Attention : {note}")
    if resultat.changements:
        sortie.print(tableau(None, ENTETES, lignes_changements(resultat.changements)))


def modifier(
    id: Identifiant,
    source: Source,
    nom: Texte = None,
    sigle: Texte = None,
    excellence: Annotated[str | None, typer.Option(help="oui, non ou inconnue.")] = None,
    ville_siege: Texte = None,
    code_commune_siege: Texte = None,
    latitude: Annotated[float | None, typer.Option(help="Latitude du siège.")] = None,
    longitude: Annotated[float | None, typer.Option(help="Longitude du siège.")] = None,
    debut_label: Annotated[str | None, typer.Option(help="Début du label (AAAA-MM-JJ ; vide : effacer).")] = None,
    fin_label: Annotated[str | None, typer.Option(help="Fin du label (AAAA-MM-JJ ; vide : effacer).")] = None,
    arrete: Texte = None,
    site_web: Annotated[str | None, typer.Option(help="Adresse http(s) du site (vide : effacer).")] = None,
    uai_support: Texte = None,
    description: Texte = None,
    note: Texte = None,
    format: FormatFiche = Format.table,
) -> None:
    """Modifie des champs d'un campus ; le changement cite sa source et entre dans l'historique."""
    donnees = {
        "nom": nom,
        "sigle": sigle,
        "excellence": excellence,
        "ville_siege": ville_siege,
        "code_commune_siege": code_commune_siege,
        "latitude": latitude,
        "longitude": longitude,
        "date_debut_label": debut_label,
        "date_fin_label": fin_label,
        "reference_arrete": arrete,
        "site_web": site_web,
        "uai_support": uai_support,
        "description": description,
        "note": note,
    }
    champs = {champ: v for champ, v in donnees.items() if v is not None}
    url, qui = base_et_acteur()
    afficher(curation.modifier_campus(id, champs, acteur=qui, source=source, url=url), format)


membres = typer.Typer(help="Ajoute ou retire un membre (établissement par UAI, organisation par nom).", epilog=AIDE)
partenaires = typer.Typer(help="Ajoute ou retire un partenaire (par son nom).", epilog=AIDE)


@membres.command("ajouter")
def ajouter_membre(
    id: Identifiant,
    source: Source,
    uai: Annotated[str | None, typer.Option(help="UAI de l'établissement membre.")] = None,
    nom: Annotated[str | None, typer.Option(help="Nom d'une organisation sans UAI.")] = None,
    nature: Annotated[str | None, typer.Option(help="Pour un membre nommé : lycee, universite, iut…")] = None,
    role: Annotated[str | None, typer.Option(help="support, membre, partenaire, ou le libellé de la source.")] = None,
    commune: Annotated[str | None, typer.Option(help="Commune d'un membre nommé.")] = None,
    source_url: Annotated[str | None, typer.Option(help="Page qui cite ce membre.")] = None,
    format: FormatFiche = Format.table,
) -> None:
    """Ajoute (ou met à jour) un membre : --uai, ou --nom pour une organisation sans UAI."""
    url, qui = base_et_acteur()
    resultat = curation.ajouter_membre(
        id,
        uai=uai,
        nom=nom,
        nature=nature,
        role=role,
        commune=commune,
        source_url=source_url,
        acteur=qui,
        source=source,
        url=url,
    )
    afficher(resultat, format)


@membres.command("retirer")
def retirer_membre(
    id: Identifiant,
    membre: Annotated[str, typer.Argument(help="UAI ou nom du membre.")],
    source: Source,
    format: FormatFiche = Format.table,
) -> None:
    """Retire un membre désigné par son UAI ou son nom."""
    url, qui = base_et_acteur()
    afficher(curation.retirer_membre(id, membre, acteur=qui, source=source, url=url), format)


@partenaires.command("ajouter")
def ajouter_partenaire(
    id: Identifiant,
    nom: Annotated[str, typer.Argument(help="Nom du partenaire.")],
    source: Source,
    nature: Annotated[str | None, typer.Option(help="entreprise, laboratoire, association, branche…")] = None,
    siret: Annotated[str | None, typer.Option(help="SIRET (14 chiffres, contrôlé).")] = None,
    format: FormatFiche = Format.table,
) -> None:
    """Ajoute (ou met à jour) un partenaire."""
    url, qui = base_et_acteur()
    resultat = curation.ajouter_partenaire(id, nom, nature=nature, siret=siret, acteur=qui, source=source, url=url)
    afficher(resultat, format)


@partenaires.command("retirer")
def retirer_partenaire(
    id: Identifiant,
    nom: Annotated[str, typer.Argument(help="Nom du partenaire.")],
    source: Source,
    format: FormatFiche = Format.table,
) -> None:
    """Retire un partenaire désigné par son nom."""
    url, qui = base_et_acteur()
    afficher(curation.retirer_partenaire(id, nom, acteur=qui, source=source, url=url), format)


def enregistrer_dans(groupe: typer.Typer) -> None:
    """Attach `modifier`, `membre` and `partenaire` to the `campus` group."""
    groupe.command("modifier", epilog=AIDE)(modifier)
    groupe.add_typer(membres, name="membre")
    groupe.add_typer(partenaires, name="partenaire")
