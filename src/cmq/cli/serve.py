"""`cmq serve`: serve the REST API (and the web pages when installed) with uvicorn."""

import errno
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from cmq.errors import CmqError

JOURNAL_ACCES = "Journalise chaque requête (désactivez-le pour les mesures de performance)."


def verifier_port(hote: str, port: int) -> None:
    """CmqError in French when the address cannot be bound (port taken, unknown host)."""
    try:
        famille = socket.AF_INET6 if ":" in hote else socket.AF_INET
        with socket.socket(famille, socket.SOCK_STREAM) as essai:
            essai.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            essai.bind((hote, port))
    except OSError as erreur:
        if erreur.errno == errno.EADDRINUSE:
            raise CmqError(f"le port {port} est déjà utilisé sur {hote} : choisissez-en un autre (--port)") from None
        raise CmqError(f"impossible d'écouter sur {hote}:{port} : {erreur.strerror or erreur}") from None


def preparer_base(url: str) -> None:
    """Load the embedded data when the database is not initialised yet, then check its schema."""
    from cmq.init import initialiser
    from cmq.store import db, schema

    if not schema.est_initialisee(url):
        typer.echo(
            f"Base non initialisée ({db.ouvrir(url).affichable}) : "
            "chargement des données embarquées (lycées et campus)…"
        )
        resultat = initialiser(url)
        e, c = resultat["etablissements"], resultat["campus"]
        typer.echo(
            f"Base prête : {e.inserees} établissement(s) et {c.inserees} campus chargés "
            f"(schéma {resultat['revision']})."
        )
    schema.exiger_initialisee(url)


def serve(
    hote: Annotated[
        str, typer.Option("--hote", help="Adresse d'écoute (127.0.0.1 : cette machine seulement).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port d'écoute.")] = 8000,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="URL",
            help="Base de données (sinon $CMQ_DATABASE_URL, sinon cmq.db du dossier de données).",
        ),
    ] = None,
    recharger: Annotated[
        bool, typer.Option("--recharger", help="Redémarre le serveur quand le code change (développement).")
    ] = False,
    journal: Annotated[bool, typer.Option("--journal/--sans-journal", help=JOURNAL_ACCES)] = True,
) -> None:
    """Sert l'API REST (documentation sur /docs) et les pages web sur la base ; l'initialise si besoin.

    Les écritures (imports, campus, alias) exigent un jeton : celui de la variable d'environnement
    CMQ_API_JETON (administrateur de la France) ou celui d'un utilisateur (`cmq utilisateurs ajouter`),
    limité à ses périmètres.
    """
    import uvicorn

    from cmq.serveur import creer_app, preparer
    from cmq.store import db

    url = db.ouvrir(base)
    preparer_base(url)
    verifier_port(hote, port)
    adresse = f"[{hote}]" if ":" in hote else hote
    ecriture = _ecriture(url)
    typer.echo(f"cmq sert http://{adresse}:{port}/ (API : /api, documentation : /docs) ; écriture {ecriture}.")
    options = dict(host=hote, port=port, access_log=journal, log_level="info")
    if recharger:
        import cmq

        os.environ[db.VARIABLE_URL] = url  # read by the app factory in the reloaded process
        uvicorn.run(
            "cmq.serveur:creer_app", factory=True, reload=True, reload_dirs=[str(Path(cmq.__file__).parent)], **options
        )
    else:
        application = creer_app(url)
        preparer(url)
        uvicorn.run(application, **options)


def _ecriture(url: str) -> str:
    """Whether the server will accept writes: its token, or the users of the database."""
    from cmq.api.securite import VARIABLE_JETON, jeton_configure
    from cmq.store import db, utilisateurs

    if jeton_configure():
        return "activée (jeton configuré)"
    with db.session(url) as s:
        if utilisateurs.existe(s):
            return f"activée (jetons des utilisateurs de la base ; {VARIABLE_JETON} non défini)"
    return f"désactivée ({VARIABLE_JETON} non défini) : aucun utilisateur dans la base"


def enregistrer(app: typer.Typer) -> None:
    """Attach `cmq serve` to the root app."""
    app.command("serve")(serve)
