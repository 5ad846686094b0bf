"""Peak memory of a very large import: 1,000,000 annuaire rows, then 1,000,000 campus rows.

Generates, in a temporary folder, an annuaire export (`bench/import.py`'s rows: real API header,
`;`, UTF-8 with BOM, unique valid UAIs) and a campus CSV with the header of the embedded
`cmq/data/campus.csv` (unique ids, real filière codes, académies and régions, dates, a support
UAI per campus), then runs each import into a new SQLite file in its own Python process and
prints its time and its peak RSS (VmHWM of the child itself: `resource.ru_maxrss` would carry
the parent's peak across exec), next to baselines in the same run:

* `polars.read_csv` of the file (every column as text): the whole file in memory once;
* DuckDB (`pip install -e ".[bench]"`, optional) reading the same CSV into a table of a new file;
* the target: 500 MB (issue 15).

    python bench/import_memoire.py [--lignes 1000000] [--graine 2025] [--dossier DOSSIER]
                                   [--types annuaire,campus] [--second]

`--second` also re-imports the same annuaire file (0 changes) and reports its time and peak.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from cmq import codes, filieres, territoires

CIBLE_MO = 500
_ICI = Path(__file__).resolve().parent


def _banc_import():
    """bench/import.py as a module (its name is a keyword): its annuaire generator."""
    sys.path.insert(0, str(_ICI))
    spec = importlib.util.spec_from_file_location("banc_import", _ICI / "import.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ENTETE_CAMPUS = (
    "id,nom,sigle,filiere,excellence,region_academique,academies,ville_siege,code_commune_siege,latitude,"
    "longitude,date_debut_label,date_fin_label,reference_arrete,site_web,uai_support,description,note,"
    "source_nom,source_url,date_recuperation"
).split(",")
THEMES = ("Industrie du futur", "Numérique", "Transition énergétique", "Mer et littoral", "Santé", "Bâtiment durable")


def generer_campus(chemin: Path, lignes: int, graine: int) -> None:
    """`lignes` campus rows as in cmq/data/campus.csv (`,`, UTF-8): unique ids, valid codes, a support UAI."""
    alea = random.Random(graine)
    codes_filieres = [f.code for f in filieres.FILIERES]
    departements = territoires.departements()
    with open(chemin, "w", encoding="utf-8", newline="") as flux:
        ecrivain = csv.writer(flux)
        ecrivain.writerow(ENTETE_CAMPUS)
        for i in range(lignes):
            dep = departements[i % len(departements)]
            prefixe = {"2A": "620", "2B": "720"}.get(dep.code, dep.code.zfill(3))
            chiffres = f"{prefixe}{(i // len(departements)) % 10000:04d}"
            debut = alea.randint(2014, 2024)
            theme = alea.choice(THEMES)
            if len(dep.code) == 2:
                commune = f"{dep.code}{alea.randint(1, 899):03d}"
            else:
                commune = f"{dep.code}{alea.randint(1, 24):02d}"
            ecrivain.writerow(
                [
                    f"campus-{i}",
                    f"Campus des métiers et des qualifications {theme} n° {i}",
                    "",
                    alea.choice(codes_filieres),
                    alea.choice(("true", "false")),
                    dep.region_academique,
                    dep.academie,
                    f"Commune {commune}",
                    commune,
                    round(alea.uniform(42.5, 50.9), 4),
                    round(alea.uniform(-4.5, 7.8), 4),
                    f"{debut}-0{alea.randint(1, 9)}-01",
                    f"{debut + 5}-08-31",
                    "",
                    f"https://campus-{i}.exemple.fr",
                    chiffres + codes.lettre_uai(chiffres),
                    f"Campus {theme.lower()} porté par le lycée {alea.randint(1, 500)} ; partenaires industriels",
                    "",
                    "exemple.fr",
                    f"https://exemple.fr/campus/{i}",
                    "2025-06-30",
                ]
            )


MESURE = textwrap.dedent("""
    import json, re, sys, time
    {avant}
    debut = time.perf_counter()
    {code}
    duree = time.perf_counter() - debut
    pic = int(re.search(r"^VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read(), re.M).group(1)) / 1024
    print(json.dumps({{"operation": duree, "rss_mo": pic, **resultat}}))
""")
LECTURE_POLARS = (
    "import polars",
    "t = polars.read_csv(sys.argv[1], separator=sys.argv[3], infer_schema=False)\nresultat = {'lignes': t.height}",
)
LECTURE_DUCKDB = (
    "import duckdb",
    """
c = duckdb.connect(sys.argv[2])
lecture = "SELECT * FROM read_csv(?, delim=?, header=true, all_varchar=true)"
c.execute(f"CREATE TABLE t AS {lecture}", [sys.argv[1], sys.argv[3]])
resultat = {"lignes": c.execute("SELECT count(*) FROM t").fetchone()[0]}
c.close()
""",
)
IMPORT_CMQ = (
    """
from cmq.importation.fichier import importer_fichier
from cmq.store import schema
schema.mettre_a_jour(sys.argv[2])
""",
    """
r = importer_fichier(sys.argv[1], url=sys.argv[2], type_import=sys.argv[4])
resultat = {"lignes": r.lues, "inserees": r.inserees, "mises_a_jour": r.mises_a_jour, "inchangees": r.inchangees,
            "rejetees": r.rejetees}
""",
)


def mesurer(mesure: tuple[str, str], *arguments: str) -> dict:
    avant, code = mesure
    script = MESURE.format(avant=avant.strip(), code=code.strip())
    debut = time.perf_counter()
    fini = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True, check=False)
    if fini.returncode:
        return {"erreur": fini.stderr.strip().splitlines()[-1] if fini.stderr.strip() else "échec"}
    return {**json.loads(fini.stdout.strip().splitlines()[-1]), "processus": time.perf_counter() - debut}


def afficher(libelle: str, m: dict) -> None:
    if "erreur" in m:
        print(f"  {libelle:<44} échec : {m['erreur']}")
        return
    compte = ", ".join(f"{k} {m[k]}" for k in ("inserees", "mises_a_jour", "inchangees", "rejetees") if k in m)
    print(
        f"  {libelle:<44} {m['operation']:7.2f} s  {m['processus']:7.2f} s  {m['rss_mo']:7.0f} Mo"
        + (f"   ({compte})" if compte else "")
    )


def main(arguments: list[str] | None = None) -> int:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--lignes", type=int, default=1_000_000)
    parseur.add_argument("--graine", type=int, default=2025)
    parseur.add_argument("--dossier", type=Path, default=None)
    parseur.add_argument("--types", default="annuaire,campus")
    parseur.add_argument("--second", action="store_true", help="mesurer aussi le 2e passage de l'annuaire")
    options = parseur.parse_args(arguments)
    types = [t.strip() for t in options.types.split(",") if t.strip()]
    print(f"Machine : {os.cpu_count()} cœurs, charge moyenne {os.getloadavg()[0]:.1f} ; cible : pic < {CIBLE_MO} Mo")
    print(f"  {'mesure':<44} {'opération':>9} {'processus':>9} {'pic RSS':>10}")
    with tempfile.TemporaryDirectory(prefix="cmq-bench-memoire-") as temporaire:
        dossier = options.dossier or Path(temporaire)
        dossier.mkdir(parents=True, exist_ok=True)
        atteintes = True
        for genre in types:
            fichier = dossier / f"{genre}-{options.lignes}.csv"
            if genre == "annuaire":
                _banc_import().generer(fichier, options.lignes, options.graine)
                separateur, type_import = ";", "etablissements"
            elif genre == "campus":
                generer_campus(fichier, options.lignes, options.graine)
                separateur, type_import = ",", "campus"
            else:
                parseur.error(f"type inconnu : {genre} (annuaire ou campus)")
            print(f"{genre} : {fichier.name}, {options.lignes} lignes, {fichier.stat().st_size / 1e6:.0f} Mo")
            afficher("polars.read_csv (tout le fichier)", mesurer(LECTURE_POLARS, str(fichier), "", separateur))
            duck = dossier / f"{genre}.duckdb"
            duck.unlink(missing_ok=True)
            afficher("DuckDB : CSV -> table", mesurer(LECTURE_DUCKDB, str(fichier), str(duck), separateur))
            duck.unlink(missing_ok=True)
            url = f"sqlite:///{dossier / f'{genre}.db'}"
            premier = mesurer(IMPORT_CMQ, str(fichier), url, separateur, type_import)
            afficher(f"cmq importer ({type_import}, base neuve)", premier)
            mesures = [premier]
            if options.second and genre == "annuaire":
                second = mesurer(IMPORT_CMQ, str(fichier), url, separateur, type_import)
                afficher(f"cmq importer ({type_import}, 2e passage)", second)
                mesures.append(second)
            atteinte = all("erreur" not in m and m["rss_mo"] < CIBLE_MO for m in mesures)
            atteintes = atteintes and atteinte
            print(f"  cible pic < {CIBLE_MO} Mo : {'atteinte' if atteinte else 'NON atteinte'}")
            (dossier / f"{genre}.db").unlink(missing_ok=True)
            fichier.unlink()
    return 0 if atteintes else 1


if __name__ == "__main__":
    sys.exit(main())
