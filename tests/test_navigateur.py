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
from tests.api_serveur import CAMPUS_MEMBRES, base_api, serveur_api  # noqa: F401

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


@pytest.fixture
def onglet(navigateur, serveur_api):
    """A page on the test server, with its journal checked at the end of the test."""
    contexte = navigateur.new_context(
        base_url=serveur_api.base, locale="fr-FR", accept_downloads=True, viewport={"width": 1400, "height": 1000}
    )
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
    yield page, journal
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
    assert page.url.endswith("/etablissements/0690010L")
    assert CAMPUS_MEMBRES in page.inner_html("#table-campus-etablissement")
    journal.verifier()
