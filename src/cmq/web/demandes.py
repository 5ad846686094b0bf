"""`/demandes/audit`: audit an uploaded Orion export of requests in the browser (`cmq.audit`), showing the
summary, the summary per territory and the flagged requests.

The form is a POST `multipart/form-data` carrying the file and either a token in the field `jeton` (the
server's or a user's, checked on every request: a page of another site cannot submit it without the
token) or, for a signed-in person, the session's CSRF token (`cmq.web.session`). The body
size is capped by the server's guard (`cmq.serveur.LIMITES_CORPS`) and again here. The upload is
copied into a temporary folder, audited, and the folder deleted before the answer is sent; nothing
is stored unless asked:

* the box `conserver` (any value: ticked) keeps the audited workbook on the server (`audit.conserver`: the folder
  `audits/` of the data folder, with a JSON sidecar; never the upload), and the page links to it;
* the button `action=telecharger` answers the workbook itself as an attachment (built in the
  temporary folder, deleted with it).

The kept audits are listed at `/demandes/audit/conserves`, downloaded and deleted from there: a
signed-in session is required (otherwise a redirection to /connexion), and the CSRF field to delete.
"""

import hashlib
import logging
import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from cmq import audit
from cmq.errors import CmqError, EntreeInvalide
from cmq.models import Acteur
from cmq.reponses import erreurs as erreurs_api
from cmq.reponses import historique
from cmq.reponses.pieces import TYPES, piece_jointe
from cmq.store import db, utilisateurs
from cmq.tableau import EXTENSIONS
from cmq.web import session as sessions
from cmq.web.gabarits import GABARITS

router = APIRouter(include_in_schema=False)

CHEMIN = "/demandes/audit"
CHEMIN_CONSERVES = f"{CHEMIN}/conserves"
TAILLE_MAX = 20 * 1024 * 1024  # bytes: Orion's restitution exports are a few megabytes
LIGNES_AFFICHEES = 1000  # flagged requests shown on the page
FIL = [("Audit des demandes", None)]
FIL_CONSERVES = [("Audit des demandes", CHEMIN), ("Audits conservés", None)]
NOTICE_SUPPRIME = "supprime"
MESSAGE_CONSERVATION = (
    "audit fait, mais le résultat n'a pas pu être conservé sur le serveur : l'incident a été journalisé"
)
journal = logging.getLogger("cmq.web")
# Columns of the flagged requests' table: (field of `audit.CHAMPS`, header)
COLONNES_SIGNALEES = (
    ("numero", "N° demande"),
    ("uai", "UAI"),
    ("formation", "Formation"),
    ("diplome", "Diplôme"),
    ("nsf", "Domaine de formation (NSF)"),
    ("filiereCmq", "Filière CMQ"),
    ("nomCmq", "Nom CMQ"),
)


def _page(requete: Request, statut: int = 200, **contexte) -> Response:
    valeurs = {"rubrique": "demandes", "fil": FIL, "taille_max": TAILLE_MAX // (1024 * 1024), **contexte}
    return GABARITS.TemplateResponse(requete, "audit_demandes.html", valeurs, status_code=statut)


@router.get(CHEMIN)
def formulaire(requete: Request) -> Response:
    """The upload form."""
    return _page(requete)


def _nom_depose(fichier: UploadFile) -> str:
    """The uploaded file's name without any folder (as some browsers send it)."""
    return Path((fichier.filename or "").replace("\\", "/")).name[:200]


def _copier(fichier: UploadFile, dossier: Path) -> tuple[Path, str, int]:
    """The upload copied into `dossier` under a fixed name with its extension, its SHA-256 and size;
    EntreeInvalide when too big or not a table."""
    suffixe = Path((fichier.filename or "").replace("\\", "/")).suffix.lower()
    if suffixe not in EXTENSIONS:
        raise EntreeInvalide(
            f"fichier « {fichier.filename or '(sans nom)'} » : extension « {suffixe or '(aucune)'} » non prise "
            f"en charge (attendu : {', '.join(EXTENSIONS)})"
        )
    chemin = dossier / f"demandes{suffixe}"
    empreinte = hashlib.sha256()
    with open(chemin, "wb") as sortie:
        while morceau := fichier.file.read(1 << 20):
            empreinte.update(morceau)
            sortie.write(morceau)
            if sortie.tell() > TAILLE_MAX:
                raise EntreeInvalide(f"fichier trop volumineux : {TAILLE_MAX // (1024 * 1024)} Mo au plus")
        taille = sortie.tell()
    return chemin, empreinte.hexdigest(), taille


def _signalees(resultat: audit.Audit) -> list[list[str]]:
    """The flagged requests as table rows (the fields the file has, the campus found, the anomalies)."""
    champs = resultat.champs or {}
    lignes = []
    for ligne in resultat.lignes:
        if ligne.get("anomalie"):
            cellules = [str(ligne.get(champs[c], "")) if c in champs else "" for c, _ in COLONNES_SIGNALEES]
            lignes.append([*cellules, str(ligne.get("campus_id", "")), str(ligne["anomalie"])])
    return lignes


def _acteur(requete: Request, jeton: str, csrf: str) -> Acteur | tuple[int, str]:
    """Who uploads: a signed-in person (CSRF checked), else the owner of the token typed in the form;
    or why the upload is refused (status, French message)."""
    session = sessions.lire(requete)
    if session is not None and not jeton.strip():
        sessions.verifier(session, csrf)
        return session.acteur
    if not requete.app.state.jeton:
        with db.session(requete.app.state.url) as s:
            if not utilisateurs.existe(s):
                return 503, "audit désactivé : ce serveur n'a ni jeton (CMQ_API_JETON) ni utilisateur"
    if not jeton.strip():
        return 401, "jeton d'accès manquant : saisissez votre jeton ou connectez-vous"
    acteur = sessions.identifier(requete, jeton)
    if acteur is None:
        return 403, "jeton d'accès refusé (inconnu, révoqué ou expiré)"
    return acteur


def _nom_classeur(nom_depose: str) -> str:
    """The attachment's name (without extension): `<uploaded stem>_audit`, ASCII letters, digits, `-` and `_`."""
    racine = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(nom_depose).stem).strip("_")[:80]
    return f"{racine or 'demandes'}_audit"


def _conserver(
    resultat: audit.Audit, acteur: Acteur, nom_depose: str, empreinte: str, taille: int, feuille: str | None
) -> audit.Conserve | None:
    """The kept audit, or None when it could not be written (logged with its path; the page says so
    without it)."""
    try:
        return audit.conserver(
            resultat, acteur=acteur.nom, fichier=nom_depose, empreinte=empreinte, taille=taille, feuille=feuille
        )
    except CmqError as erreur:
        journal.error("audit des demandes : conservation impossible : %s", erreur)
        return None


@router.post(CHEMIN)
def auditer(
    requete: Request,
    fichier: Annotated[UploadFile, File()],
    jeton: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    feuille: Annotated[str, Form(max_length=200)] = "",
    conserver: Annotated[str, Form(max_length=10)] = "",
    action: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Audit the uploaded export (a token or a session required): the page with the result, or the
    workbook as an attachment (`action=telecharger`), kept on the server when `conserver` is ticked;
    the form again with the error when refused or unreadable (nothing kept)."""
    acteur = _acteur(requete, jeton, csrf)
    if isinstance(acteur, tuple):
        return _page(requete, acteur[0], erreur=acteur[1], nom=fichier.filename)
    nom_depose, feuille = _nom_depose(fichier), feuille.strip() or None
    classeur, conserve, echec_conservation = None, None, False
    try:
        with tempfile.TemporaryDirectory(prefix="cmq-audit-") as dossier:
            chemin, empreinte, taille = _copier(fichier, Path(dossier))
            resultat = audit.auditer(chemin, feuille=feuille, url=requete.app.state.url)
            if conserver:
                conserve = _conserver(resultat, acteur, nom_depose, empreinte, taille, feuille)
                echec_conservation = conserve is None
            if action == "telecharger":
                classeur = audit.ecrire(resultat, Path(dossier) / "audit.xlsx").read_bytes()
    except CmqError as erreur:
        statut = erreurs_api.statut_de(erreur)
        return _page(requete, 400 if statut == 422 else statut, erreur=erreurs_api.message_public(erreur))
    if classeur is not None and not echec_conservation:
        reponse = piece_jointe(classeur, "xlsx", _nom_classeur(nom_depose))
        reponse.headers["Cache-Control"] = "no-store"
        return reponse
    signalees = _signalees(resultat)
    return _page(
        requete,
        nom=fichier.filename,
        conserve=conserve,
        erreur_conservation=MESSAGE_CONSERVATION if echec_conservation else None,
        synthese=audit.lignes_synthese(resultat),
        territoires=resultat.territoires or [],
        entetes_signalees=[t for _, t in COLONNES_SIGNALEES] + ["Campus trouvé", "Anomalies"],
        signalees=signalees[:LIGNES_AFFICHEES],
        nb_signalees=len(signalees),
    )


# --- Kept audits ---------------------------------------------------------------------------------------


@router.get(CHEMIN_CONSERVES)
def conserves(requete: Request, notice: str | None = None) -> Response:
    """The kept audits, newest first, with their download links and delete buttons (a session required)."""
    session = sessions.ou_connexion(requete, CHEMIN_CONSERVES)
    if isinstance(session, RedirectResponse):
        return session
    lignes = [(c, historique.quand(c.quand)) for c in audit.conserves(session.acteur)]
    contexte = {"rubrique": "demandes", "fil": FIL_CONSERVES, "conserves": lignes, "csrf": session.csrf}
    contexte["notice"] = "Audit conservé supprimé." if notice == NOTICE_SUPPRIME else None
    return GABARITS.TemplateResponse(requete, "audits_conserves.html", contexte)


@router.get(CHEMIN_CONSERVES + "/{nom}")
def telecharger_conserve(requete: Request, nom: str) -> Response:
    """One kept workbook as an attachment (a session required; 404 for any name but a kept audit's)."""
    session = sessions.ou_connexion(requete, CHEMIN_CONSERVES)
    if isinstance(session, RedirectResponse):
        return session
    trouve = audit.conserve(nom, session.acteur)
    reponse = FileResponse(trouve.chemin, media_type=TYPES["xlsx"], filename=trouve.nom)
    reponse.headers["Cache-Control"] = "no-store"
    return reponse


@router.post(CHEMIN_CONSERVES + "/{nom}/supprimer")
async def supprimer_conserve(requete: Request, nom: str) -> Response:
    """Delete a kept audit (a session and its CSRF field required), then back to the list."""
    session = sessions.ou_connexion(requete, CHEMIN_CONSERVES)
    if isinstance(session, RedirectResponse):
        return session
    formulaire = await requete.form(max_files=0, max_fields=5)
    sessions.verifier(session, formulaire.get("csrf"))
    audit.supprimer_conserve(nom, session.acteur)
    return RedirectResponse(f"{CHEMIN_CONSERVES}?notice={NOTICE_SUPPRIME}", status_code=303)
