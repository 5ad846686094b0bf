"""Duplicate keys in an import: the work must grow linearly with the number of repeated rows.

Imports N identical campus rows (all refused as duplicates, nothing written) into a temporary SQLite
database for N = 2,000 then 20,000, in this process, and prints the time of each and their ratio
(linear work: about 10; the former quadratic messages gave about 100 and 3.5 GB at 20,000).

    python bench/doublons.py
"""

import tempfile
import time
from pathlib import Path

from cmq.errors import ErreurImport
from cmq.importation.fichier import importer_fichier
from cmq.store import schema

ENTETE = "nom_du_campus;filiere;label_excellence;region_academique;academie;uai_etablissement_support\n"
LIGNE = "Campus hostile;Numérique, télécommunications;Non;Hauts-de-France;Lille;0592926K\n"


def mesurer(dossier: Path, n: int) -> float:
    url = f"sqlite:///{dossier / f'b{n}.db'}"
    schema.mettre_a_jour(url)
    chemin = dossier / f"d{n}.csv"
    chemin.write_text(ENTETE + LIGNE * n, encoding="utf-8")
    debut = time.perf_counter()
    try:
        importer_fichier(chemin, url=url, type_import="campus")
    except ErreurImport as erreur:
        assert len(str(erreur)) < 2000
    return time.perf_counter() - debut


def main() -> None:
    with tempfile.TemporaryDirectory() as nom:
        dossier = Path(nom)
        mesurer(dossier, 200)  # warm-up: imports, caches
        petit, grand = mesurer(dossier, 2_000), mesurer(dossier, 20_000)
    print(f"2 000 lignes en double : {petit:.2f} s ; 20 000 : {grand:.2f} s")
    print(f"rapport {grand / petit:.1f} (environ 10 si le travail est linéaire)")


if __name__ == "__main__":
    main()
