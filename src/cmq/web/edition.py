"""Editing pages: sign in and out, edit a campus, its members and partners, review pending changes.

Every page here needs a session (`cmq.web.session`; otherwise a redirection to /connexion), every
form a CSRF token and a source (a URL or a document: required), and every change goes through
`cmq.curation` — the same scope checks, validation and history as the API. A refused form comes
back with the message beside its field and nothing saved; a saved one redirects (303) to the page
it changed with a notice.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from cmq import codes, curation, droits, saisie
from cmq import relecture as relecture_
from cmq.errors import CmqError, EntreeInvalide, IntrouvableError
from cmq.models import lien_web
from cmq.store import db, lecture
from cmq.web import session as sessions
from cmq.web.gabarits import GABARITS, NOTICES, date_saisie

router = APIRouter(include_in_schema=False)
CHAMPS_MAX = 40  # fields of the largest form
EXCELLENCE = {"oui": True, "non": False, "inconnu": None}


def _page(requete: Request, gabarit: str, fil: list, statut: int = 200, **contexte) -> Response:
    contexte = {"rubrique": "campus", "fil": fil, **contexte}
    return GABARITS.TemplateResponse(requete, gabarit, contexte, status_code=statut)


async def _formulaire(requete: Request) -> dict[str, str]:
    formulaire = await requete.form(max_files=0, max_fields=CHAMPS_MAX)
    return {cle: valeur.strip() for cle, valeur in formulaire.items() if isinstance(valeur, str)}


def _suivant(valeur: str | None) -> str:
    """A local path to go back to after signing in (never another site)."""
    if not valeur or not valeur.startswith("/") or valeur.startswith("//") or "\\" in valeur:
        return "/"
    return valeur


# --- Sign in, sign out ----------------------------------------------------------------------------


@router.get("/connexion")
def connexion(requete: Request, suivant: str | None = None) -> Response:
    """Sign-in form (a token)."""
    csrf = sessions.jeton_connexion(requete)
    reponse = _page(requete, "connexion.html", [("Connexion", None)], suivant=_suivant(suivant), erreur=None, csrf=csrf)
    sessions.poser_jeton_connexion(requete, reponse, csrf)
    return reponse


@router.post("/connexion")
async def se_connecter(requete: Request) -> Response:
    """Check the token: the session cookie and a redirection, or the form with the error."""
    champs = await _formulaire(requete)
    sessions.verifier_connexion(requete, champs.get("csrf"))
    suivant = _suivant(champs.get("suivant"))
    reponse = RedirectResponse(suivant, status_code=303)
    if sessions.ouvrir(requete, reponse, champs.get("jeton", "")) is not None:
        return reponse
    erreur = "jeton refusé : vérifiez-le (il est affiché une seule fois, à sa création)"
    if not champs.get("jeton"):
        erreur = "jeton obligatoire"
    return _page(
        requete, "connexion.html", [("Connexion", None)], 401, suivant=suivant, erreur=erreur, csrf=champs["csrf"]
    )


@router.post("/deconnexion")
async def se_deconnecter(requete: Request) -> Response:
    """End the session."""
    session = sessions.lire(requete)
    if session is not None:
        sessions.verifier(session, (await _formulaire(requete)).get("csrf"))
    reponse = RedirectResponse("/", status_code=303)
    sessions.fermer(reponse)
    return reponse


# --- Campus ------------------------------------------------------------------------------------


def _campus(requete: Request, session: sessions.Session, campus_id: str):
    """The stored campus, refused (Interdit) when outside the actor's scopes."""
    with db.session(requete.app.state.url) as s:
        campus = lecture.campus(s, campus_id)
        droits.verifier_campus(s, session.acteur, campus.id)
        return (
            campus,
            lecture.membres(s, campus.id),
            lecture.membres_nommes(s, campus.id),
            lecture.partenaires(s, campus.id),
        )


def _valeurs_campus(campus) -> dict[str, str]:
    return {
        "date_debut_label": date_saisie(campus.date_debut_label),
        "date_fin_label": date_saisie(campus.date_fin_label),
        "excellence": {True: "oui", False: "non", None: "inconnu"}[campus.excellence],
        "ville_siege": campus.ville_siege or "",
        "code_commune_siege": campus.code_commune_siege or "",
        "site_web": campus.site_web or "",
        "description": campus.description or "",
        "source": "",
    }


def _lire_champs_campus(valeurs: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields to change, read with the project's rules, and the error of each wrong field."""
    champs: dict[str, Any] = {}
    erreurs: dict[str, str] = {}

    def lire(nom: str, regle) -> None:
        texte = valeurs.get(nom, "")
        try:
            champs[nom] = regle(texte) if texte else None
        except (EntreeInvalide, ValueError) as erreur:
            erreurs[nom] = str(erreur)

    lire("date_debut_label", saisie.date_formulaire)
    lire("date_fin_label", saisie.date_formulaire)
    lire("code_commune_siege", codes.normaliser_commune)
    lire("site_web", lien_web)
    lire("ville_siege", str)
    lire("description", str)
    if valeurs.get("excellence") not in EXCELLENCE:
        erreurs["excellence"] = "choisissez oui, non ou inconnu"
    else:
        champs["excellence"] = EXCELLENCE[valeurs["excellence"]]
    try:
        curation.verifier_source(valeurs.get("source"))
    except EntreeInvalide as erreur:
        erreurs["source"] = str(erreur)
    return champs, erreurs


def _champ_du_refus(message: str) -> str:
    """The field a refusal of `cmq.curation` is about (the label dates' order), else the whole form."""
    return "date_fin_label" if "dates du label" in message else "formulaire"


def _issue(resultat: curation.Resultat) -> str:
    """The notice after a saved form: applied, waiting review, or nothing to change."""
    return {"a_valider": "a_valider", "inchange": "inchange"}.get(resultat.statut, "modifie")


def _notice(valeur: str | None) -> str | None:
    return NOTICES.get(valeur or "")


@router.get("/campus/{campus_id}/modifier")
def modifier_campus(requete: Request, campus_id: str) -> Response:
    """Form editing a campus's label period, excellence, seat, site and description."""
    session = sessions.ou_connexion(requete)
    if isinstance(session, RedirectResponse):
        return session
    campus, *_ = _campus(requete, session, campus_id)
    return _formulaire_campus(requete, session, campus, _valeurs_campus(campus), {})


def _formulaire_campus(requete, session, campus, valeurs, erreurs, statut: int = 200) -> Response:
    fil = [("Campus", "/campus"), (campus.nom, f"/campus/{campus.id}"), ("Modifier", None)]
    return _page(
        requete,
        "campus_modifier.html",
        fil,
        statut,
        campus=campus,
        valeurs=valeurs,
        erreurs=erreurs,
        csrf=session.csrf,
        acteur=session.acteur,
    )


@router.post("/campus/{campus_id}/modifier")
async def enregistrer_campus(requete: Request, campus_id: str) -> Response:
    """Save the form through `curation.modifier_campus`, or show it again with the errors."""
    session = sessions.ou_connexion(requete)
    if isinstance(session, RedirectResponse):
        return session
    valeurs = await _formulaire(requete)
    sessions.verifier(session, valeurs.get("csrf"))
    campus, *_ = _campus(requete, session, campus_id)
    champs, erreurs = _lire_champs_campus(valeurs)
    if not erreurs:
        try:
            resultat = curation.modifier_campus(
                campus.id, champs, acteur=session.acteur, source=valeurs["source"], url=requete.app.state.url
            )
        except EntreeInvalide as erreur:
            erreurs[_champ_du_refus(str(erreur))] = str(erreur)
        else:
            return RedirectResponse(f"/campus/{campus.id}?notice={_issue(resultat)}", status_code=303)
    return _formulaire_campus(requete, session, campus, valeurs, erreurs, 400)


# --- Members and partners -------------------------------------------------------------------------


@router.get("/campus/{campus_id}/membres")
def membres(requete: Request, campus_id: str, notice: str | None = None) -> Response:
    """Members and partners of a campus, with the forms adding and removing them."""
    session = sessions.ou_connexion(requete)
    if isinstance(session, RedirectResponse):
        return session
    return _page_membres(requete, session, campus_id, {}, {}, _notice(notice))


def _page_membres(requete, session, campus_id, valeurs, erreurs, notice=None, statut: int = 200) -> Response:
    campus, membres_uai, nommes, partenaires = _campus(requete, session, campus_id)
    fil = [("Campus", "/campus"), (campus.nom, f"/campus/{campus.id}"), ("Membres et partenaires", None)]
    return _page(
        requete,
        "campus_membres.html",
        fil,
        statut,
        campus=campus,
        membres=membres_uai,
        nommes=nommes,
        partenaires=partenaires,
        valeurs=valeurs,
        erreurs=erreurs,
        notice=notice,
        csrf=session.csrf,
    )


OPERATIONS = {  # form action -> (curation function, fields it takes)
    "ajouter-membre": (curation.ajouter_membre, ("uai", "nom", "nature", "role")),
    "retirer-membre": (curation.retirer_membre, ("uai_ou_nom",)),
    "ajouter-partenaire": (curation.ajouter_partenaire, ("nom", "nature", "siret")),
    "retirer-partenaire": (curation.retirer_partenaire, ("nom",)),
}


def _champ_en_erreur(action: str, arguments: dict[str, Any], message: str) -> str:
    """The form field an error of `cmq.curation` is about (shown beside it): SIRET, or the organisation
    named without UAI, else the form's main field."""
    if action == "ajouter-partenaire" and "siret" in message.lower():
        return f"{action}-siret"
    if action == "ajouter-membre" and arguments.get("nom") and not arguments.get("uai"):
        return f"{action}-nom"
    return action


@router.post("/campus/{campus_id}/membres/{action}")
async def changer_membres(requete: Request, campus_id: str, action: str) -> Response:
    """Add or remove a member or a partner through `cmq.curation`; the page again with the error if refused."""
    if action not in OPERATIONS:
        raise IntrouvableError(f"action inconnue : {action}")
    session = sessions.ou_connexion(requete, f"/campus/{campus_id}/membres")
    if isinstance(session, RedirectResponse):
        return session
    valeurs = await _formulaire(requete)
    sessions.verifier(session, valeurs.get("csrf"))
    fonction, noms = OPERATIONS[action]
    arguments = {nom: valeurs.get(nom) or None for nom in noms}
    if action == "ajouter-membre" and valeurs.get("etablissement"):  # "UAI — name" from the autocomplete
        arguments["uai"] = valeurs["etablissement"].split(" ", 1)[0]
    erreurs: dict[str, str] = {}
    try:
        source = curation.verifier_source(valeurs.get("source"))
    except EntreeInvalide as erreur:
        erreurs[f"{action}-source"] = str(erreur)
    else:
        try:
            resultat = fonction(campus_id, acteur=session.acteur, source=source, url=requete.app.state.url, **arguments)
        except (EntreeInvalide, IntrouvableError) as erreur:
            erreurs[_champ_en_erreur(action, arguments, str(erreur))] = str(erreur)
        else:
            return RedirectResponse(f"/campus/{campus_id}/membres?notice={_issue(resultat)}", status_code=303)
    return _page_membres(requete, session, campus_id, {action: valeurs}, erreurs, statut=400)


# --- Review ------------------------------------------------------------------------------------


@router.get("/relecture")
def relecture(requete: Request, notice: str | None = None) -> Response:
    """Changes waiting review that the signed-in person may see (their own, or those they may decide)."""
    session = sessions.ou_connexion(requete)
    if isinstance(session, RedirectResponse):
        return session
    attente = relecture_.en_attente(session.acteur, url=requete.app.state.url)
    return _page(
        requete,
        "relecture.html",
        [("Relecture", None)],
        changements=attente,
        notice=_notice(notice),
        csrf=session.csrf,
        acteur=session.acteur,
        erreur=None,
    )


@router.post("/relecture/{changement_id}/{decision}")
async def decider(requete: Request, changement_id: int, decision: str) -> Response:
    """Accept or reject a pending change (a reason is required to reject)."""
    if decision not in ("accepter", "rejeter"):
        raise IntrouvableError(f"décision inconnue : {decision}")
    session = sessions.ou_connexion(requete, "/relecture")
    if isinstance(session, RedirectResponse):
        return session
    valeurs = await _formulaire(requete)
    sessions.verifier(session, valeurs.get("csrf"))
    url = requete.app.state.url
    try:
        if decision == "accepter":
            relecture_.accepter(changement_id, acteur=session.acteur, url=url)
        else:
            relecture_.rejeter(changement_id, valeurs.get("motif", ""), acteur=session.acteur, url=url)
    except CmqError as erreur:
        if not isinstance(erreur, EntreeInvalide):
            raise
        attente = relecture_.en_attente(session.acteur, url=url)
        return _page(
            requete,
            "relecture.html",
            [("Relecture", None)],
            400,
            changements=attente,
            notice=None,
            csrf=session.csrf,
            acteur=session.acteur,
            erreur=(changement_id, str(erreur)),
        )
    return RedirectResponse(f"/relecture?notice={'accepte' if decision == 'accepter' else 'rejete'}", status_code=303)
