"""Concurrent imports and faults with real processes, on SQLite and PostgreSQL.

Each scenario runs `cmq importer csv …` in subprocesses on the same database. The test hook
$CMQ_TEST_PAUSE_IMPORT (see `cmq.store.verrou`) makes an import stop with the import lock held
and its rows written but not committed, after printing `MARQUEUR_PAUSE` on stderr: the tests wait
for that line, so nothing depends on guessing how long an import takes.
"""

from __future__ import annotations

import csv
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from cmq import codes, filieres
from cmq.importation.fichier import importer_fichier
from cmq.store import db, masse
from cmq.store.verrou import MARQUEUR_PAUSE, MESSAGE_OCCUPE
from tests.import_outils import compter, historique
from tests.postgres import empreinte_base

LANCEUR = "from cmq.cli import main; main()"
DELAI_MAX_S = 60  # upper bound of any wait below: a hang fails the test instead of blocking the suite


class Processus:
    """`cmq …` in a subprocess on the database `url`; its stderr is read as it comes."""

    def __init__(self, url: str, *arguments: str, **variables: str):
        env = os.environ | {"CMQ_DATABASE_URL": url, "COLUMNS": "200", **variables}
        self.p = subprocess.Popen(
            [sys.executable, "-c", LANCEUR, *arguments],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._lignes: queue.Queue[str] = queue.Queue()
        self.erreurs: list[str] = []
        self._lecteur = threading.Thread(target=self._lire, daemon=True)
        self._lecteur.start()

    def _lire(self) -> None:
        for ligne in self.p.stderr:
            self.erreurs.append(ligne)
            self._lignes.put(ligne)

    def attendre_pause(self) -> None:
        """Block until the import printed the pause marker (its transaction is then open)."""
        limite = time.monotonic() + DELAI_MAX_S
        while time.monotonic() < limite:
            try:
                if MARQUEUR_PAUSE in self._lignes.get(timeout=0.1):
                    return
            except queue.Empty:
                if self.p.poll() is not None:
                    break
        self.p.kill()
        raise AssertionError(f"pas de pause dans l'import :\n{''.join(self.erreurs)}")

    def terminer(self) -> tuple[int, str, str]:
        """Wait for the end: (exit code, stdout, stderr)."""
        sortie = self.p.stdout.read()  # stderr belongs to the reader thread
        self.p.wait(timeout=DELAI_MAX_S)
        self._lecteur.join(timeout=DELAI_MAX_S)
        return self.p.returncode, sortie, "".join(self.erreurs)

    def tuer(self) -> None:
        self.p.send_signal(signal.SIGKILL)
        self.p.wait(timeout=DELAI_MAX_S)
        self.p.stdout.close()


def fichier_campus(chemin: Path, prefixe: str, n: int) -> Path:
    """A campus CSV of `n` campuses `cmq-<prefixe>-<i>`."""
    codes_filieres = filieres.codes()
    with open(chemin, "w", encoding="utf-8", newline="") as flux:
        ecrivain = csv.writer(flux, delimiter=";")
        ecrivain.writerow(["id", "nom", "filiere", "region_academique", "academies", "ville_siege"])
        for i in range(n):
            ecrivain.writerow(
                [f"cmq-{prefixe}-{i}", f"Campus {prefixe} {i}", codes_filieres[i % 12], "84", "10", "Lyon"]
            )
    return chemin


def fichier_etablissements(chemin: Path, n: int) -> Path:
    """An establishments CSV of `n` rows with valid, distinct UAIs: 10,000 in the Rhône (069xxxxL, commune
    69123), then in the Haute-Saône (070xxxxL, 70550)…"""
    with open(chemin, "w", encoding="utf-8", newline="") as flux:
        ecrivain = csv.writer(flux, delimiter=";")
        ecrivain.writerow(["UAI", "Nom", "Commune", "Code commune"])
        for i in range(n):
            departement = 69 + i // 10_000
            chiffres = f"{departement:03d}{i % 10_000:04d}"
            commune = ("Lyon", "69123") if departement == 69 else ("Vesoul", f"{departement}550")
            ecrivain.writerow([chiffres + codes.lettre_uai(chiffres), f"Établissement {i}", *commune])
    return chemin


def ids_campus(url: str) -> set[str]:
    with db.session(url) as s:
        return set(s.scalars(text("SELECT id FROM campus")))


@pytest.fixture
def base(base_url, tmp_path) -> str:
    """The migrated empty database of both kinds, holding one campus imported beforehand."""
    importer_fichier(fichier_campus(tmp_path / "initial.csv", "initial", 1), url=base_url)
    db.fermer_tout()
    return base_url


def test_deux_imports_simultanes_sont_serialises(base, tmp_path):
    pause = 3.0
    a = Processus(
        base, "importer", "csv", str(fichier_campus(tmp_path / "a.csv", "a", 3)), CMQ_TEST_PAUSE_IMPORT=str(pause)
    )
    a.attendre_pause()
    b = Processus(base, "importer", "csv", str(fichier_campus(tmp_path / "b.csv", "b", 4)), CMQ_ATTENTE_VERROU="30")
    code_a, sortie_a, erreurs_a = a.terminer()
    code_b, sortie_b, erreurs_b = b.terminer()
    assert (code_a, code_b) == (0, 0), erreurs_a + erreurs_b
    assert "import réussi : campus" in sortie_a and "import réussi : campus" in sortie_b
    assert ids_campus(base) == {"cmq-initial-0"} | {f"cmq-a-{i}" for i in range(3)} | {f"cmq-b-{i}" for i in range(4)}
    assert compter(base, "campus_academies") == 8
    _initial, entree_a, entree_b = historique(base)
    assert [(e.statut, e.inserees) for e in (entree_a, entree_b)] == [("ok", 3), ("ok", 4)]
    # B wrote only once A had committed, i.e. after A's pause: its history time is at least `pause` later.
    assert (entree_b.fin - entree_a.fin).total_seconds() >= pause


def test_attente_courte_le_second_import_echoue_proprement(base, tmp_path):
    fin = tmp_path / "fin-de-pause"  # A holds the lock until the test creates this file
    a = Processus(
        base,
        "importer",
        "csv",
        str(fichier_campus(tmp_path / "a.csv", "a", 3)),
        CMQ_TEST_PAUSE_IMPORT="120",
        CMQ_TEST_PAUSE_FIN=str(fin),
    )
    a.attendre_pause()
    b = Processus(base, "importer", "csv", str(fichier_campus(tmp_path / "b.csv", "b", 4)), CMQ_ATTENTE_VERROU="0.5")
    code_b, sortie_b, erreurs_b = b.terminer()
    assert a.p.poll() is None  # B gave up while A still held the lock
    fin.touch()
    code_a, _, erreurs_a = a.terminer()
    assert code_a == 0, erreurs_a
    assert code_b == 1
    assert (
        f"Erreur : {MESSAGE_OCCUPE} (attente de 0.5 s dépassée, réglable par CMQ_ATTENTE_VERROU)"
        in erreurs_b.replace("\n", " ").replace("  ", " ")
    )
    assert "Traceback" not in erreurs_b and sortie_b == ""
    assert ids_campus(base) == {"cmq-initial-0", "cmq-a-0", "cmq-a-1", "cmq-a-2"}
    assert [(e.statut, e.inserees) for e in historique(base)] == [("ok", 1), ("ok", 3)]  # B left no trace


def test_les_lecteurs_repondent_pendant_un_import(base, tmp_path):
    a = Processus(base, "importer", "csv", str(fichier_campus(tmp_path / "a.csv", "a", 3)), CMQ_TEST_PAUSE_IMPORT="30")
    a.attendre_pause()
    try:
        lecteur = Processus(base, "campus", "liste", "--format", "json")
        code, sortie, erreurs = lecteur.terminer()
        assert code == 0, erreurs
        assert [c["id"] for c in json.loads(sortie)] == ["cmq-initial-0"]  # the store as before the import
        assert a.p.poll() is None  # answered while the import still held its transaction
        assert compter(base, "campus") == 1 and len(historique(base)) == 1  # and from this process too
    finally:
        a.tuer()
    db.fermer_tout()


def test_import_tue_par_sigkill_base_inchangee_puis_import_suivant(base, tmp_path):
    """A bulk load (SQLite: secondary indexes dropped, rebuilt before the commit) killed before its commit."""
    avant = empreinte_base(base)
    n = masse.SEUIL_INDEX + 2000
    gros = fichier_etablissements(tmp_path / "etablissements.csv", n)
    a = Processus(base, "importer", "csv", str(gros), "--type", "etablissements", CMQ_TEST_PAUSE_IMPORT="60")
    a.attendre_pause()  # the rows and the history entry written, transaction not committed
    with db.session(base) as s:  # readers see the store as before, through the indexes, without waiting
        assert s.execute(text("SELECT count(*) FROM etablissements WHERE departement = '69'")).scalar_one() == 0
    db.fermer_tout()
    a.tuer()
    assert a.p.returncode == -signal.SIGKILL
    assert empreinte_base(base) == avant  # every row of every table, and the SQLite file itself
    # No stale lock: the next import gets it within 2 s and goes through.
    suivant = Processus(base, "importer", "csv", str(gros), "--type", "etablissements", CMQ_ATTENTE_VERROU="2")
    code, _, erreurs = suivant.terminer()
    assert code == 0, erreurs
    assert compter(base, "etablissements") == n
    assert [(e.statut, e.inserees) for e in historique(base)] == [("ok", 1), ("ok", n)]
    with db.session(base) as s:
        assert s.execute(text("SELECT count(*) FROM etablissements WHERE departement = '69'")).scalar_one() == 10_000
    db.fermer_tout()


def test_deux_init_simultanes_sur_une_base_neuve(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)  # nothing yet: no file, no table
    premier, second = Processus(url, "init"), Processus(url, "init")
    resultats = [premier.terminer(), second.terminer()]
    assert [code for code, _, _ in resultats] == [0, 0], "".join(e for _, _, e in resultats)
    assert compter(url, "etablissements") == 5028
    lycees = [e for e in historique(url) if e.type_import == "etablissements"]
    assert sorted(e.inserees for e in lycees) == [0, 5028]  # one loaded them, the other found them there
    assert all(e.statut == "ok" for e in historique(url))
    db.fermer_tout()
