"""lire_opendatasoft against the replay server: paging, v2.0 shape, filters, export past 10,000, errors."""

import hashlib
import json

import pytest

from cmq.errors import EntreeInvalide, ErreurReseau, RefusPortail
from cmq.portails.opendatasoft import LIMITE_RECORDS, lire_opendatasoft
from tests.serveur_local import FIXTURES, Reponse, attentes, client_http, serveur_local  # noqa: F401

V21 = "/api/explore/v2.1/catalog/datasets/cmq-liste/records"
EXPORT = "/api/explore/v2.1/catalog/datasets/cmq-liste/exports/json"
V20 = "/api/v2/catalog/datasets/cmq-liste/records"


def _fixture(nom):
    return (FIXTURES / nom).read_bytes()


def test_deux_pages_v21(serveur_local, client_http):
    serveur_local.route(
        V21,
        Reponse.fixture("opendatasoft_v21_records_page1.json"),
        Reponse.fixture("opendatasoft_v21_records_page2.json"),
    )
    progres = []
    lot = lire_opendatasoft(
        serveur_local.url,
        "cmq-liste",
        limit=6,
        client=client_http,
        progression=lambda lus, total: progres.append((lus, total)),
    )
    assert len(lot.lignes) == 12 and lot.total == 12
    assert [ligne["uai_etablissement_support"] for ligne in lot.lignes][:3] == ["0592926K", "0590010R", "0593060F"]
    assert lot.lignes[-1]["nom_du_campus"] == "Campus exemple 12 (fictif)"
    assert lot.lignes[0]["geo_point"] is None and "site_internet" in lot.lignes[0]
    requetes = serveur_local.requetes_vers(V21)
    assert [(r.valeur("limit"), r.valeur("offset")) for r in requetes] == [("6", "0"), ("6", "6")]
    assert len(serveur_local.requetes) == 2
    assert progres == [(6, 12), (12, 12)]
    assert lot.url == f"{serveur_local.url}{V21}?limit=6&offset=0"
    attendu = _fixture("opendatasoft_v21_records_page1.json") + _fixture("opendatasoft_v21_records_page2.json")
    assert lot.somme_controle == hashlib.sha256(attendu).hexdigest()


def test_point_geo_garde_tel_quel(serveur_local, client_http):
    ligne = {"uai": "0693734J", "position": {"lon": 4.85, "lat": 45.75}}
    serveur_local.route(V21, Reponse.json({"total_count": 1, "results": [ligne]}))
    assert lire_opendatasoft(serveur_local.url, "cmq-liste", client=client_http).lignes == [ligne]


def test_forme_v20_deballee(serveur_local, client_http):
    serveur_local.route(V20, Reponse.fixture("opendatasoft_v20_records.json"))
    lot = lire_opendatasoft(serveur_local.url + "/", "cmq-liste", version="2.0", client=client_http)
    assert lot.total == 2
    assert [ligne["uai_etablissement_support"] for ligne in lot.lignes] == ["0592926K", "0590010R"]
    assert "record" not in lot.lignes[0] and lot.lignes[1]["label_excellence"] == "Oui"
    assert serveur_local.requetes_vers(V20)[0].valeur("limit") == "100"


def test_forme_detectee_dans_le_corps(serveur_local, client_http):
    # a v2.1 URL answering with the v2.0 shape is still unwrapped
    serveur_local.route(V21, Reponse.fixture("opendatasoft_v20_records.json"))
    lot = lire_opendatasoft(serveur_local.url, "cmq-liste", client=client_http)
    assert lot.lignes[0]["nom_du_campus"] == "Campus exemple 1 (fictif)"


def test_filtres_transmis(serveur_local, client_http):
    serveur_local.route(V21, Reponse.json({"total_count": 1, "results": [{"uai": "0693734J"}]}))
    lire_opendatasoft(
        serveur_local.url,
        "cmq-liste",
        where='region_academique = "Occitanie" and uai like "03%"',
        select="uai,nom_du_campus",
        refine=["academie:Lyon", "label_excellence:Oui"],
        exclude=["filiere:Tourisme, gastronomie"],
        limit=50,
        client=client_http,
    )
    (requete,) = serveur_local.requetes
    assert requete.valeur("where") == 'region_academique = "Occitanie" and uai like "03%"'
    assert requete.valeur("select") == "uai,nom_du_campus"
    assert requete.valeurs("refine") == ["academie:Lyon", "label_excellence:Oui"]
    assert requete.valeurs("exclude") == ["filiere:Tourisme, gastronomie"]
    assert (requete.valeur("limit"), requete.valeur("offset")) == ("50", "0")
    assert "refine=academie%3ALyon&refine=label_excellence%3AOui" in requete.requete


def test_plus_de_10000_bascule_sur_l_export(serveur_local, client_http):
    total = 25_000
    lignes = [{"uai": f"{i:07d}", "n": i} for i in range(total)]
    serveur_local.route(V21, Reponse.json({"total_count": total, "results": lignes[:100]}))
    serveur_local.route(EXPORT, Reponse.json(lignes))
    progres = []
    lot = lire_opendatasoft(
        serveur_local.url,
        "cmq-liste",
        where="n >= 0",
        refine=["a:b"],
        client=client_http,
        progression=lambda lus, tot: progres.append((lus, tot)),
    )
    assert lot.lignes == lignes and lot.total == total
    assert progres == [(total, total)]
    for requete in serveur_local.requetes_vers(V21):
        assert int(requete.valeur("offset")) + int(requete.valeur("limit")) <= LIMITE_RECORDS
    assert len(serveur_local.requetes_vers(V21)) == 1
    (export,) = serveur_local.requetes_vers(EXPORT)
    assert export.params == [("where", "n >= 0"), ("refine", "a:b")]
    assert lot.url.startswith(f"{serveur_local.url}{V21}?")


def test_export_incomplet(serveur_local, client_http):
    serveur_local.route(V21, Reponse.json({"total_count": 20_000, "results": []}))
    serveur_local.route(EXPORT, Reponse.json([{"uai": "0693734J"}]))
    with pytest.raises(ErreurReseau, match="réponse incomplète : 1 lignes reçues sur 20000 annoncées"):
        lire_opendatasoft(serveur_local.url, "cmq-liste", client=client_http)


def test_jamais_offset_plus_limit_au_dela_de_10000(serveur_local, client_http):
    # exactly 10,000 records with a page size that does not divide 10,000: the last page is shortened
    def page(requete):
        offset, limit = int(requete.valeur("offset")), int(requete.valeur("limit"))
        lignes = [{"n": i} for i in range(offset, min(offset + limit, LIMITE_RECORDS))]
        return Reponse.json({"total_count": LIMITE_RECORDS, "results": lignes})

    serveur_local.route(V21, page)
    lot = lire_opendatasoft(serveur_local.url, "cmq-liste", limit=99, client=client_http)
    assert [ligne["n"] for ligne in lot.lignes] == list(range(LIMITE_RECORDS))
    requetes = serveur_local.requetes_vers(V21)
    assert len(requetes) == 102
    assert max(int(r.valeur("offset")) + int(r.valeur("limit")) for r in requetes) == LIMITE_RECORDS
    assert (requetes[-1].valeur("offset"), requetes[-1].valeur("limit")) == ("9999", "1")


def test_page_vide_avant_le_total(serveur_local, client_http):
    serveur_local.route(
        V21, Reponse.fixture("opendatasoft_v21_records_page1.json"), Reponse.json({"total_count": 12, "results": []})
    )
    with pytest.raises(ErreurReseau, match="réponse incomplète : 6 lignes reçues sur 12 annoncées"):
        lire_opendatasoft(serveur_local.url, "cmq-liste", limit=6, client=client_http)


def test_400_message_odsql_sans_reessai(serveur_local, client_http, attentes):
    serveur_local.route(V21, Reponse.fixture("opendatasoft_error_400.json", 400))
    with pytest.raises(RefusPortail) as erreur:
        lire_opendatasoft(serveur_local.url, "cmq-liste", where="invalid_field = 1", client=client_http)
    assert "le portail a refusé la requête (HTTP 400, ODSQLError) : ODSQL query is malformed" in str(erreur.value)
    assert len(serveur_local.requetes) == 1 and attentes == []


def test_404_jeu_introuvable(serveur_local, client_http):
    serveur_local.route(
        "/api/explore/v2.1/catalog/datasets/inconnu/records",
        Reponse.json({"error_code": "NotFound", "message": "Unknown dataset: inconnu"}, 404),
    )
    with pytest.raises(RefusPortail, match="jeu de données introuvable \\(HTTP 404\\) : Unknown dataset: inconnu"):
        lire_opendatasoft(serveur_local.url, "inconnu", client=client_http)


def test_429_puis_deux_pages(serveur_local, client_http, attentes):
    serveur_local.route(
        V21,
        Reponse.fixture("opendatasoft_v21_records_page1.json"),
        Reponse.json({"error_code": "TooManyRequests"}, 429, entetes={"Retry-After": "2"}),
        Reponse.fixture("opendatasoft_v21_records_page2.json"),
    )
    lot = lire_opendatasoft(serveur_local.url, "cmq-liste", limit=6, client=client_http)
    assert len(lot.lignes) == 12 and attentes == [2.0]
    assert [r.valeur("offset") for r in serveur_local.requetes] == ["0", "6", "6"]


@pytest.mark.parametrize(
    "corps",
    [
        {"results": []},  # no total_count
        {"total_count": 1, "rows": []},  # neither results nor records
        {"total_count": 1, "results": ["pas un objet"]},
        {"total_count": 1, "records": [{"record": {"fields": 3}}]},
        [1, 2, 3],
    ],
)
def test_reponse_inattendue(serveur_local, client_http, corps):
    serveur_local.route(V21, Reponse.json(corps))
    with pytest.raises(ErreurReseau, match="réponse inattendue du portail"):
        lire_opendatasoft(serveur_local.url, "cmq-liste", client=client_http)


def test_export_qui_n_est_pas_une_liste(serveur_local, client_http):
    serveur_local.route(V21, Reponse.json({"total_count": 12_000, "results": []}))
    serveur_local.route(EXPORT, Reponse(200, json.dumps({"results": []}).encode()))
    with pytest.raises(ErreurReseau, match="l'export JSON n'est pas une liste"):
        lire_opendatasoft(serveur_local.url, "cmq-liste", client=client_http)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"limit": 0}, "taille de page invalide : 0"),
        ({"limit": 101}, "taille de page invalide : 101"),
        ({"version": "1.0"}, "version d'API Opendatasoft inconnue"),
    ],
)
def test_parametres_invalides(serveur_local, client_http, arguments, message):
    with pytest.raises(EntreeInvalide, match=message):
        lire_opendatasoft(serveur_local.url, "cmq-liste", client=client_http, **arguments)
    assert serveur_local.requetes == []


@pytest.mark.parametrize(
    ("portail", "dataset", "message"),
    [
        ("data.education.gouv.fr", "cmq", "adresse de portail invalide"),
        ("ftp://data.education.gouv.fr", "cmq", "adresse de portail invalide"),
        ("http://127.0.0.1:1", "  ", "identifiant de jeu de données vide"),
    ],
)
def test_adresses_invalides(client_http, portail, dataset, message):
    with pytest.raises(EntreeInvalide, match=message):
        lire_opendatasoft(portail, dataset, client=client_http)


def test_identifiant_encode_dans_le_chemin(serveur_local, client_http):
    vide = Reponse.json({"total_count": 0, "results": []})
    serveur_local.route("/api/explore/v2.1/catalog/datasets/a%2F..%2Fb/records", vide)
    lot = lire_opendatasoft(serveur_local.url, "a/../b", client=client_http)
    assert lot.lignes == [] and lot.total == 0


def test_client_par_defaut(serveur_local):
    serveur_local.route(V21, Reponse.fixture("opendatasoft_v20_records.json"))
    lot = lire_opendatasoft(serveur_local.url, "cmq-liste")
    assert lot.total == 2 and len(lot.lignes) == 2


def test_export_v20_deballe(serveur_local, client_http):
    total = LIMITE_RECORDS + 1
    enveloppes = [{"links": [], "record": {"id": f"r{i}", "fields": {"n": i}}} for i in range(total)]
    serveur_local.route(V20, Reponse.json({"total_count": total, "links": [], "records": enveloppes[:100]}))
    serveur_local.route("/api/v2/catalog/datasets/cmq-liste/exports/json", Reponse.json(enveloppes))
    lot = lire_opendatasoft(serveur_local.url, "cmq-liste", version="2.0", client=client_http)
    assert lot.lignes[:2] == [{"n": 0}, {"n": 1}] and len(lot.lignes) == total
