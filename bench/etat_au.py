"""Benchmark of `?au=` / `--au` (`cmq.store.etat_au`): the directory rebuilt at a past date.

Usage: `python bench/etat_au.py [DOSSIER]` (default: a temporary folder). Two SQLite bases: the
embedded data (`cmq init`, 91 campuses), then the same plus 1,000 campuses and 3,000 partners, 1,000
campuses changed after the date. For each: the rebuild of the in-memory base, the indicators'
snapshot and the figures of every département on it, then the same request again (cache). Baseline,
same run: the same figures on the current state with a snapshot to build (what a request pays after
any write); the ratio is printed beside it. The import times of the second base include the
recording of every change in the history.
"""

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from cmq import indicateurs
from cmq.importation.pipeline import importer_lignes
from cmq.init import initialiser
from cmq.store import db, etat_au
from cmq.store.tables import ChangementTable


def _ms(debut: float) -> str:
    return f"{(time.perf_counter() - debut) * 1000:.0f} ms"


def _secondes(fonction) -> float:
    debut = time.perf_counter()
    fonction()
    return time.perf_counter() - debut


def mesurer(url: str, titre: str) -> None:
    """Date every change 10 days back, then read the directory as it stood 5 days ago."""
    with db.session(url, ecriture=True) as s:
        s.execute(update(ChangementTable).values(quand=datetime.now(UTC) - timedelta(days=10)))
    jour = etat_au.aujourd_hui() - timedelta(days=5)
    indicateurs.vider_instantanes()
    reference = _secondes(lambda: indicateurs.indicateurs("departement", url=url))  # current state, cold
    etat_au.vider()
    reconstitution = _secondes(lambda: etat_au.base_au(url, jour))
    calcul = _secondes(lambda: indicateurs.indicateurs("departement", au=jour, url=url))
    suivante = _secondes(lambda: indicateurs.indicateurs("departement", au=jour, url=url))
    print(
        f"{titre} : reconstitution {reconstitution * 1000:.0f} ms, indicateurs {calcul * 1000:.0f} ms, "
        f"requête suivante {suivante * 1000:.1f} ms ; référence (état courant, instantané à construire) "
        f"{reference * 1000:.0f} ms : {(reconstitution + calcul) / reference:.1f}× au premier appel, "
        f"{suivante / reference:.2f}× ensuite"
    )


def _importer(url: str, lignes: list[dict], source: str, genre: str) -> None:
    debut = time.perf_counter()
    importer_lignes(lignes, colonnes=list(lignes[0]), source=source, type_import=genre, url=url)
    print(f"import de {len(lignes)} {genre} (historique compris) : {_ms(debut)}")


def main(dossier: str) -> None:
    url = f"sqlite:///{dossier}/defaut.db"
    initialiser(url)
    mesurer(url, "données embarquées")
    url = f"sqlite:///{dossier}/mille.db"
    initialiser(url)
    campus = [
        {"id": f"cmq-m{i:04d}", "nom": f"Campus {i}", "filiere": "numerique", "excellence": "oui" if i % 2 else "non"}
        | {"region_academique": "84", "academies": "10", "date_debut_label": "2020-01-01"}
        for i in range(1000)
    ]
    _importer(url, campus, "mille.csv", "campus")
    partenaires = [
        {"campus_id": f"cmq-m{i:04d}", "nom": f"Entreprise {j}", "nature": "entreprise"}
        for i in range(1000)
        for j in range(3)
    ]
    _importer(url, partenaires, "partenaires.csv", "partenaires")
    mesurer(url, "1 091 campus, 3 000 partenaires")
    _importer(url, [c | {"excellence": "oui", "nom": c["nom"] + " v2"} for c in campus], "v2.csv", "campus")
    with db.session(url, ecriture=True) as s:  # only the v2 changes are after the date
        s.execute(update(ChangementTable).where(ChangementTable.source == "v2.csv").values(quand=datetime.now(UTC)))
    jour = etat_au.aujourd_hui() - timedelta(days=5)
    etat_au.vider()
    debut = time.perf_counter()
    indicateurs.indicateurs("departement", au=jour, url=url)
    print(f"1 000 campus changés après la date : reconstitution et indicateurs {_ms(debut)}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory(prefix="cmq-bench-au-") as temporaire:
            main(temporaire)
