"""Benchmark of the annuaire import: 65,000 rows into a fresh SQLite file, against a bare polars read.

Generates an annuaire de l'éducation CSV export (real API header, `;`, UTF-8 with BOM; valid UAIs
whose 3 first digits are the département, real département/académie/région codes from
`cmq.territoires`, fixed seed). Each measure runs in its own Python process so that its peak
RSS (`resource.getrusage`) is its own:

* `polars.read_csv` of the file (every column as text), the floor of any reader;
* `cmq.importation.annuaire.importer_annuaire` into a new SQLite file (read + validate + write
  + history), then a second run of the same import (idempotent: 0 inserted, 0 updated);
* two floors, the rows already read and converted before the clock: cmq's bulk write alone
  (`cmq.store.masse`, what the import runs) into a new database, and, on SQLite, Python's
  `sqlite3` at its simplest (executemany of ready tuples into a table without key nor index).
  No import into the real table can beat the first; no import through `sqlite3` can beat the
  second. They show how much of the target the write alone takes.

Two times per measure, and a ratio for each:

* opération: the call alone, timed inside the process once its modules are imported (`import
  polars` for the bare read; cmq's modules, polars and the database driver included, for the import);
* processus: the whole child process, timed from outside: Python start-up, imports, the call, exit.

* the command itself, `cmq --base URL importer annuaire FICHIER`, as a user runs it (installed
  console script, output discarded), timed from outside: the figure the issue's target is about.

* DuckDB (`pip install -e ".[bench]"`) reading the same CSV into a table of a new database file:
  the reference of the whole import process.

Targets (issue 15): the command's whole process ≤ 1.5 × DuckDB's, its operation ≤ 2.5 × the
write-alone floor, < 10 s, peak RSS < 500 MB. Variant `large`: the same rows with the full width
of a real export (72 columns instead of 58).

    python bench/import.py [--lignes 65000] [--graine 2025] [--dossier DOSSIER] [--repetitions 3]
                           [--variantes standard,large] [--bases sqlite,postgresql]

`--bases sqlite,postgresql` runs every import on both databases (PostgreSQL: a temporary server,
`bench/bases.py`) and prints them side by side.

Each measure runs `--repetitions` times; the fastest run is reported (the least disturbed by the
rest of the machine) with the highest peak RSS of all runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from pathlib import Path

from bases import AIDE, Bases, analyser, cote_a_cote  # bench/bases.py

from cmq import codes, territoires

ENTETE = (
    "identifiant_de_l_etablissement",
    "nom_etablissement",
    "type_etablissement",
    "statut_public_prive",
    "adresse_1",
    "adresse_2",
    "adresse_3",
    "code_postal",
    "code_commune",
    "nom_commune",
    "code_departement",
    "code_academie",
    "code_region",
    "ecole_maternelle",
    "ecole_elementaire",
    "voie_generale",
    "voie_technologique",
    "voie_professionnelle",
    "telephone",
    "fax",
    "web",
    "mail",
    "restauration",
    "hebergement",
    "ulis",
    "apprentissage",
    "segpa",
    "section_arts",
    "section_cinema",
    "section_theatre",
    "section_sport",
    "section_internationale",
    "section_europeenne",
    "lycee_agricole",
    "lycee_militaire",
    "lycee_des_metiers",
    "post_bac",
    "appartenance_education_prioritaire",
    "greta",
    "siren_siret",
    "nombre_d_eleves",
    "fiche_onisep",
    "position",
    "type_contrat_prive",
    "libelle_departement",
    "libelle_academie",
    "libelle_region",
    "nom_circonscription",
    "latitude",
    "longitude",
    "precision_localisation",
    "date_ouverture",
    "date_maj_ligne",
    "etat",
    "ministere_tutelle",
    "multi_uai",
    "code_nature",
    "libelle_nature",
)
# The other fields of a real export (always empty here): the "large" variant has them all.
ENTETE_LARGE = ENTETE + (
    "coordx_origine",
    "coordy_origine",
    "epsg_origine",
    "rpi_concentre",
    "rpi_disperse",
    "code_type_contrat_prive",
    "pial",
    "etablissement_mere",
    "type_rattachement_etablissement_mere",
    "code_circonscription",
    "code_zone_animation_pedagogique",
    "libelle_zone_animation_pedagogique",
    "code_bassin_formation",
    "libelle_bassin_formation",
)
VARIANTES = {"standard": ENTETE, "large": ENTETE_LARGE}
TYPES = (
    ("Ecole", "ECOLE DE NIVEAU ELEMENTAIRE", "151", 0.7),
    ("Collège", "COLLEGE", "340", 0.12),
    ("Lycée", "LYCEE PROFESSIONNEL", "320", 0.05),
    ("Lycée", "LYCEE POLYVALENT", "306", 0.05),
    ("Lycée", "LYCEE ENSEIGNT GENERAL ET TECHNOLOGIQUE", "300", 0.04),
    ("Information et orientation", "CENTRE D'INFORMATION ET D'ORIENTATION", "810", 0.02),
    ("Service Administratif", "SERVICE ADMINISTRATIF", "830", 0.02),
)
RUES = ("rue Jean Jaurès", "avenue de la République", "place de la Mairie", "rue Victor Hugo", "chemin des Écoles")
PRENOMS = (
    "Jules Ferry",
    "Victor Hugo",
    "Jean Moulin",
    "Marie Curie",
    "Louise Michel",
    "Paul Bert",
    "Jean Zay",
    "Simone Veil",
    "Condorcet",
    "Pierre Brossolette",
)


def prefixe_uai(departement: str) -> str:
    """3 first digits of a UAI: the département on 3 digits, 620/720 for Corsica, 97x overseas."""
    return {"2A": "620", "2B": "720"}.get(departement, departement.zfill(3))


def generer(chemin: Path, lignes: int, graine: int, entete: tuple[str, ...] = ENTETE) -> None:
    """Write `lignes` realistic annuaire rows (unique valid UAIs) with the columns `entete` to `chemin`."""
    alea = random.Random(graine)
    departements = territoires.departements()
    academies = {a.code: a.nom for a in territoires.academies()}
    regions = {r.code: r.nom for r in territoires.regions_academiques()}
    poids = [t[3] for t in TYPES]
    with open(chemin, "w", encoding="utf-8-sig", newline="") as flux:
        ecrivain = csv.writer(flux, delimiter=";")
        ecrivain.writerow(entete)
        for i in range(lignes):
            dep = departements[i % len(departements)]
            chiffres = f"{prefixe_uai(dep.code)}{i // len(departements):04d}"
            type_, nature, code_nature, _ = alea.choices(TYPES, poids)[0]
            lat, lon = round(alea.uniform(42.5, 50.9), 6), round(alea.uniform(-4.5, 7.8), 6)
            ecole = type_ == "Ecole"
            if len(dep.code) == 2:
                commune = f"{dep.code}{alea.randint(1, 899):03d}"
            else:
                commune = f"{dep.code}{alea.randint(1, 24):02d}"
            valeurs = {
                "identifiant_de_l_etablissement": chiffres + codes.lettre_uai(chiffres),
                "nom_etablissement": f"{type_} {alea.choice(PRENOMS)}",
                "type_etablissement": type_,
                "statut_public_prive": alea.choice(("Public",) * 4 + ("Privé",)),
                "adresse_1": f"{alea.randint(1, 120)} {alea.choice(RUES)}",
                "code_postal": f"{commune[:2]}{alea.randint(0, 999):03d}" if len(dep.code) == 2 else commune,
                "code_commune": commune,
                "nom_commune": f"Commune {commune}",
                "code_departement": dep.code.zfill(3),
                "code_academie": dep.academie,
                "code_region": dep.region_academique,
                "ecole_maternelle": int(ecole),
                "ecole_elementaire": int(ecole),
                "voie_generale": int(not ecole),
                "voie_technologique": 0,
                "voie_professionnelle": int(nature == "LYCEE PROFESSIONNEL"),
                "telephone": f"0{alea.randint(100000000, 999999999)}",
                "mail": f"ce.{chiffres.lower()}@ac-exemple.fr",
                "restauration": 1,
                "hebergement": 0,
                "ulis": 0,
                "apprentissage": 0,
                "segpa": 0,
                "nombre_d_eleves": alea.randint(30, 1800),
                "position": f"{lat}, {lon}",
                "libelle_departement": dep.nom,
                "libelle_academie": academies[dep.academie],
                "libelle_region": regions[dep.region_academique],
                "latitude": lat,
                "longitude": lon,
                "precision_localisation": "Numéro de rue",
                "date_ouverture": f"{alea.randint(1960, 2020)}-09-01",
                "date_maj_ligne": "2025-06-30",
                "etat": "OUVERT",
                "ministere_tutelle": "MINISTERE DE L'EDUCATION NATIONALE",
                "multi_uai": 0,
                "code_nature": code_nature,
                "libelle_nature": nature,
            }
            ecrivain.writerow([valeurs.get(c, "") for c in entete])


MESURE = textwrap.dedent("""
    import json, resource, sys, time
    {avant}
    debut = time.perf_counter()
    {code}
    operation = time.perf_counter() - debut
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({{"operation": operation, "rss_mo": rss, **resultat}}))
""")
# Each measure: (run before the clock, timed code); sys.argv[1] is the CSV file, sys.argv[2] a database URL.
LECTURE_POLARS = (
    "import polars",
    """
tableau = polars.read_csv(sys.argv[1], separator=";", infer_schema=False)
resultat = {"lignes": tableau.height}
""",
)
# DuckDB (optional dependency `bench`) reading the same CSV into a table of a new database file
# (every column as text, as the import reads it): the reference of the import's whole process.
LECTURE_DUCKDB = (
    "import duckdb",
    """
connexion = duckdb.connect(sys.argv[2])
lecture = "SELECT * FROM read_csv(?, delim=';', header=true, all_varchar=true)"
connexion.execute(f"CREATE TABLE annuaire AS {lecture}", [sys.argv[1]])
resultat = {"lignes": connexion.execute("SELECT count(*) FROM annuaire").fetchone()[0]}
connexion.close()
""",
)
# cmq imports polars, its bulk converter and the database driver lazily, on first use: loaded
# before the clock, as `import polars` is for the bare read (the process time counts every import).
# Alembic is not loaded: a new database is created from the table definitions (`schema._creer`).
MODULES_CMQ = """
from cmq.importation.annuaire import importer_annuaire; import cmq.importation.conversion_bloc
from sqlalchemy.engine import make_url; make_url(sys.argv[2]).get_dialect().import_dbapi()
"""
IMPORT_CMQ = (
    MODULES_CMQ,
    """
r = importer_annuaire(sys.argv[1], url=sys.argv[2])
resultat = {"lignes": r.lues, "inserees": r.inserees, "mises_a_jour": r.mises_a_jour, "rejetees": r.rejetees}
""",
)
# Floors: the rows the import writes, converted before the clock (by cmq's own converter).
LIGNES_CONVERTIES = (
    MODULES_CMQ
    + """
from cmq.importation import colonnes, conversion, conversion_bloc
from cmq.tableau import lire_tableau
t = lire_tableau(sys.argv[1])
conv = conversion.convertisseur(colonnes.correspondre(t.colonnes, "etablissements", None), conversion.Contexte())
lignes = conversion_bloc.convertir_etablissements(t.cadre, conv).valides
lignes = lignes.filter(lignes["uai"].is_first_distinct()).drop("_rang").sort("uai")
"""
)
# 1. cmq's bulk write alone (`store.masse`, used by the import) into a new migrated database.
ECRITURE_CMQ = (
    LIGNES_CONVERTIES
    + """
from cmq.store import db, masse, schema
from cmq.store.tables import EtablissementTable
schema.mettre_a_jour(sys.argv[2])
""",
    """
with db.session(sys.argv[2], ecriture=True) as s:
    masse.ecrire(s, EtablissementTable.__table__, lignes, ("uai",))
resultat = {"lignes": lignes.height}
""",
)
# 2. SQLite only: Python's sqlite3 at its simplest, tuples built beforehand, a table without key nor
#    index. No import into a real table through this driver can be faster.
ECRITURE_SQLITE_NUE = (
    LIGNES_CONVERTIES
    + """
import sqlite3
tuples = lignes.rows()
connexion = sqlite3.connect(make_url(sys.argv[2]).database)
connexion.execute(f"CREATE TABLE plancher ({', '.join(lignes.columns)})")
""",
    """
connexion.executemany(f"INSERT INTO plancher VALUES ({', '.join('?' * len(lignes.columns))})", tuples)
connexion.commit()
resultat = {"lignes": len(tuples)}
""",
)


def commande_cmq() -> list[str]:
    """The installed `cmq` script beside this interpreter (as a user runs it), else the entry point."""
    script = Path(sys.executable).parent / "cmq"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from cmq.cli import main; main()"]


def mesurer_commande(fichier: str, url: str) -> dict:
    """`cmq --base URL importer annuaire FICHIER` in a new process: its wall time and peak RSS (MB,
    from wait4: the child's own)."""
    debut = time.perf_counter()
    processus = subprocess.Popen(
        [*commande_cmq(), "--base", url, "importer", "annuaire", fichier],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, statut, usage = os.wait4(processus.pid, 0)
    duree = time.perf_counter() - debut
    erreurs = processus.stderr.read().decode() if processus.stderr else ""
    processus.returncode = os.waitstatus_to_exitcode(statut)
    if processus.returncode:
        raise SystemExit(f"commande en échec ({processus.returncode}) :\n{erreurs}")
    return {"operation": duree, "processus": duree, "rss_mo": usage.ru_maxrss / 1024}


def mesurer(mesure: tuple[str, str], *arguments: str) -> dict:
    """Run a measure in a fresh Python process: operation time, whole process time (s), peak RSS (MB)."""
    avant, code = mesure
    script = MESURE.format(avant=avant.strip(), code=code.strip())
    debut = time.perf_counter()
    sortie = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True, check=False)
    duree = time.perf_counter() - debut
    if sortie.returncode:
        raise SystemExit(f"mesure en échec :\n{sortie.stderr}")
    return {**json.loads(sortie.stdout.strip().splitlines()[-1]), "processus": duree}


def meilleure(runs: list[dict]) -> dict:
    """Fastest operation and fastest process of the runs (least disturbed), highest peak RSS."""
    return {
        **min(runs, key=lambda m: m["operation"]),
        "processus": min(m["processus"] for m in runs),
        "rss_mo": max(m["rss_mo"] for m in runs),
    }


def variante(nom: str, dossier: Path, lignes: int, graine: int, repetitions: int, bases: Bases) -> bool:
    """Generate, measure and print one variant on every base, side by side; True when every target is met."""
    entete = VARIANTES[nom]
    fichier = dossier / f"fr-en-annuaire-education-{nom}.csv"
    generer(fichier, lignes, graine, entete)
    print(
        f"\nVariante {nom} : {fichier.name}, {lignes} lignes, {len(entete)} colonnes, "
        f"{fichier.stat().st_size / 1e6:.1f} Mo"
    )
    genres = bases.genres
    runs: dict[str, list[dict]] = defaultdict(list)
    for _ in range(repetitions):
        runs["polars"].append(mesurer(LECTURE_POLARS, str(fichier)))
        duckdb_ = dossier / f"duckdb-{len(runs['polars'])}.duckdb"
        duckdb_.unlink(missing_ok=True)
        runs["duckdb"].append(mesurer(LECTURE_DUCKDB, str(fichier), str(duckdb_)))
        for genre in genres:
            url = bases.nouvelle(genre)  # a new empty database for each first import
            runs[f"{genre}:premier"].append(mesurer(IMPORT_CMQ, str(fichier), url))
            runs[f"{genre}:second"].append(mesurer(IMPORT_CMQ, str(fichier), url))
            runs[f"{genre}:commande"].append(mesurer_commande(str(fichier), bases.nouvelle(genre)))
            runs[f"{genre}:ecriture"].append(mesurer(ECRITURE_CMQ, str(fichier), bases.nouvelle(genre)))
            if genre == "sqlite":
                runs[f"{genre}:nue"].append(mesurer(ECRITURE_SQLITE_NUE, str(fichier), bases.nouvelle(genre)))
    m = {cle: meilleure(liste) for cle, liste in runs.items()}
    polars_ = m["polars"]

    def cellules(mesure: dict) -> list[str]:
        return [f"{mesure['operation']:.2f}", f"{mesure['processus']:.2f}", f"{mesure['rss_mo']:.0f}"]

    cote_a_cote(
        ["opération (s)", "processus (s)", "RSS max (Mo)"],
        [
            ("polars.read_csv (lecture nue)", dict.fromkeys(genres, cellules(polars_))),
            ("DuckDB : CSV -> table (fichier neuf)", dict.fromkeys(genres, cellules(m["duckdb"]))),
            ("cmq importer annuaire (base neuve)", {g: cellules(m[f"{g}:premier"]) for g in genres}),
            ("cmq importer annuaire (2e passage)", {g: cellules(m[f"{g}:second"]) for g in genres}),
            ("commande `cmq importer annuaire` (base neuve)", {g: cellules(m[f"{g}:commande"]) for g in genres}),
            ("plancher : écriture seule (cmq, en masse)", {g: cellules(m[f"{g}:ecriture"]) for g in genres}),
            (
                "plancher : sqlite3 nu (sans clé ni index)",
                {g: cellules(m[f"{g}:nue"]) if f"{g}:nue" in m else ["—"] * 3 for g in genres},
            ),
        ],
        genres,
    )
    toutes = True
    for genre in genres:
        premier, second = m[f"{genre}:premier"], m[f"{genre}:second"]
        rapport = premier["operation"] / polars_["operation"]
        rapport_processus = premier["processus"] / polars_["processus"]
        print(
            f"{genre} : 1er passage {premier['inserees']} insérées, {premier['rejetees']} rejetées ; "
            f"2e passage {second['inserees']} insérées, {second['mises_a_jour']} mises à jour ; "
            f"import / lecture nue : {rapport:.1f}× en opération (appel seul, modules importés), "
            f"{rapport_processus:.1f}× en processus (démarrage et imports compris)"
        )
        planchers = [
            ("écriture seule des lignes converties", m[f"{genre}:ecriture"]),
            ("sqlite3 nu", m.get(f"{genre}:nue")),
        ]
        print(
            "  planchers (lignes déjà converties, rien lu ni validé) : "
            + " ; ".join(
                f"{nom} {p['operation'] / polars_['operation']:.1f}× la lecture nue" for nom, p in planchers if p
            )
        )
        duck, commande = m["duckdb"], m[f"{genre}:commande"]
        vs_duckdb = commande["processus"] / duck["processus"]
        vs_plancher = premier["operation"] / m[f"{genre}:ecriture"]["operation"]
        print(
            f"  commande `cmq importer annuaire` / DuckDB (CSV -> table), processus entier : {vs_duckdb:.2f}× "
            f"({commande['processus']:.2f} s / {duck['processus']:.2f} s) ; import / plancher d'écriture seule, "
            f"opération : {vs_plancher:.2f}× ({premier['operation']:.2f} s / "
            f"{m[f'{genre}:ecriture']['operation']:.2f} s)"
        )
        cibles = [
            ("≤ 1,5 × DuckDB, en processus", vs_duckdb <= 1.5),
            ("≤ 2,5 × le plancher d'écriture seule, en opération", vs_plancher <= 2.5),
            ("< 10 s (processus)", commande["processus"] < 10),
            ("RSS max < 500 Mo", max(premier["rss_mo"], second["rss_mo"], commande["rss_mo"]) < 500),
        ]
        for libelle, atteinte in cibles:
            print(f"  cible {libelle} : {'atteinte' if atteinte else 'NON atteinte'}")
        toutes = toutes and all(atteinte for _, atteinte in cibles)
    return toutes


def main(arguments: list[str] | None = None) -> int:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--lignes", type=int, default=65_000)
    parseur.add_argument("--graine", type=int, default=2025)
    parseur.add_argument("--dossier", type=Path, default=None, help="dossier de travail (temporaire par défaut)")
    parseur.add_argument("--repetitions", type=int, default=3, help="passages de chaque mesure (le meilleur compte)")
    parseur.add_argument(
        "--variantes",
        default="standard,large",
        help="variantes à mesurer, parmi : standard (58 colonnes), large (72 colonnes)",
    )
    parseur.add_argument("--bases", default="sqlite", help=AIDE)
    options = parseur.parse_args(arguments)
    try:
        genres = analyser(options.bases)
    except ValueError as erreur:
        parseur.error(str(erreur))
    variantes = [v.strip() for v in options.variantes.split(",") if v.strip()]
    if inconnues := [v for v in variantes if v not in VARIANTES]:
        parseur.error(f"variante(s) inconnue(s) : {', '.join(inconnues)}")
    print(
        f"Machine : {os.cpu_count()} cœurs, charge moyenne {os.getloadavg()[0]:.1f} (partagée : "
        "les durées varient d'un passage à l'autre, le meilleur de chaque mesure est retenu)"
    )
    with tempfile.TemporaryDirectory(prefix="cmq-bench-") as temporaire:
        dossier = options.dossier or Path(temporaire)
        dossier.mkdir(parents=True, exist_ok=True)
        with Bases(genres, dossier) as bases:
            for nom in variantes:
                variante(nom, dossier, options.lignes, options.graine, options.repetitions, bases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
