"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium, never `playwright install`)
on a real uvicorn serving the embedded data plus a few members (`tests.api_serveur`).

Every request leaving 127.0.0.1 is aborted and reported: the pages must work offline. Screenshots
go to `test-artifacts/` at the repository root (git-ignored).
"""

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cmq.store import db, lecture
from tests.api_serveur import CAMPUS_MEMBRES, Serveur, arreter, base_api, demarrer, serveur_api  # noqa: F401

pytestmark = pytest.mark.navigateur

CHROMIUM = Path("/usr/bin/chromium")
OPTIONS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TOURISME = "tourisme-gastronomie"
DELAI = 15_000  # ms


@dataclass
class Journal:
    """What went wrong in the browser: console errors, script errors, failed or external requests."""

    erreurs: list[str] = field(default_factory=list)
    echecs: list[tuple[str, str]] = field(default_factory=list)
    externes: list[str] = field(default_factory=list)
    telechargements: list[str] = field(default_factory=list)
    base: str = ""  # kind of database served: names the screenshots

    def echec(self, requete) -> None:
        self.echecs.append((requete.url, requete.failure))

    def verifier(self) -> None:
        """No error, no failed request (a download is reported as aborted once handed over: not a failure)."""
        assert self.erreurs == [], self.erreurs
        echecs = [
            (url, motif)
            for url, motif in self.echecs
            if not (motif == "net::ERR_ABORTED" and url in self.telechargements)
        ]
        assert echecs == [], echecs
        assert self.externes == [], self.externes


@pytest.fixture(scope="module")
def navigateur():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium introuvable (/usr/bin/chromium) : le paquet Debian chromium doit être installé en CI")
        pytest.skip("Chromium introuvable (/usr/bin/chromium) : installez le paquet Debian « chromium »")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        navigateur = playwright.chromium.launch(executable_path=str(CHROMIUM), args=OPTIONS)
        yield navigateur
        navigateur.close()


BUREAU = {"viewport": {"width": 1366, "height": 900}}
MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TAILLES = {"bureau": BUREAU, "mobile": MOBILE}


def ouvrir_onglet(navigateur, serveur_api, taille: dict):
    """A browser context of the given size on the test server; every request leaving 127.0.0.1 is
    aborted and recorded. Returns (context, page, journal)."""
    contexte = navigateur.new_context(base_url=serveur_api.base, locale="fr-FR", accept_downloads=True, **taille)
    journal = Journal()
    hote = urlsplit(serveur_api.base).netloc

    def filtrer(route):
        if urlsplit(route.request.url).netloc == hote:
            route.continue_()
        else:
            journal.externes.append(route.request.url)
            route.abort()

    contexte.route("**/*", filtrer)
    page = contexte.new_page()
    page.set_default_timeout(DELAI)
    page.on("console", lambda m: m.type == "error" and journal.erreurs.append(m.text))
    page.on("pageerror", lambda e: journal.erreurs.append(str(e)))
    page.on("download", lambda d: journal.telechargements.append(d.url))
    page.on("requestfailed", journal.echec)
    page.on("response", lambda r: r.status >= 400 and journal.echecs.append((r.url, f"HTTP {r.status}")))
    journal.base = urlsplit(serveur_api.url_db).scheme.split("+")[0]
    return contexte, page, journal


@pytest.fixture
def onglet(navigateur, serveur_api):
    """A desktop page on the test server, with its journal checked by the test."""
    contexte, page, journal = ouvrir_onglet(navigateur, serveur_api, BUREAU)
    yield page, journal
    contexte.close()


@pytest.fixture(params=list(TAILLES))
def onglet_taille(request, navigateur, serveur_api):
    """The same, at both sizes: desktop 1366×900 and phone 390×844 (touch)."""
    contexte, page, journal = ouvrir_onglet(navigateur, serveur_api, TAILLES[request.param])
    journal.base = f"{journal.base}_{request.param}"
    yield page, journal, request.param
    contexte.close()


def capture(page, journal: Journal, nom: str) -> None:
    """Full-page screenshot in test-artifacts/, named after the test and the database (sqlite, postgresql)."""
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{nom}_{journal.base}.png"), full_page=True)


def test_accueil_carte_et_graphique(onglet):
    page, journal = onglet
    page.goto("/")
    page.wait_for_selector('#carte[data-etat="prete"][data-echelle="region_academique"]')
    assert page.title().startswith("Tableau de bord")
    # map: the 18 régions (mainland map) plus the 5 overseas insets, and the campus seats
    assert page.locator("#carte path.cmq-territoire").count() == 18
    assert page.locator("path.leaflet-interactive").count() >= 18
    assert page.locator("#encarts .cmq-encart").count() == 5
    assert page.locator("#encarts path.cmq-territoire").count() == 5
    places = int(page.inner_text("#nb-places"))
    assert places > 0 and page.locator("#carte path.cmq-point--siege").count() == places
    remplissages = page.eval_on_selector_all("#carte path.cmq-territoire", "ps => ps.map(p => p.getAttribute('fill'))")
    assert len(set(remplissages)) >= 3, remplissages  # a real choropleth, not a flat fill
    assert "Campus par région académique" in page.inner_text(".cmq-legende")
    # chart: 12 bars whose total is the number of campuses shown in the key figures
    nb_campus = int(page.get_attribute("#chiffre-campus .cmq-chiffre", "data-valeur"))
    graphique = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('graphique-filieres'));
        return {donnees: chart.data.datasets[0].data, etiquettes: chart.data.labels,
                largeurs: chart.getDatasetMeta(0).data.map((barre) => Math.abs(barre.width))};
    }""")
    assert len(graphique["donnees"]) == 12 and sum(graphique["donnees"]) == nb_campus > 50
    assert graphique["etiquettes"][0] == "Mobilité" and graphique["etiquettes"][-1] == "Numérique"
    assert all((largeur > 0) == (n > 0) for largeur, n in zip(graphique["largeurs"], graphique["donnees"], strict=True))
    capture(page, journal, "accueil_regions")
    journal.verifier()


def test_accueil_bascule_departements(onglet):
    page, journal = onglet
    page.goto("/")
    page.wait_for_selector('#carte[data-etat="prete"]')
    page.click('label[for="echelle-departement"]')
    page.wait_for_selector('#carte[data-etat="prete"][data-echelle="departement"]')
    assert page.locator("#carte path.cmq-territoire").count() >= 96
    assert page.locator("#encarts path.cmq-territoire").count() == 5
    assert page.inner_text("#echelle-libelle") == "département"
    assert "Campus par département" in page.inner_text(".cmq-legende")
    assert "echelle=departement" in page.url
    capture(page, journal, "accueil_departements")
    journal.verifier()


def test_liste_filtree_campus_et_telechargement(onglet, serveur_api, tmp_path):
    with db.session(serveur_api.url_db) as s:
        total = lecture.lister_campus(s)[1]
        attendus = lecture.lister_campus(s, filiere=TOURISME)[1]
    page, journal = onglet
    page.goto("/campus")
    assert page.inner_text("#nombre-resultats").startswith(f"{total} campus")
    page.select_option("#filiere", TOURISME)
    with page.expect_navigation():
        page.click("#bouton-filtrer")
    assert f"filiere={TOURISME}" in page.url
    lignes = page.locator("#table-campus tbody tr")
    assert lignes.count() == attendus >= 5 and page.get_attribute("#nombre-resultats", "data-total") == str(attendus)
    assert set(page.locator("#table-campus tbody tr td:nth-child(2)").all_inner_texts()) == {"Tourisme"}
    ids = [
        href.rsplit("/", 1)[1]
        for href in page.eval_on_selector_all(
            "#table-campus tbody tr td:first-child a", "as => as.map(a => a.getAttribute('href'))"
        )
    ]
    capture(page, journal, "campus_filtres")
    # download the CSV export of the filtered list: same campuses
    with page.expect_download() as attente:
        page.click('#telechargements-campus a[data-format="csv"]')
    fichier = tmp_path / attente.value.suggested_filename
    attente.value.save_as(fichier)
    assert fichier.name == "campus.csv"
    lignes_csv = list(csv.DictReader(io.StringIO(fichier.read_text(encoding="utf-8"))))
    assert sorted(r["id"] for r in lignes_csv) == sorted(ids)
    assert {r["filiere"] for r in lignes_csv} == {TOURISME}
    # open the first campus of the list
    premier = page.locator("#table-campus tbody tr td:first-child a").first
    nom = premier.inner_text()
    with page.expect_navigation():
        premier.click()
    assert page.inner_text("h1") == nom
    journal.verifier()


def test_fiche_campus_membres_et_carte(onglet):
    page, journal = onglet
    page.goto(f"/campus/{CAMPUS_MEMBRES}")
    assert page.title().startswith("Campus des métiers et des qualifications Urbanisme et Construction")
    membres = page.locator("#table-membres tbody tr")
    assert membres.count() == 3
    assert membres.first.locator("td").first.inner_text() == "0690010L"
    page.wait_for_selector('#carte-campus[data-etat="prete"]')
    assert page.locator("#carte-campus path.cmq-point--siege").count() == 1
    assert page.locator("#carte-campus path.cmq-point--membre").count() >= 1
    assert page.locator("#carte-campus path.cmq-territoire").count() >= 96
    capture(page, journal, "campus_fiche")
    with page.expect_navigation():
        membres.first.locator("a").click()
    assert page.url.endswith(f"/etablissements/0690010L?campus={CAMPUS_MEMBRES}")
    assert CAMPUS_MEMBRES in page.inner_html("#table-campus-etablissement")
    journal.verifier()


# --- Issue 16: every page at both sizes, axe-core, keyboard, French map controls, mobile ---------

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PAGES_APP = [
    "/",
    "/?echelle=academie",
    "/campus",
    f"/campus?filiere={TOURISME}&excellence=non_renseignee",
    f"/campus/{CAMPUS_MEMBRES}",
    "/campus/mobicampus",
    f"/etablissements/0690010L?campus={CAMPUS_MEMBRES}",
    "/filieres",
    f"/filieres/{TOURISME}",
    "/glossaire/cmq",
    "/campus/inexistant",
]


def attendre_rendu(page) -> None:
    """Wait until every map of the page has drawn its shapes and every chart is drawn."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        """() => [...document.querySelectorAll('#carte, [data-carte="points"]')]
                   .every((c) => c.dataset.etat === 'prete')
             && [...document.querySelectorAll('canvas')].every((c) => c.dataset.etat === 'pret')"""
    )


def violations_axe(page) -> list[str]:
    """axe-core (vendored from npm) on the page: one line per violation and node."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    resultats = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}) : {n['target']}" for v in resultats["violations"] for n in v["nodes"]]


def largeur_du_document(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("chemin", PAGES_APP)
def test_page_accessible_sans_debordement_ni_requete_externe(onglet_taille, chemin):
    page, journal, taille = onglet_taille
    hotes = []
    page.on("request", lambda r: hotes.append(urlsplit(r.url).hostname))
    page.goto(chemin)
    attendre_rendu(page)
    assert page.get_attribute("html", "lang") == "fr"
    largeur, fenetre = largeur_du_document(page)
    assert largeur <= fenetre, f"{chemin} : {largeur} px de large pour {fenetre} px"
    assert "survolez" not in page.inner_text("body").lower()
    debordants = page.evaluate(
        """() => [...document.querySelectorAll('.cmq-telechargements .fr-btn')]
              .filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => b.textContent.trim())"""
    )
    assert debordants == []
    assert violations_axe(page) == []
    assert hotes and set(hotes) == {"127.0.0.1"}, set(hotes)
    journal.erreurs = [e for e in journal.erreurs if "404" not in e or chemin != "/campus/inexistant"]
    journal.echecs = [(u, m) for u, m in journal.echecs if not u.endswith("/campus/inexistant")]
    capture(page, journal, "page" + chemin.replace("/", "_").replace("?", "_").replace("&", "_").replace("=", "-"))
    journal.verifier()


def test_docs_hors_ligne(onglet_taille):
    page, journal, _taille = onglet_taille
    page.goto("/docs")
    page.wait_for_selector('#swagger-ui[data-etat="pret"]')
    page.wait_for_selector(".opblock")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator(".opblock").count() >= 10
    assert "/api/campus" in page.inner_text("#swagger-ui")
    capture(page, journal, "docs")
    journal.verifier()


def test_carte_mobile_legende_hors_de_la_carte(onglet_taille):
    page, journal, taille = onglet_taille
    page.goto("/")
    attendre_rendu(page)
    carte = page.locator("#carte").bounding_box()
    legende = page.locator("#carte-legende").bounding_box()
    assert page.locator("#carte .cmq-legende, #carte #carte-legende").count() == 0
    assert legende["y"] >= carte["y"] + carte["height"]  # below the map, never over Occitanie
    assert "Campus par région académique" in page.inner_text("#carte-legende")
    journal.verifier()


def test_carte_commandes_et_popup_en_francais(onglet_taille):
    page, journal, _taille = onglet_taille
    page.goto(f"/campus/{CAMPUS_MEMBRES}")
    attendre_rendu(page)
    assert page.get_attribute("#carte-campus .leaflet-control-zoom-in", "title") == "Zoom avant"
    assert page.get_attribute("#carte-campus .leaflet-control-zoom-out", "title") == "Zoom arrière"
    assert "Zoom in" not in page.content() and "Close popup" not in page.content()
    # keyboard: a point is a Tab stop, Enter opens its popup like a click
    siege = page.locator("#carte-campus path.cmq-point--siege")
    siege.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#carte-campus .leaflet-popup")
    # the map pans to show the popup (0.25 s, longer on a loaded machine): measure and click once still
    page.wait_for_selector("#carte-campus .leaflet-pan-anim", state="detached")
    fermer = page.locator("#carte-campus .leaflet-popup-close-button")
    assert (
        fermer.get_attribute("aria-label") == "Fermer la fenêtre"
        and fermer.get_attribute("title") == "Fermer la fenêtre"
    )
    popup = page.locator("#carte-campus .leaflet-popup-content-wrapper").bounding_box()
    zoom = page.locator("#carte-campus .leaflet-control-zoom").bounding_box()
    # the whole popup, close button included, inside the map (a phone's map is narrower than 300 px)
    carte = page.locator("#carte-campus").bounding_box()
    for boite in (popup, fermer.bounding_box()):
        assert carte["x"] <= boite["x"] and boite["x"] + boite["width"] <= carte["x"] + carte["width"], (boite, carte)
        assert carte["y"] <= boite["y"] and boite["y"] + boite["height"] <= carte["y"] + carte["height"], (boite, carte)
    chevauche = not (
        popup["x"] >= zoom["x"] + zoom["width"]
        or zoom["x"] >= popup["x"] + popup["width"]
        or popup["y"] >= zoom["y"] + zoom["height"]
        or zoom["y"] >= popup["y"] + popup["height"]
    )
    assert not chevauche, (popup, zoom)
    assert page.locator("#carte-campus .leaflet-popup-content a").get_attribute("href") == f"/campus/{CAMPUS_MEMBRES}"
    fermer.click()
    page.wait_for_selector("#carte-campus .leaflet-popup", state="detached")
    journal.verifier()


def test_carte_clavier_territoires_hors_tabulation_et_lien_passer(onglet):
    page, journal = onglet
    page.goto("/?echelle=departement")
    attendre_rendu(page)
    assert page.locator("#carte path.cmq-territoire").count() >= 96
    arrets = page.evaluate(
        """() => [...document.querySelectorAll('#carte *, #encarts *')]
              .filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length)
              .map((e) => e.className.baseVal ?? e.className)"""
    )
    assert len(arrets) <= 4, arrets  # zoom in, zoom out, attribution link: no territory, no point
    page.focus("#passer-carte")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "apres-carte"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('#carte') === null")
    journal.verifier()


def test_carte_par_academie(onglet):
    page, journal = onglet
    page.goto("/")
    attendre_rendu(page)
    page.click('label[for="echelle-academie"]')
    page.wait_for_selector('#carte[data-etat="prete"][data-echelle="academie"]')
    assert page.locator("#carte path.cmq-territoire").count() == 30
    assert page.locator("#encarts path.cmq-territoire").count() == 5
    assert page.inner_text("#echelle-libelle") == "académie"
    assert "Campus par académie" in page.inner_text("#carte-legende")
    # a click on a territory opens its list of campuses (académies in code order: Toulouse is the 15th)
    with page.expect_navigation():
        page.locator("#carte path.cmq-territoire").nth(14).dispatch_event("click")
    assert "/campus?academie=16&actif_le=" in page.url
    journal.verifier()


def test_nombres_alignes_a_droite_et_dates_saisies_en_francais(onglet):
    page, journal = onglet
    page.goto("/?date=2025-09-01")
    attendre_rendu(page)
    alignements = page.eval_on_selector_all(
        "td.cmq-nombre", "cs => [...new Set(cs.map((c) => getComputedStyle(c).textAlign))]"
    )
    assert alignements == ["right"]
    champ = page.locator("#date")
    assert champ.get_attribute("type") == "text" and champ.input_value() == "01/09/2025"
    champ.fill("15/03/2024")
    with page.expect_navigation():
        page.click("#formulaire-tableau-de-bord button[type=submit]")
    assert page.inner_text("#date-affichee") == "15 mars 2024"
    journal.verifier()


def test_graphique_evolution_et_tableau(onglet):
    page, journal = onglet
    page.goto("/")
    attendre_rendu(page)
    graphique = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('graphique-evolution'));
        return {annees: chart.data.labels, series: chart.data.datasets.map((d) => d.data)};
    }""")
    totaux = [sum(serie[i] for serie in graphique["series"]) for i in range(len(graphique["annees"]))]
    ligne_total = page.locator("#table-evolution tbody tr").last.locator("td").all_inner_texts()
    assert [int(n) for n in ligne_total] == totaux and totaux[-1] > 50
    assert page.get_attribute("#graphique-evolution", "aria-label").endswith(
        "(données dans le tableau « Campus par année et par filière »)"
    )
    journal.verifier()


def test_liste_campus_mobile_cartes_et_filtres_replies(onglet_taille):
    page, journal, taille = onglet_taille
    page.goto("/campus")
    details = page.locator("#filtres-details")
    if taille == "mobile":
        assert not page.is_visible("#table-campus") and page.is_visible("#cartes-campus")
        assert page.locator("#cartes-campus > li").count() == 25
        assert details.get_attribute("open") is None and not page.is_visible("#filiere")
        page.click("#filtres-resume")
        assert page.is_visible("#filiere")
    else:
        assert page.is_visible("#table-campus") and not page.is_visible("#cartes-campus")
        assert details.get_attribute("open") is not None and page.is_visible("#filiere")
    # linked filters: a région académique keeps only its académies
    page.select_option("#region_academique", "84")
    visibles = page.eval_on_selector_all(
        "#academie option", "os => os.filter((o) => !o.disabled && o.value).map((o) => o.value)"
    )
    assert sorted(visibles) == ["06", "08", "10"]
    page.select_option("#academie", "10")
    page.select_option("#region_academique", "76")
    assert page.input_value("#academie") == ""
    largeur, fenetre = largeur_du_document(page)
    assert largeur <= fenetre
    journal.verifier()


def test_liste_campus_tri_par_colonne(onglet):
    page, journal = onglet
    page.goto(f"/campus?filiere={TOURISME}")
    noms = page.locator("#table-campus tbody tr td:first-child a").all_inner_texts()
    assert page.get_attribute('th[data-tri="nom"]', "aria-sort") == "ascending"
    with page.expect_navigation():
        page.click('th[data-tri="nom"] a')
    assert "tri=nom" in page.url and "ordre=decroissant" in page.url and f"filiere={TOURISME}" in page.url
    assert page.locator("#table-campus tbody tr td:first-child a").all_inner_texts() == noms[::-1]
    assert page.get_attribute('th[data-tri="nom"]', "aria-sort") == "descending"
    journal.verifier()


def test_fil_d_ariane_etablissement_par_le_campus(onglet):
    page, journal = onglet
    page.goto(f"/campus/{CAMPUS_MEMBRES}")
    attendre_rendu(page)  # leave once the map has loaded its shapes (no request aborted by the click)
    nom = page.inner_text("h1")
    with page.expect_navigation():
        page.locator("#table-membres tbody tr").first.locator("a").click()
    attendre_rendu(page)
    fil = page.locator(".fr-breadcrumb__list li").all_inner_texts()
    assert fil[:3] == ["Accueil", "Campus", nom] and fil[-1].startswith("Établissement ")
    assert page.locator("#carte-etablissement path.cmq-point--etablissement").count() == 1
    assert page.locator("#carte-etablissement path.cmq-point--siege").count() >= 1
    journal.verifier()


def test_carte_de_la_filiere(onglet):
    page, journal = onglet
    page.goto(f"/filieres/{TOURISME}?date=2025-09-01")
    attendre_rendu(page)
    remplis = page.eval_on_selector_all(
        "#carte path.cmq-territoire", "ps => ps.filter((p) => p.getAttribute('fill') !== '#ffffff').length"
    )
    presentes = page.locator("#table-territoires-filiere tbody tr", has_text="Région académique").count()
    assert remplis >= presentes > 0
    assert page.locator("#carte path.cmq-point--siege").count() >= 1
    with page.expect_navigation():
        page.goto("/filieres/btp")
    assert page.url.endswith("/filieres/infrastructures-batiment-eco-construction")
    journal.verifier()


CSP_STRICTE = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


@pytest.fixture(scope="module")
def serveur_csp(serveur_api):
    """The application on the same database, every answer with a same-origin-only CSP."""
    from starlette.middleware.base import BaseHTTPMiddleware

    from cmq.serveur import creer_app

    async def politique(requete, suivant):
        reponse = await suivant(requete)
        reponse.headers["Content-Security-Policy"] = CSP_STRICTE
        return reponse

    app = creer_app(serveur_api.url_db)
    app.add_middleware(BaseHTTPMiddleware, dispatch=politique)
    fil, base = demarrer(app)
    yield Serveur(base=base, url_db=serveur_api.url_db, jeton=serveur_api.jeton)
    arreter(fil)


@pytest.mark.parametrize("chemin", ["/", f"/campus/{CAMPUS_MEMBRES}", f"/filieres/{TOURISME}", "/campus", "/docs"])
def test_pages_sous_csp_stricte(navigateur, serveur_csp, chemin):
    """No inline script, style or event handler: the pages work under a same-origin-only CSP
    (a violation is reported as a console error)."""
    contexte, page, journal = ouvrir_onglet(navigateur, serveur_csp, BUREAU)
    try:
        page.goto(chemin)
        if chemin == "/docs":
            page.wait_for_selector('#swagger-ui[data-etat="pret"]')
        else:
            attendre_rendu(page)
        page.wait_for_load_state("networkidle")
        journal.verifier()
        # the policy is really enforced: an inline script is refused and reported
        bloque = page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.cmqEnLigne = 1';
            document.head.appendChild(s);
            return window.cmqEnLigne === undefined;
        }""")
        assert bloque
        page.wait_for_timeout(100)
        assert any("Content Security Policy" in e for e in journal.erreurs), journal.erreurs
    finally:
        contexte.close()


def test_audit_des_demandes_depose(onglet, serveur_api, tmp_path):
    """The audit form in a real browser: file and token typed in, the result shown, accessible."""
    from tests import orion_export as orion

    page, journal = onglet
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    page.goto("/demandes/audit")
    page.set_input_files("#fichier", str(chemin))
    page.fill("#jeton", serveur_api.jeton)
    page.click("#bouton-auditer")
    page.wait_for_selector("#table-signalees")
    assert "cmq_possible: aeronautique-et-du-spatial-occitanie" in page.inner_text("#table-signalees")
    assert "Bretagne (53)" in page.inner_text("#table-territoires-audit")
    assert violations_axe(page) == []
    capture(page, journal, "audit_demandes")
    journal.verifier()


def test_audit_des_demandes_telecharge_ou_conserve(onglet, serveur_api, tmp_path, monkeypatch):
    """The second button downloads the audited workbook and keeps nothing; the box keeps it and links to it."""
    import openpyxl

    from tests import orion_export as orion

    donnees = tmp_path / "donnees"
    monkeypatch.setenv("CMQ_DATA_DIR", str(donnees))  # read by the server on each request
    page, journal = onglet
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    page.goto("/demandes/audit")
    page.set_input_files("#fichier", str(chemin))
    page.fill("#jeton", serveur_api.jeton)
    assert not page.is_checked("#conserver")
    with page.expect_download() as attente:
        page.click("#bouton-telecharger")
    fichier = tmp_path / attente.value.suggested_filename
    attente.value.save_as(fichier)
    assert fichier.name == f"{orion.NOM}_audit.xlsx"
    classeur = openpyxl.load_workbook(fichier, read_only=True)
    assert classeur.sheetnames == ["audit", "synthese", "territoires"]
    classeur.close()
    assert not donnees.exists()
    # the same form, the box ticked (its label clicked, as a person does): kept, and a link to it
    page.click("label[for=conserver]")
    assert page.is_checked("#conserver")
    page.click("#bouton-auditer")
    page.wait_for_selector("#audit-conserve")
    lien = page.get_attribute("#lien-conserve", "href")
    assert [p.name for p in (donnees / "audits").glob("*.xlsx")] == [lien.rsplit("/", 1)[1]]
    assert violations_axe(page) == []
    capture(page, journal, "audit_demandes_conserve")
    journal.verifier()
