"""lire_datagouv against the replay server: links.next paging, __id dropped, count check, errors."""

import hashlib
import json

import pytest

from cmq.errors import EntreeInvalide, ErreurReseau, RefusPortail
from cmq.portails.datagouv import lire_datagouv
from tests.serveur_local import FIXTURES, Reponse, attentes, client_http, serveur_local  # noqa: F401

DATA = "/api/resources/RID/data/"


def _page(nom, **changements):
    """A fixture page as a dict, with some keys replaced."""
    page = json.loads((FIXTURES / nom).read_text(encoding="utf-8"))
    page.update(changements)
    return page


def test_deux_pages_avec_links_next(serveur_local, client_http):
    serveur_local.route(
        DATA,
        Reponse.fixture("datagouv_tabular_page1.json"),
        Reponse.fixture("datagouv_tabular_page2.json"),
    )
    progres = []
    lot = lire_datagouv(
        "RID",
        base=serveur_local.url,
        page_size=6,
        client=client_http,
        progression=lambda lus, total: progres.append((lus, total)),
    )
    assert lot.total == 12 and len(lot.lignes) == 12
    assert lot.lignes[0] == {
        "Nom du campus": "Campus exemple 1 (fictif)",
        "Filière": "Numérique, télécommunications",
        "Label": "",
        "Région académique": "Hauts-de-France",
        "UAI": "0592926K",
    }
    assert all("__id" not in ligne for ligne in lot.lignes)
    assert [ligne["UAI"] for ligne in lot.lignes[6:8]] == ["0312408Z", "0693734J"]
    assert [r.params for r in serveur_local.requetes] == [
        [("page", "1"), ("page_size", "6")],
        [("page", "2"), ("page_size", "6")],
    ]
    assert progres == [(6, 12), (12, 12)]
    assert lot.url == f"{serveur_local.url}{DATA}?page=1&page_size=6"
    # checksum of the bodies as received (portal host rewritten by the replay server)
    corps = b"".join((FIXTURES / f"datagouv_tabular_page{n}.json").read_bytes() for n in (1, 2))
    corps = corps.replace(b"https://tabular-api.data.gouv.fr", serveur_local.url.encode())
    assert lot.somme_controle == hashlib.sha256(corps).hexdigest()


def test_page_size_par_defaut_50(serveur_local, client_http):
    serveur_local.route(
        DATA,
        Reponse.json(
            {
                "data": [{"__id": 1, "UAI": "0693734J"}],
                "links": {"next": None},
                "meta": {"page": 1, "page_size": 50, "total": 1},
            }
        ),
    )
    lot = lire_datagouv("RID", base=serveur_local.url, client=client_http)
    assert lot.lignes == [{"UAI": "0693734J"}]
    assert serveur_local.requetes[0].params == [("page", "1"), ("page_size", "50")]


def test_total_incoherent(serveur_local, client_http):
    meta = {"page": 1, "page_size": 6, "total": 13}
    serveur_local.route(
        DATA,
        Reponse.json(_page("datagouv_tabular_page1.json", meta=meta)),
        Reponse.json(_page("datagouv_tabular_page2.json", meta={**meta, "page": 2})),
    )
    with pytest.raises(ErreurReseau, match="réponse incomplète : 12 lignes reçues sur 13 annoncées"):
        lire_datagouv("RID", base=serveur_local.url, page_size=6, client=client_http)


def test_page_suivante_vide(serveur_local, client_http):
    vide = _page("datagouv_tabular_page2.json", data=[])
    vide["links"]["next"] = "https://tabular-api.data.gouv.fr/api/resources/RID/data/?page=3&page_size=6"
    serveur_local.route(DATA, Reponse.fixture("datagouv_tabular_page1.json"), Reponse.json(vide))
    with pytest.raises(ErreurReseau, match="réponse incomplète : 6 lignes reçues sur 12"):
        lire_datagouv("RID", base=serveur_local.url, page_size=6, client=client_http)
    assert len(serveur_local.requetes) == 2


def test_lien_suivant_hors_du_portail(serveur_local, client_http):
    page = _page("datagouv_tabular_page1.json")
    page["links"]["next"] = "https://ailleurs.example/api/resources/RID/data/?page=2"
    serveur_local.route(DATA, Reponse.json(page))
    with pytest.raises(ErreurReseau, match="page suivante hors du portail"):
        lire_datagouv("RID", base=serveur_local.url, page_size=6, client=client_http)
    assert len(serveur_local.requetes) == 1


def test_lien_suivant_illisible(serveur_local, client_http):
    page = _page("datagouv_tabular_page1.json")
    page["links"]["next"] = "http://[::1"
    serveur_local.route(DATA, Reponse.json(page))
    with pytest.raises(ErreurReseau, match="réponse inattendue du portail : « links.next » invalide"):
        lire_datagouv("RID", base=serveur_local.url, page_size=6, client=client_http)


def test_lien_suivant_relatif(serveur_local, client_http):
    page = _page("datagouv_tabular_page1.json")
    page["links"]["next"] = "?page=2&page_size=6"
    serveur_local.route(DATA, Reponse.json(page), Reponse.fixture("datagouv_tabular_page2.json"))
    assert len(lire_datagouv("RID", base=serveur_local.url, page_size=6, client=client_http).lignes) == 12
    assert serveur_local.requetes[1].params == [("page", "2"), ("page_size", "6")]


def test_boucle_de_pages(serveur_local, client_http):
    page = _page("datagouv_tabular_page1.json")
    page["links"]["next"] = "https://tabular-api.data.gouv.fr/api/resources/RID/data/?page=1&page_size=6"
    serveur_local.route(DATA, Reponse.json(page))
    with pytest.raises(ErreurReseau, match="la page suivante a déjà été lue"):
        lire_datagouv("RID", base=serveur_local.url, page_size=6, client=client_http)
    assert len(serveur_local.requetes) == 1


def test_503_puis_succes(serveur_local, client_http, attentes):
    serveur_local.route(
        DATA,
        Reponse.fixture("datagouv_tabular_page1.json"),
        Reponse(503, entetes={"Retry-After": "1"}),
        Reponse.fixture("datagouv_tabular_page2.json"),
    )
    lot = lire_datagouv("RID", base=serveur_local.url, page_size=6, client=client_http)
    assert len(lot.lignes) == 12 and attentes == [1.0]


def test_ressource_introuvable(serveur_local, client_http):
    with pytest.raises(RefusPortail, match="jeu de données introuvable \\(HTTP 404\\)"):
        lire_datagouv("inconnue", base=serveur_local.url, client=client_http)
    assert len(serveur_local.requetes) == 1


@pytest.mark.parametrize(
    "corps",
    [
        {"rows": []},
        {"data": [], "links": {"next": None}},  # no meta
        {"data": [], "meta": {"total": "12"}, "links": {}},
        {"data": ["x"], "meta": {"total": 1}, "links": {}},
        {"data": [{"a": 1}], "meta": {"total": 2}, "links": {"next": 3}},
        [],
    ],
)
def test_reponse_inattendue(serveur_local, client_http, corps):
    serveur_local.route(DATA, Reponse.json(corps))
    with pytest.raises(ErreurReseau, match="réponse inattendue du portail"):
        lire_datagouv("RID", base=serveur_local.url, client=client_http)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"page_size": 0}, "taille de page invalide : 0"),
        ({"page_size": 51}, "taille de page invalide : 51"),
        ({"base": "tabular-api.data.gouv.fr"}, "adresse de portail invalide"),
    ],
)
def test_parametres_invalides(serveur_local, client_http, arguments, message):
    arguments.setdefault("base", serveur_local.url)
    with pytest.raises(EntreeInvalide, match=message):
        lire_datagouv("RID", client=client_http, **arguments)
    assert serveur_local.requetes == []


def test_identifiant_vide(client_http):
    with pytest.raises(EntreeInvalide, match="identifiant de ressource vide"):
        lire_datagouv(" ", base="http://127.0.0.1:1", client=client_http)
