"""Benchmark of the annuaire import: 65,000 rows into a fresh SQLite file, against a bare polars read.

Generates an annuaire de l'éducation CSV export (real API header, `;`, UTF-8 with BOM; valid UAIs
whose 3 first digits are the département, real département/académie/région codes from
`cmq.territoires`, fixed seed). Each measure runs in its own Python process so that its peak
RSS (`resource.getrusage`) is its own:

* `polars.read_csv` of the file (every column as text), the floor of any reader;
* `cmq.sources.annuaire.importer_annuaire` into a new SQLite file (read + validate + write
  + history), then a second run of the same import (idempotent: 0 inserted, 0 updated).

Targets: import ≤ 3 × the bare read and < 10 s, peak RSS < 500 MB.

    python bench/import.py [--lignes 65000] [--graine 2025] [--dossier DOSSIER] [--repetitions 3]

Each measure runs `--repetitions` times; the fastest run is reported (the least disturbed by the
rest of the machine) with the highest peak RSS of all runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from cmq import codes, territoires

ENTETE = (
    "identifiant_de_l_etablissement", "nom_etablissement", "type_etablissement", "statut_public_prive",
    "adresse_1", "adresse_2", "adresse_3", "code_postal", "code_commune", "nom_commune", "code_departement",
    "code_academie", "code_region", "ecole_maternelle", "ecole_elementaire", "voie_generale",
    "voie_technologique", "voie_professionnelle", "telephone", "fax", "web", "mail", "restauration",
    "hebergement", "ulis", "apprentissage", "segpa", "section_arts", "section_cinema", "section_theatre",
    "section_sport", "section_internationale", "section_europeenne", "lycee_agricole", "lycee_militaire",
    "lycee_des_metiers", "post_bac", "appartenance_education_prioritaire", "greta", "siren_siret",
    "nombre_d_eleves", "fiche_onisep", "position", "type_contrat_prive", "libelle_departement",
    "libelle_academie", "libelle_region", "nom_circonscription", "latitude", "longitude",
    "precision_localisation", "date_ouverture", "date_maj_ligne", "etat", "ministere_tutelle", "multi_uai",
    "code_nature", "libelle_nature",
)
TYPES = (("Ecole", "ECOLE DE NIVEAU ELEMENTAIRE", "151", 0.7), ("Collège", "COLLEGE", "340", 0.12),
         ("Lycée", "LYCEE PROFESSIONNEL", "320", 0.05), ("Lycée", "LYCEE POLYVALENT", "306", 0.05),
         ("Lycée", "LYCEE ENSEIGNT GENERAL ET TECHNOLOGIQUE", "300", 0.04),
         ("Information et orientation", "CENTRE D'INFORMATION ET D'ORIENTATION", "810", 0.02),
         ("Service Administratif", "SERVICE ADMINISTRATIF", "830", 0.02))
RUES = ("rue Jean Jaurès", "avenue de la République", "place de la Mairie", "rue Victor Hugo", "chemin des Écoles")
PRENOMS = ("Jules Ferry", "Victor Hugo", "Jean Moulin", "Marie Curie", "Louise Michel", "Paul Bert", "Jean Zay",
           "Simone Veil", "Condorcet", "Pierre Brossolette")


def prefixe_uai(departement: str) -> str:
    """3 first digits of a UAI: the département on 3 digits, 620/720 for Corsica, 97x overseas."""
    return {"2A": "620", "2B": "720"}.get(departement, departement.zfill(3))


def generer(chemin: Path, lignes: int, graine: int) -> None:
    """Write `lignes` realistic annuaire rows (unique valid UAIs) to `chemin`."""
    alea = random.Random(graine)
    departements = territoires.departements()
    academies = {a.code: a.nom for a in territoires.academies()}
    regions = {r.code: r.nom for r in territoires.regions_academiques()}
    poids = [t[3] for t in TYPES]
    with open(chemin, "w", encoding="utf-8-sig", newline="") as flux:
        ecrivain = csv.writer(flux, delimiter=";")
        ecrivain.writerow(ENTETE)
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
                "type_etablissement": type_, "statut_public_prive": alea.choice(("Public",) * 4 + ("Privé",)),
                "adresse_1": f"{alea.randint(1, 120)} {alea.choice(RUES)}",
                "code_postal": f"{commune[:2]}{alea.randint(0, 999):03d}" if len(dep.code) == 2 else commune,
                "code_commune": commune, "nom_commune": f"Commune {commune}",
                "code_departement": dep.code.zfill(3), "code_academie": dep.academie,
                "code_region": dep.region_academique,
                "ecole_maternelle": int(ecole), "ecole_elementaire": int(ecole), "voie_generale": int(not ecole),
                "voie_technologique": 0, "voie_professionnelle": int(nature == "LYCEE PROFESSIONNEL"),
                "telephone": f"0{alea.randint(100000000, 999999999)}", "mail": f"ce.{chiffres.lower()}@ac-exemple.fr",
                "restauration": 1, "hebergement": 0, "ulis": 0, "apprentissage": 0, "segpa": 0,
                "nombre_d_eleves": alea.randint(30, 1800), "position": f"{lat}, {lon}",
                "libelle_departement": dep.nom, "libelle_academie": academies[dep.academie],
                "libelle_region": regions[dep.region_academique], "latitude": lat, "longitude": lon,
                "precision_localisation": "Numéro de rue", "date_ouverture": f"{alea.randint(1960, 2020)}-09-01",
                "date_maj_ligne": "2025-06-30", "etat": "OUVERT",
                "ministere_tutelle": "MINISTERE DE L'EDUCATION NATIONALE", "multi_uai": 0,
                "code_nature": code_nature, "libelle_nature": nature,
            }
            ecrivain.writerow([valeurs.get(c, "") for c in ENTETE])


MESURE = textwrap.dedent("""
    import json, resource, sys, time
    debut = time.perf_counter()
    {code}
    duree = time.perf_counter() - debut
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({{"duree": duree, "rss_mo": rss, **resultat}}))
""")
LECTURE_POLARS = """
import polars
t = time.perf_counter()
tableau = polars.read_csv(sys.argv[1], separator=";", infer_schema=False)
resultat = {"lignes": tableau.height, "operation": time.perf_counter() - t}
"""
IMPORT_CMQ = """
from cmq.sources.annuaire import importer_annuaire
t = time.perf_counter()
r = importer_annuaire(sys.argv[1], url=sys.argv[2])
resultat = {"lignes": r.lues, "inserees": r.inserees, "mises_a_jour": r.mises_a_jour,
            "rejetees": r.rejetees, "operation": time.perf_counter() - t}
"""


def mesurer(code: str, *arguments: str) -> dict:
    """Run `code` in a fresh Python process; its duration, operation time and peak RSS (MB)."""
    script = MESURE.format(code=code.strip())
    sortie = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True, check=False)
    if sortie.returncode:
        raise SystemExit(f"mesure en échec :\n{sortie.stderr}")
    return json.loads(sortie.stdout.strip().splitlines()[-1])


def main(arguments: list[str] | None = None) -> int:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--lignes", type=int, default=65_000)
    parseur.add_argument("--graine", type=int, default=2025)
    parseur.add_argument("--dossier", type=Path, default=None, help="dossier de travail (temporaire par défaut)")
    parseur.add_argument("--repetitions", type=int, default=3, help="passages de chaque mesure (le meilleur compte)")
    options = parseur.parse_args(arguments)
    with tempfile.TemporaryDirectory(prefix="cmq-bench-") as temporaire:
        dossier = options.dossier or Path(temporaire)
        dossier.mkdir(parents=True, exist_ok=True)
        fichier = dossier / "fr-en-annuaire-education.csv"
        base = dossier / "bench.db"
        generer(fichier, options.lignes, options.graine)
        taille = fichier.stat().st_size / 1e6
        print(f"Fichier : {fichier.name}, {options.lignes} lignes, {len(ENTETE)} colonnes, {taille:.1f} Mo")
        url = f"sqlite:///{base}"
        mesures: dict[str, list[dict]] = {"polars": [], "premier": [], "second": []}
        for _ in range(options.repetitions):
            for suffixe in ("", "-wal", "-shm"):
                Path(f"{base}{suffixe}").unlink(missing_ok=True)
            mesures["polars"].append(mesurer(LECTURE_POLARS, str(fichier)))
            mesures["premier"].append(mesurer(IMPORT_CMQ, str(fichier), url))
            mesures["second"].append(mesurer(IMPORT_CMQ, str(fichier), url))
    # Best run of each measure (least disturbed by the rest of the machine), peak RSS of all runs.
    polars_, premier, second = (
        {**min(runs, key=lambda m: m["operation"]), "rss_mo": max(m["rss_mo"] for m in runs)}
        for runs in mesures.values()
    )
    print(f"{'mesure':<38} {'opération (s)':>14} {'processus (s)':>14} {'RSS max (Mo)':>13}")
    for nom, m in (("polars.read_csv (lecture nue)", polars_), ("cmq importer annuaire (base neuve)", premier),
                   ("cmq importer annuaire (2e passage)", second)):
        print(f"{nom:<38} {m['operation']:>14.2f} {m['duree']:>14.2f} {m['rss_mo']:>13.0f}")
    print(f"1er passage : {premier['inserees']} insérées, {premier['rejetees']} rejetées ; "
          f"2e passage : {second['inserees']} insérées, {second['mises_a_jour']} mises à jour")
    rapport = premier["operation"] / polars_["operation"]
    rapport_processus = premier["duree"] / polars_["duree"]
    print(f"Rapport import / lecture nue : {rapport:.1f}× (opérations), {rapport_processus:.1f}× (processus)")
    cibles = [("≤ 3 × la lecture nue (opérations)", rapport <= 3), ("< 10 s", premier["duree"] < 10),
              ("RSS max < 500 Mo", premier["rss_mo"] < 500)]
    for libelle, atteinte in cibles:
        print(f"  cible {libelle} : {'atteinte' if atteinte else 'NON atteinte'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
