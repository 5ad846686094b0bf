"""`cmq utilisateurs ajouter|liste|revoquer`: the people who may write, their roles, scopes and tokens."""

import json
import sys
from typing import Annotated

import typer

from cmq import droits
from cmq.cli.acteur import AIDE, acteur
from cmq.cli.lecture import Format, FormatFiche, FormatListe, analyser_date, refuser_csv, sortir
from cmq.models import Utilisateur
from cmq.perimetres import FORMES
from cmq.store import db, schema, utilisateurs

AIDE_GROUPE = "Utilisateurs autorisés à écrire : rôle, périmètres et jeton (API, ou ligne de commande avec CMQ_JETON)."
groupe = typer.Typer(name="utilisateurs", help=AIDE_GROUPE, no_args_is_help=True)
ENTETES = ("nom", "rôle", "périmètres", "créé le", "expire le", "révoqué le", "relecture")


def _url() -> str:
    """The default database, which must exist and be initialised (nothing is created)."""
    url = db.ouvrir(creer=False)
    schema.exiger_initialisee(url)
    return url


def _jour(moment) -> str:
    return f"{moment:%Y-%m-%d}" if moment else ""


def _ligne(u: Utilisateur) -> tuple:
    return (
        u.nom,
        u.role.value,
        ", ".join(u.perimetres),
        _jour(u.cree_le),
        _jour(u.expire_le),
        _jour(u.revoque_le),
        "oui" if u.relecture else "non",
    )


@groupe.command("ajouter")
def ajouter(
    nom: Annotated[str, typer.Argument(help="Nom de la personne (unique, 200 caractères au plus).")],
    role: Annotated[str, typer.Option("--role", metavar="administrateur|editeur", help="Rôle.")],
    perimetre: Annotated[
        list[str] | None, typer.Option("--perimetre", metavar="PERIMETRE", help=f"Répétable : {FORMES}.")
    ] = None,
    expire: Annotated[
        str | None, typer.Option("--expire", metavar="AAAA-MM-JJ", help="Jour où le jeton cesse de valoir (0 h UTC).")
    ] = None,
    relecture: Annotated[
        bool, typer.Option("--relecture", help="Ses modifications attendent la validation d'un administrateur.")
    ] = False,
    format: FormatFiche = Format.table,
) -> None:
    """Crée un utilisateur et affiche son jeton, une seule fois (seule son empreinte Argon2 est gardée).

    Réservé aux administrateurs de la France. Sans la variable CMQ_JETON, la commande agit en
    administrateur de la France (elle tient la base).
    """
    refuser_csv(format)
    url = _url()
    droits.verifier_administrateur(acteur(url))
    with db.session(url, ecriture=True) as s:
        cree, jeton = utilisateurs.creer(s, nom, role, perimetre or [], analyser_date(expire), relecture)
    if format is Format.json:
        objet = {"jeton": jeton, "utilisateur": cree.model_dump(mode="json", exclude={"id"})}
        sys.stdout.write(json.dumps(objet, ensure_ascii=False) + "\n")
        return
    typer.secho(
        f"Utilisateur « {cree.nom} » créé ({cree.role.value} ; {', '.join(cree.perimetres)}). Son jeton suit : "
        "il ne sera plus jamais affiché, transmettez-le maintenant par un canal sûr.",
        err=True,
        fg="yellow",
    )
    typer.echo(jeton)


@groupe.command("liste")
def liste(format: FormatListe = Format.table) -> None:
    """Liste les utilisateurs (rôle, périmètres, dates, relecture), jamais leurs jetons."""
    with db.session(_url()) as s:
        tous = utilisateurs.lister(s)
    sortir(
        format,
        ENTETES,
        [_ligne(u) for u in tous],
        [u.model_dump(mode="json", exclude={"id"}) for u in tous],
        titre="Utilisateurs",
        pied=f"{len(tous)} utilisateur(s).",
    )


@groupe.command("revoquer")
def revoquer(nom: Annotated[str, typer.Argument(help="Nom de l'utilisateur.")]) -> None:
    """Révoque le jeton d'un utilisateur, immédiatement (réservé aux administrateurs de la France)."""
    url = _url()
    droits.verifier_administrateur(acteur(url))
    with db.session(url, ecriture=True) as s:
        revoque = utilisateurs.revoquer(s, nom)
    typer.echo(f"jeton de « {revoque.nom} » révoqué le {revoque.revoque_le:%Y-%m-%d %H:%M} UTC")


groupe.info.epilog = AIDE


def enregistrer(app: typer.Typer) -> None:
    """Attach `cmq utilisateurs …` to the root app."""
    app.add_typer(groupe)
