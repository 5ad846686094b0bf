"""The multi-user write path on a real uvicorn server, SQLite and PostgreSQL: 50 reader threads query
the API while a CLI import (another process) holds its transaction open, then while imports and
campus edits go through. No reader error; every read completes while the import is still open
(checked by the import's state, never by timing)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from urllib.parse import quote

import httpx

from tests.api_serveur import base_api, serveur_api, serveur_api_ecriture  # noqa: F401
from tests.test_concurrence import Processus, fichier_campus

LECTEURS = 50
REQUETES_PAR_LECTEUR = 6


def chemins(n: int, graine: int) -> list[str]:
    """Reads of every kind, each distinct where it matters (new dates, new mentions)."""
    jour = date(1990, 1, 1) + timedelta(days=graine * 100)
    sortie = []
    for i in range(n):
        sortie += [
            "/api/campus?limite=20",
            f"/api/campus?decalage={i}&limite=5",
            f"/api/indicateurs?echelle=academie&date={(jour + timedelta(days=i)).isoformat()}",
            f"/api/resolution?nom={quote(f'campus aeronotique {graine} {i}')}",
            f"/api/filieres/recherche?q={quote(f'batiment {graine} {i}')}",
        ]
    return sortie[:n]


def lire(base: str, graine: int, erreurs: list[str]) -> int:
    """One reader: its requests on its own connection; failures go to `erreurs`. Returns the count done."""
    faites = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        for chemin in chemins(REQUETES_PAR_LECTEUR, graine):
            try:
                r = client.get(chemin)
                if r.status_code != 200:
                    erreurs.append(f"{r.status_code} {chemin} {r.text[:200]}")
            except httpx.HTTPError as erreur:
                erreurs.append(f"{type(erreur).__name__} {chemin}")
            faites += 1
    return faites


def lecteurs(base: str, erreurs: list[str]) -> int:
    with ThreadPoolExecutor(LECTEURS) as pool:
        return sum(pool.map(lambda g: lire(base, g, erreurs), range(LECTEURS)))


def test_lecteurs_jamais_bloques_par_un_import_ouvert(serveur_api_ecriture, tmp_path):
    url = serveur_api_ecriture.url_db
    with httpx.Client(base_url=serveur_api_ecriture.base, timeout=60) as client:
        avant = client.get("/api/campus", params={"limite": 500}).json()["total"]
    fin = tmp_path / "fin-de-pause"  # the import holds its transaction until the test creates this file
    importation = Processus(
        url,
        "importer",
        "csv",
        str(fichier_campus(tmp_path / "a.csv", "ouvert", 5)),
        CMQ_TEST_PAUSE_IMPORT="120",
        CMQ_TEST_PAUSE_FIN=str(fin),
    )
    importation.attendre_pause()  # rows written, transaction open, import lock held
    try:
        erreurs: list[str] = []
        assert lecteurs(serveur_api_ecriture.base, erreurs) == LECTEURS * REQUETES_PAR_LECTEUR
        assert erreurs == []
        assert importation.p.poll() is None  # every read completed while the import was still open
        with httpx.Client(base_url=serveur_api_ecriture.base, timeout=60) as client:
            assert client.get("/api/campus", params={"limite": 500}).json()["total"] == avant  # not committed
    except BaseException:
        importation.tuer()
        raise
    fin.touch()
    code, _, sortie = importation.terminer()
    assert code == 0, sortie
    with httpx.Client(base_url=serveur_api_ecriture.base, timeout=60) as client:  # committed: seen at once
        assert client.get("/api/campus", params={"limite": 500}).json()["total"] == avant + 5


def test_imports_et_modifications_pendant_les_lectures(serveur_api_ecriture, tmp_path):
    serveur = serveur_api_ecriture
    erreurs: list[str] = []
    ecritures: list[str] = []

    def ecrire() -> None:
        for i in range(3):
            code, _, sortie = Processus(
                serveur.url_db, "importer", "csv", str(fichier_campus(tmp_path / f"i{i}.csv", f"import{i}", 2))
            ).terminer()
            ecritures.append(f"import {i} : {code}" + ("" if code == 0 else sortie))
        with httpx.Client(base_url=serveur.base, timeout=60, headers=serveur.entetes()) as client:
            for i in range(5):
                campus = {
                    "id": f"cmq-edit-{i}",
                    "nom": f"Campus modifié {i}",
                    "filiere": "numerique-telecommunications",
                }
                r = client.put(f"/api/campus/cmq-edit-{i}?source=https://exemple.fr/arrete", json=campus)
                ecritures.append(f"modification {i} : {r.status_code}")

    ecrivain = threading.Thread(target=ecrire)
    ecrivain.start()
    total = 0
    while ecrivain.is_alive() or not total:  # readers keep querying for as long as the writes last
        total += lecteurs(serveur.base, erreurs)
    ecrivain.join()
    assert erreurs == []
    assert ecritures == [f"import {i} : 0" for i in range(3)] + [f"modification {i} : 201" for i in range(5)]
    with httpx.Client(base_url=serveur.base, timeout=60) as client:
        ids = {c["id"] for c in client.get("/api/campus", params={"limite": 500}).json()["elements"]}
        nouveaux = client.get("/api/indicateurs", params={"date": "2025-09-01"}).json()[0]["campus_ids"]
    attendus = {f"cmq-import{i}-{j}" for i in range(3) for j in range(2)} | {f"cmq-edit-{i}" for i in range(5)}
    assert attendus <= ids
    assert {f"cmq-import{i}-{j}" for i in range(3) for j in range(2)} <= set(nouveaux)
