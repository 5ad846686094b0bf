"""`/api/indicateurs` from the in-memory snapshot: rows re-dated from the JSON of their set of valid
campuses (`gabarit_json`, `dater`), plain requests answered before the routing (`IndicateursRapides`),
the valid campuses of a date found by bisection (`Instantane.actifs`). Each is checked against the
plain computation: the same bytes."""

from datetime import date, timedelta

import pytest

from cmq import indicateurs
from cmq.api import routes_indicateurs
from cmq.api.cache import etag
from cmq.curation import modifier_campus
from cmq.store.historique import ACTEUR_LOCAL
from tests.asgi import appeler

CHEMIN = "/api/indicateurs"


@pytest.fixture(scope="module")
def url_embarquee(tmp_path_factory) -> str:
    """A SQLite database initialised with the embedded directory."""
    from cmq.init import initialiser

    url = f"sqlite:///{tmp_path_factory.mktemp('indicateurs-rapides') / 'cmq.db'}"
    initialiser(url)
    return url


def jours_limites(url: str) -> list[date]:
    """Every first and last day of a label, the days around them, and days far before and after."""
    campus = indicateurs.instantane(url).campus
    bornes = {c.debut for c in campus if c.debut} | {c.fin for c in campus if c.fin}
    assert len(bornes) >= 5  # the embedded directory has dated labels
    jours = {j + timedelta(days=d) for j in bornes for d in (-1, 0, 1)}
    return sorted(jours | {date(1900, 1, 1), date(2999, 12, 31), date.today()})


def test_actifs_par_bissection_comme_filtre(url_embarquee):
    inst = indicateurs.instantane(url_embarquee)
    for jour in jours_limites(url_embarquee):
        attendu = tuple(i for i, c in enumerate(inst.campus) if c.actif_le(jour))
        assert inst.actifs(jour) == attendu, jour
    for jour in (date.min, date.max):  # a label without a start (or an end) is valid then
        assert inst.actifs(jour) == tuple(i for i, c in enumerate(inst.campus) if c.actif_le(jour))
    assert inst.actifs(date.min) and len(inst.actifs(date.min)) < len(inst.campus)


@pytest.mark.parametrize("echelle", ["france", "region_academique", "academie", "departement"])
def test_lignes_redatees_identiques_au_calcul(url_embarquee, echelle):
    """For every day around a label bound: the rows re-dated from another day's JSON with the same
    valid campuses are the JSON computed for that day."""
    inst = indicateurs.instantane(url_embarquee)
    gabarits: dict[tuple, tuple[bytes, ...]] = {}
    reutilises = 0
    for jour in jours_limites(url_embarquee):
        calcule = routes_indicateurs._JSON.dump_json(indicateurs.indicateurs(echelle, None, jour, url=url_embarquee))
        gabarit = gabarits.get(inst.actifs(jour))
        if gabarit is None:
            gabarit = gabarits[inst.actifs(jour)] = routes_indicateurs.gabarit_json(calcule, jour)
            assert gabarit is not None and len(gabarit) == calcule.count(b'"echelle":') + 1
        else:
            reutilises += 1
        assert routes_indicateurs.dater(gabarit, jour) == calcule, jour
    assert reutilises > 0 and len(gabarits) > 2


def test_gabarit_refuse_si_date_introuvable():
    assert routes_indicateurs.gabarit_json(b"[]", date(2025, 1, 1)) is None
    ligne = b'{"echelle":"france","date":"2025-01-01"}'
    assert routes_indicateurs.gabarit_json(b"[" + ligne + b"]", date(2025, 1, 2)) is None
    assert routes_indicateurs.gabarit_json(b"[" + ligne + b"]", date(2025, 1, 1)) == (
        b'[{"echelle":"france",',
        b"}]",
    )


REQUETES = [
    "",
    "echelle=academie",
    "echelle=academie&date=2025-03-01",
    "echelle=academie&date=1900-01-01",
    "echelle=region_academique&date=2031-12-31",
    "echelle=departement&date=2024-09-01&format=json",
    "echelle=academie&code=10",
    "echelle=academie&code=Lyon&date=2025-03-01",
    "echelle=academie&code=",
    "echelle=academie&code=Atlantide",  # unknown territory: the route's problem
    "echelle=academie&code=" + "x" * 201,  # too long: 422
    "echelle=monde",  # unknown scale: 422
    "echelle=",
    "echelle=academie&echelle=france",  # repeated
    "echelle=academie&date=2025-02-30",
    "echelle=academie&date=20250301",
    "echelle=academie&date=",
    "echelle=academie&date=2025-03-01T00:00:00",
    "echelle=academie&format=csv",  # exports: the route
    "echelle=academie&au=2025-03-01",  # the directory at a past date: the route
    "echelle=academie&inconnu=1",  # ignored by the route
    "echelle=acad%C3%A9mie",
    "echelle=%FF%FE",
]


def _les_deux(app, monkeypatch, chaine: str, entetes=()) -> tuple[tuple, tuple, bool]:
    """(answer with the fast paths, answer of the route serialising its rows, answered directly)."""
    direct = []
    vraie = routes_indicateurs.parametres_simples

    def espion(scope):
        parametres = vraie(scope)
        direct.append(parametres is not None)
        return parametres

    with monkeypatch.context() as m:
        m.setattr(routes_indicateurs, "parametres_simples", espion)
        rapide = appeler(app, CHEMIN, chaine, entetes)
    with monkeypatch.context() as m:
        m.setattr(routes_indicateurs, "parametres_simples", lambda scope: None)
        m.setattr(routes_indicateurs, "depuis_instantane", _sans_instantane)
        lente = appeler(app, CHEMIN, chaine, entetes)
    return rapide, lente, any(direct)


async def _sans_instantane(*args):
    return None


def test_reponse_directe_identique_a_la_route(url_embarquee, monkeypatch):
    """Every request: the same status, headers and body whether answered before the routing (from
    the re-dated JSON) or by the route serialising its rows; the plain ones were answered directly."""
    from cmq.serveur import creer_app

    app = creer_app(url_embarquee)
    jours = [f"echelle=academie&date={j.isoformat()}" for j in jours_limites(url_embarquee)[:40]]
    directes = 0
    for chaine in REQUETES + jours:
        app.state.cache = type(app.state.cache)()  # no answer kept from the other path
        rapide, lente, direct = _les_deux(app, monkeypatch, chaine)
        assert rapide == lente, chaine
        directes += direct
    assert directes >= 8 + len(jours)
    statut, _, corps = appeler(app, CHEMIN, "echelle=academie&code=Atlantide")
    assert statut == 422 and "Atlantide" in corps.decode()


def test_reponse_directe_304_et_etag(url_embarquee, monkeypatch):
    from cmq.serveur import creer_app

    app = creer_app(url_embarquee)
    statut, entetes, corps = appeler(app, CHEMIN, "echelle=academie&date=2025-03-01")
    balise = dict(entetes)[b"etag"]
    assert statut == 200 and balise.decode() == etag(corps)
    app.state.cache = type(app.state.cache)()  # not from the answers kept by URL (`CacheURL`)
    rapide, lente, direct = _les_deux(
        app, monkeypatch, "echelle=academie&date=2025-03-01", ((b"if-none-match", balise),)
    )
    assert direct and rapide == lente and rapide[0] == 304 and rapide[2] == b""


def test_apres_une_ecriture_les_lignes_suivent(tmp_path, monkeypatch):
    """A label shortened by an edit: the next requests at a date after its new end no longer count
    that campus (the JSON kept per set of valid campuses follows the data version)."""
    from cmq.init import initialiser
    from cmq.serveur import creer_app

    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    initialiser(url)
    app = creer_app(url)
    inst = indicateurs.instantane(url)
    campus = next(
        c for c in inst.campus if c.debut is not None and (c.fin is None or c.fin > c.debut + timedelta(days=30))
    )
    jour = campus.debut + timedelta(days=20)
    chaine = f"echelle=france&date={jour.isoformat()}"
    avant = appeler(app, CHEMIN, chaine)
    assert campus.id.encode() in avant[2]
    modifier_campus(
        campus.id,
        {"date_fin_label": (campus.debut + timedelta(days=10)).isoformat()},
        acteur=ACTEUR_LOCAL,
        source="https://exemple.fr/arrete",
        url=url,
    )
    apres, lente, direct = _les_deux(app, monkeypatch, chaine)
    assert direct and apres == lente and apres[0] == 200
    assert campus.id.encode() not in apres[2]
    indicateurs.instantane(url)  # rebuilt: the next answer comes from memory, the same
    assert appeler(app, CHEMIN, chaine) == apres
