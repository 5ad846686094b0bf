"""`/demandes/audit`: audit an uploaded Orion export of requests in the browser (`cmq.audit`), showing the
summary, the summary per territory and the flagged requests.

The form is a POST `multipart/form-data` carrying the file and either a token in the field `jeton` (the
server's or a user's, checked on every request: a page of another site cannot submit it without the
token) or, for a signed-in person, the session's CSRF token (`cmq.web.session`). The body
size is capped by the server's guard (`cmq.serveur.LIMITES_CORPS`) and again here. Nothing is stored:
the upload is copied into a temporary folder, audited, and the folder deleted before the page is sent.
"""

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from cmq import audit
from cmq.errors import CmqError, EntreeInvalide
from cmq.reponses import erreurs as erreurs_api
from cmq.store import db, utilisateurs
from cmq.tableau import EXTENSIONS
from cmq.web import session as sessions
from cmq.web.gabarits import GABARITS

router = APIRouter(include_in_schema=False)

CHEMIN = "/demandes/audit"
TAILLE_MAX = 20 * 1024 * 1024  # bytes: Orion's restitution exports are a few megabytes
LIGNES_AFFICHEES = 1000  # flagged requests shown on the page
FIL = [("Audit des demandes", None)]
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


def _copier(fichier: UploadFile, dossier: Path) -> Path:
    """The upload copied into `dossier` under a fixed name with its extension; EntreeInvalide when too big
    or not a table."""
    suffixe = Path((fichier.filename or "").replace("\\", "/")).suffix.lower()
    if suffixe not in EXTENSIONS:
        raise EntreeInvalide(
            f"fichier « {fichier.filename or '(sans nom)'} » : extension « {suffixe or '(aucune)'} » non prise "
            f"en charge (attendu : {', '.join(EXTENSIONS)})"
        )
    chemin = dossier / f"demandes{suffixe}"
    with open(chemin, "wb") as sortie:
        shutil.copyfileobj(fichier.file, sortie, 1 << 20)
        if sortie.tell() > TAILLE_MAX:
            raise EntreeInvalide(f"fichier trop volumineux : {TAILLE_MAX // (1024 * 1024)} Mo au plus")
    return chemin


def _signalees(resultat: audit.Audit) -> list[list[str]]:
    """The flagged requests as table rows (the fields the file has, the campus found, the anomalies)."""
    champs = resultat.champs or {}
    lignes = []
    for ligne in resultat.lignes:
        if ligne.get("anomalie"):
            cellules = [str(ligne.get(champs[c], "")) if c in champs else "" for c, _ in COLONNES_SIGNALEES]
            lignes.append([*cellules, str(ligne.get("campus_id", "")), str(ligne["anomalie"])])
    return lignes


def _refus(requete: Request, jeton: str, csrf: str) -> tuple[int, str] | None:
    """Why the upload is refused (status, French message), or None: a signed-in person's form (CSRF
    checked), else a valid token typed in the form."""
    session = sessions.lire(requete)
    if session is not None and not jeton.strip():
        sessions.verifier(session, csrf)
        return None
    if not requete.app.state.jeton:
        with db.session(requete.app.state.url) as s:
            if not utilisateurs.existe(s):
                return 503, "audit désactivé : ce serveur n'a ni jeton (CMQ_API_JETON) ni utilisateur"
    if not jeton.strip():
        return 401, "jeton d'accès manquant : saisissez votre jeton ou connectez-vous"
    if sessions.identifier(requete, jeton) is None:
        return 403, "jeton d'accès refusé (inconnu, révoqué ou expiré)"
    return None


@router.post(CHEMIN)
def auditer(
    requete: Request,
    fichier: Annotated[UploadFile, File()],
    jeton: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    feuille: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Audit the uploaded export (a token or a session required); the form again with the error when
    refused or unreadable."""
    refus = _refus(requete, jeton, csrf)
    if refus is not None:
        return _page(requete, refus[0], erreur=refus[1], nom=fichier.filename)
    try:
        with tempfile.TemporaryDirectory(prefix="cmq-audit-") as dossier:
            chemin = _copier(fichier, Path(dossier))
            resultat = audit.auditer(chemin, feuille=feuille.strip() or None, url=requete.app.state.url)
    except CmqError as erreur:
        statut = erreurs_api.statut_de(erreur)
        return _page(requete, 400 if statut == 422 else statut, erreur=erreurs_api.message_public(erreur))
    signalees = _signalees(resultat)
    return _page(
        requete,
        nom=fichier.filename,
        synthese=audit.lignes_synthese(resultat),
        territoires=resultat.territoires or [],
        entetes_signalees=[t for _, t in COLONNES_SIGNALEES] + ["Campus trouvé", "Anomalies"],
        signalees=signalees[:LIGNES_AFFICHEES],
        nb_signalees=len(signalees),
    )
