"""Web pages (HTML, French, DSFR) served by a real uvicorn on 127.0.0.1, on the embedded data plus a
few members and a partner (`tests.api_serveur`). Figures are checked against the library."""

import csv
import io
import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from cmq import filieres, glossaire, indicateurs
from cmq.store import db, lecture
from cmq.texte import normaliser
from tests.api_serveur import (  # noqa: F401
    CAMPUS_MEMBRES,
    UAI_HORS_ANNUAIRE,
    arreter,
    base_api,
    demarrer,
    serveur_api,
)
from tests.web_html import analyser

TOURISME = "tourisme-gastronomie"
UAI_SUPPORT = "0690010L"
PAGES = [
    "/",
    "/?echelle=departement&date=2024-09-01",
    "/campus",
    f"/campus?filiere={TOURISME}",
    f"/campus/{CAMPUS_MEMBRES}",
    "/campus/mobicampus",
    f"/etablissements/{UAI_SUPPORT}",
    "/filieres",
    f"/filieres/{TOURISME}",
    "/glossaire/cmq",
    "/campus/inexistant",
    "/campus?actif_le=2025-02-30",
]


@pytest.fixture(scope="module")
def web(serveur_api):
    with serveur_api.client() as client:
        yield client


@pytest.fixture(scope="module")
def url_db(serveur_api) -> str:
    return serveur_api.url_db


def page(web, chemin: str, statut: int = 200):
    """GET a page, check status, HTML type and French language; return its tree."""
    r = web.get(chemin)
    assert r.status_code == statut, (chemin, r.status_code, r.text[:500])
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    arbre = analyser(r.text)
    assert arbre.un("html").attrs["lang"] == "fr"
    return arbre


def message_erreur(arbre) -> str:
    """The error message of an error page, in lower case (the page capitalises its first letter)."""
    return arbre.un("p", id="message-erreur").texte().lower()


def telecharger_csv(web, href: str) -> list[dict[str, str]]:
    r = web.get(href)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))


def choisie(arbre, id_select: str) -> str:
    """Value of the selected option of a select."""
    options = [o.attrs["value"] for o in arbre.un("select", id=id_select).tous("option") if "selected" in o.attrs]
    assert len(options) == 1, options
    return options[0]


def liens(arbre, id_groupe: str) -> dict[str, str]:
    """Download links of a button group, by format."""
    return {a.attrs["data-format"]: a.attrs["href"] for a in arbre.un(id=id_groupe).tous("a")}


# --- Common structure ----------------------------------------------------------------------


@pytest.mark.parametrize("chemin", PAGES)
def test_structure_accessible(web, chemin):
    """One h1, skip links, DSFR header and footer, a caption in every table, a label for every field."""
    r = web.get(chemin)
    arbre = analyser(r.text)
    assert arbre.un("html").attrs["lang"] == "fr"
    assert len(arbre.tous("h1")) == 1
    assert arbre.un("div", classe="fr-skiplinks").tous("a")[0].attrs["href"] == "#contenu"
    assert arbre.un("main").attrs["id"] == "contenu"
    assert arbre.un("p", classe="fr-header__service-title").texte() == "cmq — Campus des Métiers et des Qualifications"
    assert arbre.un("footer", classe="fr-footer")
    assert arbre.un("title").texte().endswith("— cmq")
    for table in arbre.tous("table"):
        assert table.un("caption").texte(), table.attrs
    libelles = {label.attrs.get("for") for label in arbre.tous("label")}
    for champ in arbre.tous("input") + arbre.tous("select"):
        if champ.attrs.get("type") != "hidden":
            assert champ.attrs["id"] in libelles, champ.attrs


@pytest.mark.parametrize("chemin", PAGES)
def test_ressources_locales(web, chemin):
    """Scripts, styles and images come from this server (no CDN), and each one is really served."""
    arbre = analyser(web.get(chemin).text)
    ressources = [
        n.attrs["src"] for n in arbre.tous() if n.tag in ("script", "img", "iframe", "source") and n.attrs.get("src")
    ]
    ressources += [n.attrs["href"] for n in arbre.tous("link")]
    assert any(r.endswith("dsfr.min.css") for r in ressources)
    for adresse in ressources:
        assert adresse.startswith("/") and not adresse.startswith("//"), adresse
        assert web.get(adresse).status_code == 200, adresse
    assert "cdn" not in web.get(chemin).text.lower()


def test_navigation_page_courante(web):
    arbre = page(web, "/campus")
    courants = [a for a in arbre.un("nav", id="navigation").tous("a") if a.attrs.get("aria-current")]
    assert [(a.texte(), a.attrs["aria-current"]) for a in courants] == [("Campus", "page")]
    fil = arbre.un("nav", classe="fr-breadcrumb")
    assert [a.texte() for a in fil.tous("a")] == ["Accueil", "Campus"]


def test_pages_hors_openapi(web):
    chemins = web.get("/openapi.json").json()["paths"]
    assert all(c.startswith("/api/") for c in chemins), sorted(chemins)


# --- Dashboard -----------------------------------------------------------------------------


def test_tableau_de_bord(web, url_db):
    jour = date(2025, 9, 1)
    arbre = page(web, "/?date=2025-09-01")
    france = indicateurs.indicateurs("france", date=jour, url=url_db)[0]
    assert "Tableau de bord" in arbre.un("h1").texte()
    assert arbre.un(id="date-affichee").texte() == "1er septembre 2025"
    assert arbre.un("input", id="date").attrs["value"] == "01/09/2025"
    chiffres = [
        int(s.attrs["data-valeur"])
        for s in arbre.un(id="chiffres-cles").tous("span", classe="cmq-chiffre")
        if "data-valeur" in s.attrs
    ]
    assert chiffres == [france.nb_campus, france.nb_excellence] and france.nb_campus > 50
    # chart data: the 12 filières in the order of cmq.md, summing to the number of campuses
    barres = json.loads(arbre.un("script", id="donnees-filieres").texte())
    assert [b["code"] for b in barres] == list(filieres.codes())
    assert [b["nb"] for b in barres] == list(france.filieres.values())
    assert sum(b["nb"] for b in barres) == france.nb_campus
    # map data: both scales, every territory, the seats with coordinates
    carte = json.loads(arbre.un("script", id="donnees-carte").texte())
    assert carte["echelle"] == "region_academique" and carte["filtres"] == {"actif_le": "2025-09-01"}
    assert len(carte["territoires"]["region_academique"]) == 18
    assert len(carte["territoires"]["academie"]) == 30
    assert len(carte["territoires"]["departement"]) == 101
    regions = indicateurs.indicateurs("region_academique", date=jour, url=url_db)
    assert {c: v["nb"] for c, v in carte["territoires"]["region_academique"].items()} == {
        lg.code: lg.nb_campus for lg in regions
    }
    places = int(arbre.un(id="nb-places").texte())
    non_places = int(arbre.un(id="nb-non-places").texte())
    assert places == len(carte["campus"]) and places + non_places == france.nb_campus
    assert all(p["lien"] == f"/campus/{p['id']}" and p["lat"] is not None for p in carte["campus"])
    # table by région académique, with links to the filtered list
    lignes = arbre.un("table", id="table-regions").lignes()
    assert [lg[0] for lg in lignes] == [lg.nom for lg in regions]
    assert [int(lg[1]) for lg in lignes] == [lg.nb_campus for lg in regions]
    assert liens(arbre, "telechargements-regions") == {
        "csv": "/api/indicateurs?echelle=region_academique&date=2025-09-01&format=csv",
        "xlsx": "/api/indicateurs?echelle=region_academique&date=2025-09-01&format=xlsx",
    }


def test_tableau_de_bord_aujourdhui_et_departements(web, url_db):
    arbre = page(web, "/?echelle=departement")
    carte = json.loads(arbre.un("script", id="donnees-carte").texte())
    assert carte["filtres"]["actif_le"] == date.today().isoformat() and carte["echelle"] == "departement"
    assert "checked" in arbre.un("input", id="echelle-departement").attrs
    assert "checked" not in arbre.un("input", id="echelle-region_academique").attrs
    france = indicateurs.indicateurs("france", url=url_db)[0]
    lignes = arbre.un("table", id="table-filieres").lignes()
    assert lignes[-1] == ["Total", str(france.nb_campus)]


def test_tableau_de_bord_telechargement_filieres(web, url_db):
    """The France download is the indicator row whose filière columns are the chart's bars."""
    arbre = page(web, "/?date=2025-09-01")
    lignes = telecharger_csv(web, liens(arbre, "telechargements-france")["csv"])
    assert len(lignes) == 1 and lignes[0]["code"] == "FR"
    barres = json.loads(arbre.un("script", id="donnees-filieres").texte())
    assert [int(lignes[0][b["code"]]) for b in barres] == [b["nb"] for b in barres]


@pytest.mark.parametrize(
    ("chemin", "mots"),
    [
        ("/?date=2025-13-01", ["Date invalide", "2025-13-01"]),
        ("/?date=demain", ["Date invalide", "demain"]),
        ("/?echelle=commune", ["échelle de carte invalide", "commune"]),
    ],
)
def test_tableau_de_bord_parametres_invalides(web, chemin, mots):
    arbre = page(web, chemin, 400)
    assert arbre.un("h1").texte() == "Requête invalide"
    for mot in mots:
        assert mot.lower() in message_erreur(arbre)


# --- Campus list ---------------------------------------------------------------------------


def par_nom(campus: list) -> list:
    """Campuses in the default order of the list: by name, accents and case ignored."""
    return sorted(campus, key=lambda c: normaliser(c.nom))


def test_liste_campus_complete_et_paginee(web, url_db):
    with db.session(url_db) as s:
        tous, total = lecture.lister_campus(s)
    tous = par_nom(tous)
    arbre = page(web, "/campus")
    assert int(arbre.un(id="nombre-resultats").attrs["data-total"]) == total == len(tous)
    table = arbre.un("table", id="table-campus")
    nb_pages = -(-total // 25)
    assert nb_pages >= 3 and f"Campus ({total} résultats, page 1 sur {nb_pages})" == table.un("caption").texte()
    noms = [lg[0] for lg in table.lignes()]
    assert len(noms) == 25 and noms[0].startswith(tous[0].nom)
    pagination = arbre.un("nav", classe="fr-pagination")
    numeros = [a.texte() for a in pagination.tous("a", classe="fr-pagination__link") if a.texte().isdigit()]
    assert numeros == [str(n) for n in range(1, nb_pages + 1)]
    derniere = page(web, f"/campus?page={nb_pages}").un("table", id="table-campus").lignes()
    debut = (nb_pages - 1) * 25
    assert derniere[0][0].startswith(tous[debut].nom) and len(derniere) == total - debut
    assert f"page {nb_pages + 1} inexistante" in message_erreur(page(web, f"/campus?page={nb_pages + 1}", 404))


def test_liste_campus_filtre_filiere_et_export(web, url_db):
    with db.session(url_db) as s:
        attendus, total = lecture.lister_campus(s, filiere=TOURISME)
    attendus = par_nom(attendus)
    arbre = page(web, f"/campus?filiere={TOURISME}")
    assert choisie(arbre, "filiere") == TOURISME
    lignes = arbre.un("table", id="table-campus").lignes()
    assert [lg[0] for lg in lignes] == [
        c.nom + (f" ({c.sigle})" if c.sigle and c.sigle not in c.nom else "") for c in attendus
    ]
    assert {lg[1] for lg in lignes} == {"Tourisme"} and len(lignes) == total >= 5
    assert arbre.tous("nav", classe="fr-pagination") == []
    export = liens(arbre, "telechargements-campus")
    assert parse_qs(urlsplit(export["csv"]).query) == {"filiere": [TOURISME], "format": ["csv"]}
    assert urlsplit(export["csv"]).path == "/api/campus"
    assert sorted(r["id"] for r in telecharger_csv(web, export["csv"])) == sorted(c.id for c in attendus)
    classeur = openpyxl.load_workbook(io.BytesIO(web.get(export["xlsx"]).content))
    assert classeur.active.max_row == total + 1


def test_liste_campus_filtres_combines(web, url_db):
    """Names are resolved to codes (shown selected), excellence and date filters apply, export keeps them."""
    with db.session(url_db) as s:
        attendus, total = lecture.lister_campus(s, region_academique="53", excellence=True, actif_le=date(2025, 9, 1))
    arbre = page(web, "/campus?region_academique=Bretagne&excellence=oui&actif_le=2025-09-01")
    assert choisie(arbre, "region_academique") == "53"
    assert choisie(arbre, "excellence") == "oui"
    assert arbre.un("input", id="actif_le").attrs["value"] == "01/09/2025"
    lignes = arbre.un("table", id="table-campus").lignes()
    assert len(lignes) == total >= 1 and all(lg[2] == "Bretagne" and lg[4] == "oui" for lg in lignes)
    requete = parse_qs(urlsplit(liens(arbre, "telechargements-campus")["csv"]).query)
    assert requete == {
        "region_academique": ["53"],
        "excellence": ["true"],
        "actif_le": ["2025-09-01"],
        "format": ["csv"],
    }
    assert sorted(r["id"] for r in telecharger_csv(web, liens(arbre, "telechargements-campus")["csv"])) == sorted(
        c.id for c in attendus
    )


def test_liste_campus_recherche_et_aucun_resultat(web):
    lignes = page(web, "/campus?q=tourisme+nice").un("table", id="table-campus").lignes()
    assert len(lignes) == 1 and "Nice" in lignes[0][0]
    arbre = page(web, "/campus?q=zzzz+introuvable")
    assert arbre.un("table", id="table-campus").lignes() == [["Aucun campus ne correspond à ces critères."]]
    assert arbre.un(id="nombre-resultats").attrs["data-total"] == "0"


def test_liste_campus_texte_echappe(web):
    r = web.get("/campus", params={"q": '<script>alert("x")</script>'})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;alert" in r.text


@pytest.mark.parametrize(
    ("requete", "mots"),
    [
        ("filiere=plomberie", ["filière inconnue", "plomberie"]),
        ("region_academique=Atlantide", ["territoire inconnu", "Atlantide"]),
        (
            "excellence=peut-etre",
            ["Valeur « peut-etre » non reconnue", "Oui/Non (ou vrai/faux, 1/0, Excellence) attendu"],
        ),
        ("actif_le=2025-02-30", ["Date invalide", "2025-02-30"]),
        ("page=0", ["numéro de page invalide"]),
        ("page=deux", ["numéro de page invalide", "deux"]),
        ("q=" + "x" * 501, ["« q »", "au plus 500"]),
    ],
)
def test_liste_campus_filtres_invalides(web, requete, mots):
    arbre = page(web, f"/campus?{requete}", 400)
    assert arbre.un("h1").texte() == "Requête invalide"
    for mot in mots:
        assert mot.lower() in message_erreur(arbre), message_erreur(arbre)


# --- Campus, établissement -----------------------------------------------------------------


def test_fiche_campus(web, url_db):
    with db.session(url_db) as s:
        campus = lecture.campus(s, CAMPUS_MEMBRES)
        membres = lecture.membres(s, CAMPUS_MEMBRES)
    arbre = page(web, f"/campus/{CAMPUS_MEMBRES}")
    assert arbre.un("h1").texte() == campus.nom
    assert arbre.un("title").texte() == f"{campus.nom} — cmq"
    fil = arbre.un("nav", classe="fr-breadcrumb").tous("a")
    assert [a.texte() for a in fil] == ["Accueil", "Campus", campus.nom] and fil[1].attrs["href"] == "/campus"
    identite = dict(
        tuple(lg)
        for lg in (
            [tr.un("th").texte(), tr.un("td").texte()]
            for tr in arbre.un("table", id="table-identite").un("tbody").tous("tr")
        )
    )
    assert identite["Filière"] == "Infrastructures, bâtiment, éco-construction"
    assert identite["Campus d’excellence"] == "oui"
    assert identite["Région académique"] == "Auvergne-Rhône-Alpes (84)"
    assert identite["Siège"] == "Vaulx-en-Velin (commune 69256)"
    source = arbre.un("ul", id="sources").un("a")
    assert source.attrs["href"] == campus.provenance.source_url and source.attrs["target"] == "_blank"
    assert source.texte() == campus.provenance.source_nom
    assert campus.note and campus.note not in arbre.texte() and "Note" not in identite
    # members: support first, the UAI absent from the directory has no link
    lignes = arbre.un("table", id="table-membres").lignes()
    assert [lg[0] for lg in lignes] == [m.uai for m, _ in membres] == [UAI_SUPPORT, "0010001W", UAI_HORS_ANNUAIRE]
    assert lignes[0][4] == "établissement support" and lignes[2][1] == "absent de l’annuaire"
    liens_uai = [a.attrs["href"] for a in arbre.un("table", id="table-membres").tous("a")]
    assert liens_uai == [f"/etablissements/{u}?campus={CAMPUS_MEMBRES}" for u in (UAI_SUPPORT, "0010001W")]
    assert arbre.un("table", id="table-partenaires").lignes() == [["Fédération BTP Rhône et Métropole", "branche", "—"]]
    # map data: the seat and the members having coordinates
    points = json.loads(arbre.un("script", id="donnees-carte-campus").texte())["points"]
    assert points[0]["nature"] == "siege" and points[0]["lat"] == campus.latitude
    assert {p["id"] for p in points[1:]} == {e.uai for _, e in membres if e is not None and e.latitude is not None}


def test_fiche_campus_telechargements(web):
    arbre = page(web, f"/campus/{CAMPUS_MEMBRES}")
    membres = telecharger_csv(web, liens(arbre, "telechargements-membres")["csv"])
    assert [(m["uai"], m["role"]) for m in membres] == [
        (UAI_SUPPORT, "support"),
        ("0010001W", "membre"),
        (UAI_HORS_ANNUAIRE, "membre"),
    ]
    assert membres[2]["nom"] == "" and membres[0]["campus_id"] == CAMPUS_MEMBRES
    partenaires = telecharger_csv(web, liens(arbre, "telechargements-partenaires")["csv"])
    assert partenaires == [
        {"campus_id": CAMPUS_MEMBRES, "nom": "Fédération BTP Rhône et Métropole", "nature": "branche", "siret": ""}
    ]
    classeur = openpyxl.load_workbook(io.BytesIO(web.get(liens(arbre, "telechargements-membres")["xlsx"]).content))
    assert [c.value for c in classeur.active[1]][:3] == ["campus_id", "uai", "nom"] and classeur.active.max_row == 4
    fiche = telecharger_csv(web, liens(arbre, "telechargements-fiche")["csv"])
    assert len(fiche) == 1 and fiche[0]["id"] == CAMPUS_MEMBRES and fiche[0]["code_commune_siege"] == "69256"
    assert "tableau inconnu" in message_erreur(page(web, f"/campus/{CAMPUS_MEMBRES}?format=csv&tableau=lycees", 400))
    assert "format non pris en charge" in message_erreur(page(web, f"/campus/{CAMPUS_MEMBRES}?format=pdf", 400))


def test_fiche_campus_sans_membre(web):
    arbre = page(web, "/campus/mobicampus")
    assert arbre.un("table", id="table-membres").lignes()[0][0].startswith("Aucun établissement membre")
    assert arbre.un("table", id="table-partenaires").lignes() == [["Aucun partenaire enregistré."]]


def test_campus_inconnu(web):
    arbre = page(web, "/campus/mobicampuss", 404)
    assert arbre.un("h1").texte() == "Page introuvable"
    assert message_erreur(arbre) == "campus inconnu : mobicampuss. vouliez-vous dire : mobicampus ?"


def test_fiche_etablissement(web, url_db):
    with db.session(url_db) as s:
        etablissement = lecture.etablissement(s, UAI_SUPPORT)
    arbre = page(web, f"/etablissements/{UAI_SUPPORT}")
    assert arbre.un("h1").texte() == etablissement.nom
    lignes = arbre.un("table", id="table-campus-etablissement").lignes()
    assert len(lignes) == 1 and lignes[0][2] == "établissement support"
    assert arbre.un("table", id="table-campus-etablissement").tous("a")[0].attrs["href"] == f"/campus/{CAMPUS_MEMBRES}"
    export = telecharger_csv(web, liens(arbre, "telechargements-etablissement")["csv"])
    assert [(r["uai"], r["campus_id"], r["role"]) for r in export] == [(UAI_SUPPORT, CAMPUS_MEMBRES, "support")]
    fiche = telecharger_csv(web, liens(arbre, "telechargements-fiche")["csv"])
    assert [(r["uai"], r["nom"], r["departement"]) for r in fiche] == [(UAI_SUPPORT, etablissement.nom, "69")]


@pytest.mark.parametrize(
    ("uai", "mot"),
    [
        (UAI_HORS_ANNUAIRE, "établissement inconnu"),
        ("0690010X", "uai invalide « 0690010x »"),
        ("abc", "uai invalide « abc »"),
    ],
)
def test_etablissement_introuvable(web, uai, mot):
    assert mot in message_erreur(page(web, f"/etablissements/{uai}", 404))


# --- Filières, glossaire -------------------------------------------------------------------


def test_liste_filieres(web, url_db):
    arbre = page(web, "/filieres?date=2025-09-01")
    lignes = arbre.un("table", id="table-filieres").lignes()
    assert [lg[0] for lg in lignes] == [f.libelle for f in filieres.all()]
    with db.session(url_db) as s:
        tous, _ = lecture.lister_campus(s)
    assert sum(int(lg[2]) for lg in lignes) == len(tous)
    officiels = [a.attrs["href"] for a in arbre.un("table", id="table-filieres").tous("a", target="_blank")]
    assert officiels == [f.url for f in filieres.all()]
    export = telecharger_csv(web, liens(arbre, "telechargements-filieres")["csv"])
    assert [r["code"] for r in export] == list(filieres.codes())
    assert [int(r["nb_campus_actifs_le_2025-09-01"]) for r in export] == [int(lg[3]) for lg in lignes]


def test_page_filiere(web, url_db):
    donnees = indicateurs.filiere(TOURISME, date(2025, 9, 1), url=url_db)
    arbre = page(web, f"/filieres/{TOURISME}?date=2025-09-01")
    assert arbre.un("h1").texte() == "Tourisme, gastronomie"
    assert arbre.un("p", classe="fr-text--lead").un("a").attrs["href"] == filieres.get(TOURISME).url
    assert "secteur d'activité d'excellence" in arbre.un("div", classe="cmq-markdown").texte()
    table = arbre.un("table", id="table-campus-filiere")
    assert [a.texte() for a in table.tous("a")] == [c.nom for c in par_nom(donnees.campus)]
    assert len(table.lignes()) == donnees.nb_campus >= 5
    territoires_ = arbre.un("table", id="table-territoires-filiere").lignes()
    assert [int(lg[2]) for lg in territoires_] == [t.nb_campus for t in donnees.territoires]
    assert territoires_[0][0] == "Région académique"
    export = telecharger_csv(web, liens(arbre, "telechargements-territoires")["csv"])
    assert [(r["echelle"], r["code"]) for r in export] == [(t.echelle, t.code) for t in donnees.territoires]
    campus_csv = telecharger_csv(web, liens(arbre, "telechargements-campus-filiere")["csv"])
    assert sorted(r["id"] for r in campus_csv) == sorted(c.id for c in donnees.campus)
    domaines = arbre.un("table", id="table-domaines-formation").lignes()
    assert [lg[:2] for lg in domaines] == [
        ["221", "Agro-alimentaire, alimentation, cuisine"],
        ["334", "Accueil, hôtellerie, tourisme"],
        ["335", "Animation culturelle, sportive et de loisirs"],
    ]
    assert "propre à cmq" in " ".join(arbre.texte().split())


def test_filiere_inconnue(web):
    arbre = page(web, "/filieres/plomberie", 404)
    assert "filière inconnue" in message_erreur(arbre)
    assert "date invalide : « hier »" in message_erreur(page(web, f"/filieres/{TOURISME}?date=hier", 400))


def test_glossaire(web):
    entree = glossaire.entree("cmq")
    r = web.get("/glossaire", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/glossaire/cmq"
    arbre = page(web, "/glossaire/cmq")
    assert arbre.un("h1").texte() == "Glossaire : CMQ"
    # no raw front matter (icon, author, status): a « Sources » section instead
    assert arbre.tous("ul", id="metadonnees") == []
    for brut in (entree.icon, "Icône", entree.createdBy, "Statut"):
        assert brut not in arbre.texte(), brut
    assert arbre.un("h2", id="titre-sources").texte() == "Sources"
    assert "glossaire d’Orion" in arbre.un("p", id="sources").texte()
    corps = arbre.un("div", id="corps-glossaire")
    assert "Campus des Métiers et des Qualifications (CMQ)" in corps.un("blockquote").texte()
    assert [a.attrs["href"] for a in corps.tous("a")] == [f.url for f in filieres.all()]
    assert "---" not in corps.texte() and "Created by" not in corps.texte()
    assert "entrée de glossaire inconnue" in message_erreur(page(web, "/glossaire/inconnue", 404))


def test_markdown_sans_html_brut():
    from cmq.web.markdown import en_html

    html = en_html("**gras** <script>alert(1)</script> [lien](https://exemple.fr)")
    assert "<strong>gras</strong>" in html and '<a href="https://exemple.fr">lien</a>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- Errors --------------------------------------------------------------------------------


def test_chemin_inconnu_page_et_api(web):
    arbre = page(web, "/nulle-part", 404)
    assert message_erreur(arbre) == "page introuvable : /nulle-part"
    r = web.get("/api/nulle-part")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = web.get("/api/campus/inexistant")
    assert r.status_code == 404 and r.json()["detail"].startswith("campus inconnu")


def test_methode_non_autorisee(web):
    r = web.post("/campus")
    assert r.status_code == 405
    assert message_erreur(analyser(r.text)) == "méthode post non autorisée sur /campus"


def test_base_non_initialisee(tmp_path):
    """Pages on a database that was never initialised: a French 503 page, nothing created."""
    from cmq.serveur import creer_app

    chemin = tmp_path / "absente" / "cmq.db"
    fil, base = demarrer(creer_app(f"sqlite:///{chemin}"))
    try:
        import httpx

        r = httpx.get(f"{base}/campus", timeout=30)
    finally:
        arreter(fil)
        db.fermer_tout()
    assert r.status_code == 503 and r.headers["content-type"] == "text/html; charset=utf-8"
    arbre = analyser(r.text)
    assert arbre.un("h1").texte() == "Service indisponible"
    # the database's path (or user, host, port and name) is logged, never shown to a reader
    assert message_erreur(arbre) == "base de données indisponible : le détail a été journalisé sur le serveur"
    assert str(tmp_path) not in r.text
    assert not chemin.exists()


def test_erreur_interne_page_sans_detail(base_api):
    """An unexpected exception on a page: a French 500 page, logged, without the exception's text."""
    import httpx

    from cmq.serveur import creer_app

    app = creer_app(base_api)

    @app.get("/boum")
    def boum():
        raise RuntimeError("secret interne")

    fil, base = demarrer(app)
    try:
        r = httpx.get(f"{base}/boum", timeout=30)
        api = httpx.get(f"{base}/api/campus/mobicampus", timeout=30)
    finally:
        arreter(fil)
    assert r.status_code == 500 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "secret interne" not in r.text and "Traceback" not in r.text
    assert message_erreur(analyser(r.text)) == "erreur interne : l'incident a été journalisé sur le serveur"
    assert api.status_code == 200  # the API is untouched


# --- Issue 16: offline docs, one excellence rule, dates, sources, aliases, maps, sorting ---------


def test_docs_hors_ligne_en_francais(web):
    r = web.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    arbre = analyser(r.text)
    assert arbre.un("html").attrs["lang"] == "fr"
    scripts = [s.attrs["src"] for s in arbre.tous("script")]
    feuilles = [lien.attrs["href"] for lien in arbre.tous("link")]
    assert scripts == ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/cmq/docs.js"]
    assert "/static/vendor/swagger-ui/swagger-ui.css" in feuilles
    assert all(u.startswith("/") for u in scripts + feuilles) and "cdn" not in r.text
    assert all(not s.texte().strip() for s in arbre.tous("script")), "pas de script en ligne (CSP)"
    for chemin in (*scripts, *feuilles):
        assert web.get(chemin).status_code == 200, chemin


@pytest.mark.parametrize(
    ("chemin", "cache"),
    [
        ("/static/vendor/dsfr/dsfr.min.css", "public, max-age=604800"),
        ("/static/geo/academies.geojson", "public, max-age=604800"),
        ("/static/cmq/carte.js", "public, max-age=3600"),
    ],
)
def test_statiques_compresses_et_en_cache(web, chemin, cache):
    r = web.get(chemin, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["cache-control"] == cache
    assert r.headers["content-encoding"] == "gzip" and "accept-encoding" in r.headers["vary"].lower()
    brut = web.get(chemin, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in brut.headers and brut.content == r.content  # httpx decodes gzip
    with web.stream("GET", chemin, headers={"Accept-Encoding": "gzip"}) as flux:
        compresse = b"".join(flux.iter_raw())
    assert len(compresse) < len(brut.content) / 2


@pytest.mark.parametrize("encodage", ["identity", None])
def test_sans_gzip_reponse_telle_quelle_avec_vary(serveur_api, encodage):
    """A client that does not accept gzip (or says nothing) gets the answer as sent, with
    `Vary: Accept-Encoding` (a cache keeps the two versions apart); compressed formats get no Vary."""
    with serveur_api.client() as client:
        if encodage is None:
            del client.headers["Accept-Encoding"]
        else:
            client.headers["Accept-Encoding"] = encodage
        r = client.get("/api/campus")
        assert r.status_code == 200 and "content-encoding" not in r.headers
        assert r.headers["vary"] == "Accept-Encoding" and r.json()["total"] > 0
        police = client.get("/static/vendor/dsfr/fonts/Marianne-Regular.woff2")
        assert police.status_code == 200 and "vary" not in police.headers
        assert "content-encoding" not in police.headers and police.content[:4] == b"wOF2"


def test_vary_complete_sans_doublon():
    from cmq.web.statiques import DEJA_COMPRESSES, avec_vary

    debut = {"type": "http.response.start", "status": 200}
    json_ = [(b"content-type", b"application/json")]
    assert avec_vary({**debut, "headers": json_}, DEJA_COMPRESSES)["headers"] == [*json_, (b"vary", b"Accept-Encoding")]
    cookie = avec_vary({**debut, "headers": [*json_, (b"Vary", b"Cookie")]}, DEJA_COMPRESSES)["headers"]
    assert cookie == [*json_, (b"vary", b"Cookie, Accept-Encoding")]
    deja = {**debut, "headers": [*json_, (b"vary", b"accept-encoding")]}
    assert avec_vary(deja, DEJA_COMPRESSES) is deja
    for exclu in (
        [(b"content-type", b"font/woff2")],
        [(b"content-type", b"image/png")],
        [*json_, (b"content-encoding", b"br")],
    ):
        message = {**debut, "headers": exclu}
        assert avec_vary(message, DEJA_COMPRESSES) is message
    video = {**debut, "headers": [(b"content-type", b"video/mp4; codecs=avc1")]}
    assert avec_vary(video, ("video/*",)) is video  # a whole family excluded, as in Starlette
    assert avec_vary(video, DEJA_COMPRESSES)["headers"][-1] == (b"vary", b"Accept-Encoding")


def test_statiques_deja_compresses_non_recompresses(web):
    r = web.get("/static/vendor/dsfr/fonts/Marianne-Regular.woff2", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "content-encoding" not in r.headers
    assert r.headers["cache-control"] == "public, max-age=604800"


def test_excellence_une_seule_regle(web, url_db):
    """Oui / Non / Non renseignée partition the campuses; « non » is never an unset excellence."""
    with db.session(url_db) as s:
        tous, total = lecture.lister_campus(s)
    attendu = {
        "oui": {c.id for c in tous if c.excellence is True},
        "non": {c.id for c in tous if c.excellence is False},
        "non_renseignee": {c.id for c in tous if c.excellence is None},
    }
    assert attendu["non_renseignee"] and attendu["oui"]
    options = [o.attrs["value"] for o in page(web, "/campus").un("select", id="excellence").tous("option")]
    assert options == ["", "oui", "non", "non_renseignee"]
    for valeur, ids in attendu.items():
        arbre = page(web, f"/campus?excellence={valeur}")
        assert choisie(arbre, "excellence") == valeur
        assert int(arbre.un(id="nombre-resultats").attrs["data-total"]) == len(ids)
        export = liens(arbre, "telechargements-campus")["csv"]
        assert {r["id"] for r in telecharger_csv(web, export)} == ids, valeur
    assert parse_qs(
        urlsplit(liens(page(web, "/campus?excellence=non_renseignee"), "telechargements-campus")["csv"]).query
    ) == {
        "excellence_renseignee": ["false"],
        "format": ["csv"],
    }
    # the API agrees: false is « non », never « non renseignée »
    api = web.get("/api/campus", params={"excellence": "false", "limite": 500}).json()
    assert {c["id"] for c in api["elements"]} == attendu["non"]
    api = web.get("/api/campus", params={"excellence_renseignee": "false", "limite": 500}).json()
    assert {c["id"] for c in api["elements"]} == attendu["non_renseignee"]
    assert sum(len(ids) for ids in attendu.values()) == total


def test_tableau_de_bord_excellence_non_renseignee(web, url_db):
    jour = date(2025, 9, 1)
    with db.session(url_db) as s:
        actifs, _ = lecture.lister_campus(s, actif_le=jour)
    france = indicateurs.indicateurs("france", date=jour, url=url_db)[0]
    arbre = page(web, "/?date=2025-09-01")
    inconnus = sum(c.excellence is None for c in actifs)
    assert int(arbre.un(id="excellence-non-renseignee").attrs["data-valeur"]) == inconnus > 0
    detail = " ".join(arbre.un(id="excellence-detail").texte().split())
    assert detail.startswith(
        f"{france.nb_excellence} d’excellence, {inconnus} non renseignés sur {france.nb_campus} campus"
    )
    assert "comptée comme non" not in arbre.texte()


def test_evolution_par_filiere(web, url_db):
    arbre = page(web, "/")
    donnees = json.loads(arbre.un("script", id="donnees-evolution").texte())
    annees = donnees["annees"]
    assert annees[-1] == date.today().year and annees[0] < 2020
    france = indicateurs.evolution(annees[0], annees[-1], url=url_db)
    totaux = [sum(serie["nb"][rang] for serie in donnees["series"]) for rang in range(len(annees))]
    assert totaux == [p.nb_campus for p in france]
    lignes = arbre.un("table", id="table-evolution").lignes()
    assert lignes[-1] == ["Total", *[str(n) for n in totaux]]
    with db.session(url_db) as s:
        tous, total = lecture.lister_campus(s)
    sans_date = sum(c.date_debut_label is None for c in tous)
    assert int(arbre.un(id="evolution-sans-date").attrs["data-valeur"]) == sans_date > 0
    assert f"{sans_date} campus sur {total}" in arbre.un(id="evolution-note").texte()
    export = telecharger_csv(web, liens(arbre, "telechargements-evolution")["csv"])
    assert len(export) == len(annees) * 12
    derniere = [r for r in export if r["annee"] == str(annees[-1])]
    assert sum(int(r["nb_campus"]) for r in derniere) == totaux[-1]
    graphique = telecharger_csv(web, liens(page(web, "/?date=2025-09-01"), "telechargements-graphique-filieres")["csv"])
    assert [r["code"] for r in graphique] == list(filieres.codes())


def test_tableau_de_bord_par_academie(web, url_db):
    arbre = page(web, "/?echelle=academie&date=2025-09-01")
    carte = json.loads(arbre.un("script", id="donnees-carte").texte())
    academies = indicateurs.indicateurs("academie", date=date(2025, 9, 1), url=url_db)
    assert carte["echelle"] == "academie" and carte["geo"]["academie"] == "/static/geo/academies.geojson"
    assert {c: v["nb"] for c, v in carte["territoires"]["academie"].items()} == {a.code: a.nb_campus for a in academies}
    assert "checked" in arbre.un("input", id="echelle-academie").attrs
    assert arbre.un(id="echelle-libelle").texte() == "académie"
    assert (
        liens(arbre, "telechargements-academies")["csv"]
        == "/api/indicateurs?echelle=academie&date=2025-09-01&format=csv"
    )


def test_dates_en_annee_seule_et_saisie_jj_mm_aaaa(web):
    arbre = page(web, "/campus/mobicampus")
    identite = {
        tr.un("th").texte(): tr.un("td").texte() for tr in arbre.un("table", id="table-identite").un("tbody").tous("tr")
    }
    assert identite["Période du label"] == "depuis 2016"
    francais = page(web, "/campus?actif_le=01/09/2025")
    iso = page(web, "/campus?actif_le=2025-09-01")
    assert francais.un(id="nombre-resultats").attrs == iso.un(id="nombre-resultats").attrs
    champ = francais.un("input", id="actif_le").attrs
    assert champ["type"] == "text" and champ["value"] == "01/09/2025" and champ["placeholder"] == "JJ/MM/AAAA"
    assert "Format attendu : JJ/MM/AAAA" in francais.un("label", **{"for": "actif_le"}).texte()
    erreur = message_erreur(page(web, "/campus?actif_le=31/02/2025", 400))
    assert erreur == "date invalide : « 31/02/2025 » (format jj/mm/aaaa attendu, ex. 01/09/2025)"
    assert page(web, "/?date=01/09/2025").un(id="date-affichee").texte() == "1er septembre 2025"


def test_sources_sans_note_brute(web, url_db):
    with db.session(url_db) as s:
        campus = lecture.campus(s, "mobicampus")
    arbre = page(web, "/campus/mobicampus")
    sources = [li.texte() for li in arbre.un("ul", id="sources").tous("li")]
    assert sources[0].startswith(campus.provenance.source_nom)
    assert "aer-bfc.com" in sources and "(aer-bfc.com)" not in arbre.texte()


@pytest.mark.parametrize("alias", ["btp", "BTP", "batiment"])
def test_alias_de_filiere_redirige(web, alias):
    r = web.get(f"/filieres/{alias}?date=2025-09-01", follow_redirects=False)
    assert r.status_code == 308
    assert r.headers["location"] == "/filieres/infrastructures-batiment-eco-construction?date=2025-09-01"


def test_carte_de_la_filiere(web, url_db):
    donnees = indicateurs.filiere(TOURISME, date(2025, 9, 1), url=url_db)
    arbre = page(web, f"/filieres/{TOURISME}?date=2025-09-01&echelle=departement")
    carte = json.loads(arbre.un("script", id="donnees-carte").texte())
    assert carte["echelle"] == "departement"
    assert carte["filtres"] == {"filiere": TOURISME, "actif_le": "2025-09-01"}
    for echelle in ("region_academique", "academie", "departement"):
        attendu = {t.code: t.nb_campus for t in donnees.territoires if t.echelle == echelle}
        assert {c: v["nb"] for c, v in carte["territoires"][echelle].items()} == attendu
    assert {p["id"] for p in carte["campus"]} == {c.id for c in donnees.campus if c.latitude is not None}


def test_etablissement_depuis_son_campus(web):
    arbre = page(web, f"/etablissements/{UAI_SUPPORT}?campus={CAMPUS_MEMBRES}")
    fil = [a.texte() for a in arbre.un("nav", classe="fr-breadcrumb").tous("a")]
    assert fil[:2] == ["Accueil", "Campus"] and fil[-1].startswith("Établissement ")
    assert arbre.un("nav", classe="fr-breadcrumb").tous("a")[2].attrs["href"] == f"/campus/{CAMPUS_MEMBRES}"
    points = json.loads(arbre.un("script", id="donnees-carte-etablissement").texte())["points"]
    assert points[0]["nature"] == "etablissement" and points[0]["id"] == UAI_SUPPORT
    assert CAMPUS_MEMBRES in {p["id"] for p in points[1:]}
    # reached without campus (or from a campus it is not a member of): no campus in the breadcrumb
    for suffixe in ("", "?campus=mobicampus"):
        fil = [
            a.texte()
            for a in page(web, f"/etablissements/{UAI_SUPPORT}{suffixe}").un("nav", classe="fr-breadcrumb").tous("a")
        ]
        assert len(fil) == 2


def test_liste_campus_tri(web, url_db):
    with db.session(url_db) as s:
        tous, total = lecture.lister_campus(s, filiere=TOURISME)
    arbre = page(web, f"/campus?filiere={TOURISME}&tri=nom&ordre=decroissant")
    noms = [a.texte() for a in arbre.un("table", id="table-campus").tous("a") if a.attrs["href"].startswith("/campus/")]
    assert noms == [c.nom for c in sorted(tous, key=lambda c: normaliser(c.nom), reverse=True)]
    entete = arbre.un("th", **{"data-tri": "nom"})
    assert entete.attrs["aria-sort"] == "descending"
    assert parse_qs(urlsplit(entete.un("a").attrs["href"]).query) == {
        "filiere": [TOURISME],
        "tri": ["nom"],
        "ordre": ["croissant"],
    }
    arbre = page(web, f"/campus?filiere={TOURISME}&tri=debut")
    noms = [a.texte() for a in arbre.un("table", id="table-campus").tous("a") if a.attrs["href"].startswith("/campus/")]
    dates = [c.date_debut_label for c in sorted(tous, key=lambda c: noms.index(c.nom))]
    connues = [d for d in dates if d is not None]
    assert connues == sorted(connues) and dates[len(connues) :] == [None] * (len(dates) - len(connues))
    assert "tri invalide" in message_erreur(page(web, "/campus?tri=couleur", 400))
    assert "ordre de tri invalide" in message_erreur(page(web, "/campus?ordre=hasard", 400))


def test_liste_campus_filtres_lies_et_cartes(web):
    arbre = page(web, "/campus")
    academies = {o.attrs["value"]: o.attrs.get("data-region") for o in arbre.un("select", id="academie").tous("option")}
    assert academies["10"] == "84" and academies["27"] == "94" and academies[""] is None
    departements = {
        o.attrs["value"]: o.attrs.get("data-region") for o in arbre.un("select", id="departement").tous("option")
    }
    assert departements["69"] == "84" and departements["974"] == "04"
    cartes = arbre.un("ul", id="cartes-campus").tous("li")
    assert len(cartes) == len(arbre.un("table", id="table-campus").lignes()) == 25
    assert arbre.un("details", id="filtres-details").attrs["data-actifs"] == "non"
