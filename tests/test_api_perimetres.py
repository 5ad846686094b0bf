"""Users' tokens on the API, through a real uvicorn on 127.0.0.1 (SQLite and PostgreSQL): every write
route × scope (administrator of France, editor of a région académique, of académie 10, of one
campus): allowed inside, 403 problem+json outside with nothing written; refused tokens; the
server's token still an administrator of France; a server without it writes for its users."""

import hashlib
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import inspect, text, update

from cmq.models import Campus
from cmq.store import db, utilisateurs
from cmq.store.tables import UtilisateurTable
from tests.api_serveur import (  # noqa: F401
    JETON,
    base_api,
    serveur_api,
    serveur_api_ecriture,
    serveur_sans_jeton,
)
from tests.test_api_ecriture import CAMPUS_CSV, envoyer, probleme

A10 = "urbanisme-et-construction"  # région académique 84, académie 10 (Lyon)
A10_AUTRE = "plasticampus"  # 84, académie 10
A08 = "stahr"  # 84, académie 08 (Grenoble)
AILLEURS = "mobicampus"  # 27, académie 03 (Besançon)
UTILISATEURS = {
    "Alix": ("administrateur", ["france"]),
    "Rémi": ("editeur", ["region_academique:84"]),
    "Léa": ("editeur", ["academie:10"]),
    "Côme": ("editeur", [f"campus:{A10}"]),
}
SOURCE = "https://www.education.gouv.fr/arrete-cmq"


def contenu(url: str) -> str:
    """sha256 of every row of every table: equal before and after = nothing written."""
    empreinte = hashlib.sha256()
    with db.moteur(url).connect() as connexion:
        for table in sorted(inspect(connexion).get_table_names()):
            lignes = connexion.execute(text(f"SELECT * FROM {table}")).all()
            empreinte.update(repr((table, sorted(map(repr, lignes)))).encode())
    return empreinte.hexdigest()


def ajouter(url: str, nom: str, role: str, perimetres: list[str]) -> str:
    with db.session(url, ecriture=True) as s:
        return utilisateurs.creer(s, nom, role, perimetres)[1]


class Client:
    """An httpx client on the server and the token of each user."""

    def __init__(self, serveur, http: httpx.Client):
        self.url, self.http = serveur.url_db, http
        self.jetons = {nom: ajouter(self.url, nom, role, portee) for nom, (role, portee) in UTILISATEURS.items()}

    def __call__(self, qui: str, methode: str, chemin: str, **options) -> httpx.Response:
        jeton = JETON if qui == "serveur" else self.jetons.get(qui, qui)
        if methode == "PUT":  # every campus write states its source
            options.setdefault("params", {"source": SOURCE})
        return self.http.request(methode, chemin, headers={"Authorization": f"Bearer {jeton}"}, **options)

    def fiche(self, campus_id: str, **champs) -> dict:
        detail = self.http.get(f"/api/campus/{campus_id}").json()
        return {k: detail[k] for k in Campus.model_fields} | champs

    def refuse(self, r: httpx.Response, avant: str, *mots: str) -> None:
        probleme(r, 403, *mots)
        assert contenu(self.url) == avant


@pytest.fixture
def api(serveur_api_ecriture):
    utilisateurs.oublier()
    with serveur_api_ecriture.client() as http:
        yield Client(serveur_api_ecriture, http)


def hors(nom: str, campus_id: str) -> str:
    return f"« {nom} » ne peut pas modifier le campus « {campus_id} » : hors de son périmètre"


PUT_CAMPUS = [
    ("Alix", AILLEURS, True),
    ("Rémi", A10, True),
    ("Rémi", A08, True),
    ("Rémi", AILLEURS, False),
    ("Léa", A10, True),
    ("Léa", A10_AUTRE, True),
    ("Léa", A08, False),
    ("Léa", AILLEURS, False),
    ("Côme", A10, True),
    ("Côme", A10_AUTRE, False),
]


def test_put_campus_chaque_perimetre(api):
    for qui, campus_id, permis in PUT_CAMPUS:
        corps = api.fiche(campus_id, nom=f"Campus modifié par {qui}")
        avant = contenu(api.url)
        r = api(qui, "PUT", f"/api/campus/{campus_id}", json=corps)
        if permis:
            assert r.status_code == 200 and r.json()["statut"] == "modifie", (qui, campus_id, r.text)
            assert api.http.get(f"/api/campus/{campus_id}").json()["nom"] == f"Campus modifié par {qui}"
        else:
            api.refuse(r, avant, hors(qui, campus_id), f"({', '.join(UTILISATEURS[qui][1])})")
            assert api.http.get(f"/api/campus/{campus_id}").json()["nom"] != f"Campus modifié par {qui}"


def test_put_deplacer_et_creer(api):
    vers_grenoble = api.fiche(A10, academies=["08"])
    avant = contenu(api.url)
    api.refuse(api("Léa", "PUT", f"/api/campus/{A10}", json=vers_grenoble), avant, hors("Léa", A10))
    r = api("Rémi", "PUT", f"/api/campus/{A10}", json=vers_grenoble)
    assert r.status_code == 200 and api.http.get(f"/api/campus/{A10}").json()["academies"] == ["08"]

    neuf = {
        "id": "cmq-neuf",
        "nom": "Campus neuf",
        "filiere": "numerique-telecommunications",
        "region_academique": "84",
    }
    r = api("Léa", "PUT", "/api/campus/cmq-neuf", json=neuf | {"academies": ["10"]})
    assert r.status_code == 201 and r.json()["statut"] == "cree", r.text
    avant = contenu(api.url)
    ailleurs = neuf | {"id": "cmq-ailleurs", "region_academique": "27", "academies": ["03"]}
    api.refuse(api("Léa", "PUT", "/api/campus/cmq-ailleurs", json=ailleurs), avant, hors("Léa", "cmq-ailleurs"))
    assert api.http.get("/api/campus/cmq-ailleurs").status_code == 404


def test_alias_par_perimetre(api):
    assert api("serveur", "POST", "/api/alias", json={"texte": "campus auto", "campus_id": AILLEURS}).status_code == 201
    r = api("Léa", "POST", "/api/alias", json={"texte": "btp lyon", "campus_id": A10})
    assert r.status_code == 201 and r.json()["campus_id"] == A10
    avant = contenu(api.url)
    for methode, chemin, corps, campus_id in (
        ("POST", "/api/alias", {"texte": "doubs", "campus_id": AILLEURS}, AILLEURS),
        ("POST", "/api/alias", {"texte": "campus auto", "campus_id": A10}, AILLEURS),  # another campus's alias
        ("DELETE", "/api/alias/campus%20auto", None, AILLEURS),
    ):
        api.refuse(api("Léa", methode, chemin, json=corps), avant, hors("Léa", campus_id))
    assert api("Côme", "DELETE", "/api/alias/btp%20lyon").status_code == 204
    assert {a["texte"]: a["campus_id"] for a in api.http.get("/api/alias").json()} == {"auto": AILLEURS}


def test_imports_par_perimetre(api):
    membres = f"campus_id;uai;role\n{A10};0690010L;membre\n"
    partenaires = f"campus_id;nom;nature\n{A10};Fédération BTP;branche\n{AILLEURS};Doubs Industrie;entreprise\n"
    lycees = "uai;nom;code_commune\n0690010L;Lycée d'essai;69123\n"
    avant = contenu(api.url)
    for qui, corps, genre, message in (
        ("Léa", partenaires, "partenaires", hors("Léa", AILLEURS)),
        ("Rémi", partenaires, "partenaires", hors("Rémi", AILLEURS)),
        ("Léa", CAMPUS_CSV, "campus", hors("Léa", "cmq-test-api-2")),  # its second campus: académie 01
        ("Léa", lycees, "etablissements", "« Léa » n'est pas administrateur de la France"),
        ("Rémi", lycees, "etablissements", "« Rémi » n'est pas administrateur de la France"),
    ):
        api.refuse(envoyer(_porteur(api, qui), corps, type=genre), avant, message)
    assert envoyer(_porteur(api, "Côme"), membres, type="membres").json()["statut"] == "ok"
    rapport = envoyer(_porteur(api, "Rémi"), CAMPUS_CSV.splitlines()[0] + "\n" + CAMPUS_CSV.splitlines()[1])
    assert (rapport.status_code, rapport.json()["inserees"]) == (200, 1)
    assert envoyer(_porteur(api, "Alix"), lycees, type="etablissements").json()["statut"] == "ok"


def _porteur(api: Client, qui: str) -> httpx.Client:
    api.http.headers["Authorization"] = f"Bearer {api.jetons[qui]}"
    return api.http


def test_jetons_refuses_et_revocation_immediate(api):
    corps = api.fiche(A10, nom="Nouveau nom")
    assert api("Léa", "PUT", f"/api/campus/{A10}", json=corps).status_code == 200
    with db.session(api.url, ecriture=True) as s:
        utilisateurs.revoquer(s, "Léa")
        s.execute(update(UtilisateurTable).where(UtilisateurTable.nom == "Rémi").values(expire_le=datetime.now(UTC)))
    avant = contenu(api.url)
    jeton = api.jetons["Côme"]
    for qui in ("Léa", "Rémi", jeton[:-1], "cmq_000000000000" + jeton[16:], "cmq_pas_un_jeton"):
        probleme(api(qui, "PUT", f"/api/campus/{A10}", json=corps), 403, "jeton d'accès refusé")
    assert contenu(api.url) == avant
    r = api("serveur", "PUT", f"/api/campus/{AILLEURS}", json=api.fiche(AILLEURS, nom="Par le serveur"))
    assert r.status_code == 200  # the server's token: an administrator of France


def test_serveur_sans_jeton_ecrit_pour_ses_utilisateurs(serveur_sans_jeton):
    utilisateurs.oublier()
    with serveur_sans_jeton.client() as http:
        corps = {k: v for k, v in http.get(f"/api/campus/{A10}").json().items() if k in Campus.model_fields}
        probleme(
            http.put(f"/api/campus/{A10}", params={"source": SOURCE}, json=corps),
            503,
            "écriture désactivée",
            "aucun utilisateur",
        )
        jeton = ajouter(serveur_sans_jeton.url_db, "Léa", "editeur", ["academie:10"])
        probleme(http.put(f"/api/campus/{A10}", params={"source": SOURCE}, json=corps), 401, "jeton d'accès manquant")
        refus = http.put(
            f"/api/campus/{A10}", params={"source": SOURCE}, json=corps, headers={"Authorization": f"Bearer {JETON}"}
        )
        probleme(refus, 403, "jeton d'accès refusé")  # no server token configured: not accepted
        r = http.put(
            f"/api/campus/{A10}",
            params={"source": SOURCE},
            json=corps | {"nom": "Par Léa"},
            headers={"Authorization": f"Bearer {jeton}"},
        )
        assert r.status_code == 200 and http.get(f"/api/campus/{A10}").json()["nom"] == "Par Léa"


# The editing routes (`routes_edition`, `routes_relecture`): the same scopes, each route × user.
EDITIONS = [
    ("PATCH", "{c}", {"json": {"note": "relue par {qui}"}}, 200),
    ("POST", "{c}/membres", {"json": {"nom": "IUT de {qui}", "nature": "iut"}}, 201),
    ("DELETE", "{c}/membres/IUT de {qui}", {}, 200),
    ("POST", "{c}/partenaires", {"json": {"nom": "Entreprise de {qui}", "nature": "entreprise"}}, 201),
    ("DELETE", "{c}/partenaires/Entreprise de {qui}", {}, 200),
]


@pytest.mark.parametrize(("qui", "campus_id", "permis"), PUT_CAMPUS)
def test_edition_chaque_route_chaque_perimetre(api, qui, campus_id, permis):
    for methode, chemin, options, statut in EDITIONS:
        adresse = "/api/campus/" + chemin.format(c=campus_id, qui=qui)
        corps = {k: {c: v.format(qui=qui) for c, v in valeur.items()} for k, valeur in options.items()}
        if methode == "DELETE" and not permis:  # the object exists: the refusal is about the scope
            cible, nom = adresse.rsplit("/", 1)
            api("serveur", "POST", cible, params={"source": SOURCE}, json={"nom": nom, "nature": "autre"})
        avant = contenu(api.url)
        r = api(qui, methode, adresse, params={"source": SOURCE}, **corps)
        if permis:
            assert r.status_code == statut, (qui, methode, adresse, r.text)
            assert r.json()["changements"][0]["auteur"] == qui
        else:
            api.refuse(r, avant, hors(qui, campus_id))


def test_relecture_par_perimetre(api):
    ids = []
    for campus_id in (A10, AILLEURS):  # a reviewed editor of each campus proposes a change
        with db.session(api.url, ecriture=True) as s:
            _, jeton = utilisateurs.creer(s, f"Relu {campus_id}", "editeur", [f"campus:{campus_id}"], relecture=True)
        r = api.http.patch(
            f"/api/campus/{campus_id}",
            params={"source": SOURCE},
            json={"note": "à relire"},
            headers={"Authorization": f"Bearer {jeton}"},
        )
        assert r.status_code == 202, r.text
        ids.append(r.json()["changements"][0]["id"])
    api.jetons["Inès"] = ajouter(api.url, "Inès", "administrateur", ["region_academique:84"])
    vus = {qui: {c["id"] for c in api(qui, "GET", "/api/relecture").json()} for qui in ("Alix", "Inès", "Rémi")}
    assert set(ids) <= vus["Alix"]  # France: every pending change
    assert ids[0] in vus["Inès"] and ids[1] not in vus["Inès"]  # région 84 only
    assert vus["Rémi"] == set()  # an editor sees only their own
    avant = contenu(api.url)
    api.refuse(api("Inès", "POST", f"/api/relecture/{ids[1]}/accepter"), avant, "hors de son périmètre")
    r = api("Inès", "POST", f"/api/relecture/{ids[0]}/accepter")
    assert r.status_code == 200 and r.json()[0]["statut"] == "applique"
    assert api.http.get(f"/api/campus/{A10}").json()["note"] == "à relire"
