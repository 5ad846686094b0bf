"""Tests of cmq.communes (look-ups on the packaged communes.csv.gz) and of scripts/build_communes.py."""

import csv
import gzip
import importlib.util
import io
import json
import tarfile
from importlib import resources
from pathlib import Path

import pytest

from cmq import codes, communes, territoires
from cmq.errors import CodeInvalide, IntrouvableError
from tests.bornes_geo import dans_sa_region

DEPOT = Path(__file__).resolve().parent.parent
COLONNES = ["code_commune", "nom", "departement", "codes_postaux", "latitude", "longitude", "noms_anciens"]


# ---------------------------------------------------------------- look-ups


def test_commune_par_code():
    lyon = communes.commune("69123")
    assert (lyon.nom, lyon.departement) == ("Lyon", "69")
    assert "69007" in lyon.codes_postaux
    assert abs(lyon.latitude - 45.76) < 0.05 and abs(lyon.longitude - 4.84) < 0.05
    ajaccio = communes.commune("2a004")  # lower-case Corsican code accepted
    assert (ajaccio.code, ajaccio.nom, ajaccio.departement) == ("2A004", "Ajaccio", "2A")
    assert abs(ajaccio.latitude - 41.92) < 0.05 and abs(ajaccio.longitude - 8.74) < 0.05


def test_commune_code_invalide_ou_inconnu():
    with pytest.raises(CodeInvalide, match="code commune INSEE invalide « 6912 »"):
        communes.commune("6912")
    with pytest.raises(IntrouvableError, match="commune « 69999 » inconnue"):
        communes.commune("69999")


def test_homonymes_departages_par_departement_ou_code_postal():
    assert communes.chercher("Saint-Denis") is None  # 93066 and 97411 (and others): never guessed
    assert {c.code for c in communes.correspondances("Saint-Denis")} >= {"93066", "97411"}
    assert communes.chercher("Saint-Denis", departement="974").code == "97411"
    assert communes.chercher("Saint-Denis", departement="93").code == "93066"
    assert communes.chercher("saint denis", code_postal="97400").code == "97411"
    assert communes.chercher("SAINT-DENIS", code_postal="93200").code == "93066"
    assert communes.chercher("Beaumont") is None and len(communes.correspondances("Beaumont")) > 5


@pytest.mark.parametrize(
    ("nom", "contexte", "code"),
    [
        ("ST ETIENNE", {}, "42218"),
        ("Saint-Etienne", {}, "42218"),
        ("SAINT-ÉTIENNE CEDEX 2", {"code_postal": "42029"}, "42218"),  # CEDEX code listed by no commune
        ("Bruz Cedex", {}, "35047"),
        ("BRUZ CEDEX", {"code_postal": "35171"}, "35047"),
        ("lyon", {"departement": "069"}, "69123"),
        ("Sables-d'Olonne (Les)", {}, "85194"),
        ("Saint-Christol-lès-Alès", {}, "30243"),  # official spelling: Saint-Christol-lez-Alès
        ("Cherbourg-Octeville", {}, "50129"),  # commune déléguée -> Cherbourg-en-Cotentin
        ("Saint-Ouen", {"code_postal": "93400"}, "93070"),  # renamed Saint-Ouen-sur-Seine
        ("Le Port", {"departement": "974", "code_postal": "97821"}, "97407"),  # 978xx: Réunion CEDEX
        ("Valence 9", {"departement": "26"}, "26362"),
    ],
)
def test_chercher_variantes_d_ecriture(nom, contexte, code):
    assert communes.chercher(nom, **contexte).code == code


@pytest.mark.parametrize(
    ("nom", "contexte"),
    [
        ("Lyon", {"code_postal": "35000"}),  # postcode of another département
        ("Lyon", {"departement": "38"}),
        ("Château-Chinon", {"code_postal": "58120"}),  # (Ville) and (Campagne) share the postcode
        ("Vitrolles", {}),  # Bouches-du-Rhône and Hautes-Alpes
        ("Nulle-Part-sur-Rien", {}),
        ("", {}),
        ("cedex", {}),
    ],
)
def test_chercher_rien_quand_ambigu_ou_inconnu(nom, contexte):
    assert communes.chercher(nom, **contexte) is None


def test_chercher_departement_invalide():
    with pytest.raises(CodeInvalide, match="département invalide « 99 »"):
        communes.chercher("Lyon", departement="99")


@pytest.mark.parametrize(
    ("nom", "cle"),
    [
        ("ST ETIENNE CEDEX 2", "saint etienne"),
        ("Sables-d'Olonne (Les)", "les sables d olonne"),
        ("L'Isle-Adam", "l isle adam"),
        ("Ste-Foy-lès-Lyon", "sainte foy les lyon"),
        ("Les Mureaux 78132", "les mureaux"),
    ],
)
def test_cle_nom(nom, cle):
    assert communes.cle_nom(nom) == cle


def test_chargement_unique():
    communes._index.cache_clear()
    communes.commune("69123")
    communes.chercher("Lyon")
    communes.toutes()
    assert communes._index.cache_info().misses == 1


# ---------------------------------------------------------------- communes.csv.gz (packaged file)


@pytest.fixture(scope="module")
def lignes() -> list[dict[str, str]]:
    fichier = resources.files("cmq").joinpath("data", "communes.csv.gz")
    with fichier.open("rb") as brut, gzip.open(brut, "rt", encoding="utf-8", newline="") as flux:
        lecteur = csv.DictReader(flux)
        assert lecteur.fieldnames == COLONNES
        return list(lecteur)


def test_fichier_communes_actuelles_des_101_departements(lignes):
    assert 34_000 < len(lignes) < 36_000
    codes_communes = [ligne["code_commune"] for ligne in lignes]
    assert codes_communes == sorted(set(codes_communes))
    departements = {d.code for d in territoires.departements()}
    assert {ligne["departement"] for ligne in lignes} == departements
    for ligne in lignes:
        code = codes.normaliser_commune(ligne["code_commune"])
        assert code.startswith(ligne["departement"]) or (
            ligne["departement"] in ("2A", "2B") and code[:2] == ligne["departement"]
        )
    assert not any(code.startswith(("975", "977", "978", "98")) for code in codes_communes)


def test_fichier_points_dans_leur_region(lignes):
    avec_point = [ligne for ligne in lignes if ligne["latitude"]]
    assert len(avec_point) / len(lignes) > 0.40  # 14 752 / 34 875 (42.3 %) with GeoNames cities500
    for ligne in avec_point:
        assert len(ligne["latitude"].split(".")[1]) <= 4 and len(ligne["longitude"].split(".")[1]) <= 4
        assert dans_sa_region(ligne["departement"], float(ligne["latitude"]), float(ligne["longitude"])), ligne
    assert all(not ligne["longitude"] for ligne in lignes if not ligne["latitude"])
    for dom in ("971", "972", "973", "974", "976"):
        assert any(ligne["departement"] == dom for ligne in avec_point), dom


def test_fichier_codes_postaux_et_noms_anciens(lignes):
    par_code = {ligne["code_commune"]: ligne for ligne in lignes}
    assert par_code["75056"]["codes_postaux"].split()[:3] == ["75001", "75002", "75003"]
    assert "Cherbourg-Octeville" in par_code["50129"]["noms_anciens"].split("|")
    assert all(len(cp) == 5 and cp.isdigit() for ligne in lignes for cp in ligne["codes_postaux"].split())


# ---------------------------------------------------------------- build_communes.py (the script)


def _script():
    spec = importlib.util.spec_from_file_location("build_communes", DEPOT / "scripts" / "build_communes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tgz(chemin: Path, membres: dict[str, str]) -> Path:
    """An npm-like tarball (files under package/)."""
    with tarfile.open(chemin, "w:gz") as tf:
        for nom, texte in membres.items():
            donnees = texte.encode("utf-8")
            info = tarfile.TarInfo(f"package/{nom}")
            info.size = len(donnees)
            tf.addfile(info, io.BytesIO(donnees))
    return chemin


def _actuelle(code, nom, dep, cps=(), zone="metro"):
    return {
        "code": code,
        "nom": nom,
        "type": "commune-actuelle",
        "zone": zone,
        "departement": dep,
        "codesPostaux": list(cps),
    }


COG = [
    _actuelle("01001", "Alpha", "01", ["01100"]),
    _actuelle("01002", "Bêta-Nouvelle", "01", ["01200", "01210"]),
    {"code": "01002", "nom": "Bêta", "type": "commune-deleguee", "chefLieu": "01002", "departement": "01"},
    {"code": "01003", "nom": "Gamma", "type": "commune-deleguee", "chefLieu": "01002", "departement": "01"},
    _actuelle("01004", "Delta", "01", ["01300"]),
    _actuelle("01005", "Epsilon", "01", ["01400"]),
    _actuelle("01006", "Zêta", "01"),
    _actuelle("97101", "Les Abymes", "971", ["97139"], zone="drom"),
    _actuelle("97611", "Mamoudzou", "976", ["97600"], zone="drom"),
    _actuelle("98735", "Papeete", "987", ["98714"], zone="com"),
]


def _lieu(ident, nom, lat, lon, code, pays="FR", admin4="", population=0, admin1="84"):
    return "\t".join(
        [
            str(ident),
            nom,
            nom,
            "",
            str(lat),
            str(lon),
            "P",
            code,
            pays,
            "",
            admin1,
            "",
            "",
            admin4,
            str(population),
            "",
            "0",
            "Europe/Paris",
            "2024-01-01",
        ]
    )


GEONAMES = [
    _lieu(1, "Alpha-Gare", 46.01, 5.01, "PPL", admin4="01001", population=5000),
    _lieu(2, "Alpha", 46.0, 5.0, "PPL", admin4="01001", population=600),  # same name wins over population
    _lieu(3, "Gamma", 46.11, 5.11, "PPL", admin4="01002", population=3000),
    _lieu(4, "Bêta", 46.1, 5.1, "PPL", admin4="01002", population=800),  # former chef-lieu (code 01002)
    _lieu(5, "Epsilon", 40.0, 0.0, "PPL", admin4="01005", population=900),  # far outside its département
    _lieu(6, "Hameau B", 46.3, 5.3, "PPL", admin4="01006", population=2000),
    _lieu(7, "Hameau A", 46.2, 5.2, "PPLA3", admin4="01006", population=900),  # rank before population
    _lieu(8, "Mamoudzou", -12.78229, 45.22878, "PPLC", pays="YT", admin1="97611", population=54831),  # Mayotte: admin1
    _lieu(9, "Papeete", -17.53, -149.56, "PPLC", pays="PF", admin4="98735", population=26000),
    _lieu(10, "Madrid", 40.4, -3.7, "PPLC", pays="ES", admin4="28079", population=3000000),
]


def _carre(code, lon_min, lat_min, lon_max, lat_max):
    anneau = [[lon_min, lat_min], [lon_max, lat_min], [lon_max, lat_max], [lon_min, lat_max], [lon_min, lat_min]]
    return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [anneau]}}


DEPARTEMENTS = {
    "type": "FeatureCollection",
    "features": [
        _carre("01", 4.5, 45.5, 6.0, 46.5),
        _carre("971", -61.9, 15.8, -61.0, 16.6),
        _carre("976", 44.9, -13.1, 45.4, -12.5),
    ],
}


def _construire(tmp_path, capsys, cog=None, geonames=None):
    cog = cog if cog is not None else {"data/communes.json": json.dumps(COG)}
    geonames = geonames if geonames is not None else {"dist/cities500.txt": "\n".join(GEONAMES) + "\n"}
    departements = tmp_path / "departements.geojson"
    departements.write_text(json.dumps(DEPARTEMENTS), encoding="utf-8")
    sortie = tmp_path / "sortie" / "communes.csv.gz"
    code = _script().main(
        [
            "--cog",
            str(_tgz(tmp_path / "cog.tgz", cog)),
            "--geonames",
            str(_tgz(tmp_path / "gn.tgz", geonames)),
            "--departements",
            str(departements),
            "--sortie",
            str(sortie),
        ]
    )
    return code, sortie, capsys.readouterr()


def test_script_communes_sur_des_archives_locales(tmp_path, capsys):
    code, sortie, sorties = _construire(tmp_path, capsys)
    assert code == 0
    for attendu in (
        "communes : 7",
        "communes avec point : 4",
        "point : lieu du même nom : 2",
        "point : lieu de l'ancien chef-lieu : 1",
        "point : principal lieu de la commune (autre nom) : 1",
        "lieux rejetés : hors du département : 1",
        "point : aucun : 3",
    ):
        assert attendu in sorties.out
    with gzip.open(sortie, "rt", encoding="utf-8") as flux:
        lignes = [list(ligne.values()) for ligne in csv.DictReader(flux)]
    assert lignes == [
        ["01001", "Alpha", "01", "01100", "46.0000", "5.0000", ""],
        ["01002", "Bêta-Nouvelle", "01", "01200 01210", "46.1000", "5.1000", "Bêta|Gamma"],
        ["01004", "Delta", "01", "01300", "", "", ""],
        ["01005", "Epsilon", "01", "01400", "", "", ""],
        ["01006", "Zêta", "01", "", "46.2000", "5.2000", ""],
        ["97101", "Les Abymes", "971", "97139", "", "", ""],
        ["97611", "Mamoudzou", "976", "97600", "-12.7823", "45.2288", ""],
    ]
    premier = sortie.read_bytes()
    assert premier[:2] == b"\x1f\x8b" and premier[4:8] == b"\x00\x00\x00\x00" and premier[3] & 0x08 == 0
    assert _construire(tmp_path, capsys)[1].read_bytes() == premier  # same packages -> same bytes


@pytest.mark.parametrize(
    ("cog", "geonames", "motif"),
    [
        ({"autre.json": "[]"}, None, "package/data/communes.json absent de l'archive"),
        ({"data/communes.json": "{pas du json"}, None, "communes.json n'est pas du JSON"),
        ({"data/communes.json": json.dumps([{"code": "01001"}])}, None, "liste d'objets {code, nom, type, …} attendue"),
        ({"data/communes.json": json.dumps(COG[-1:])}, None, "aucune commune actuelle de métropole ou d'outre-mer"),
        (None, {"dist/cities500.txt": "1\tAlpha\t46.0\n"}, "cities500.txt ligne 1 : 19 colonnes attendues, 3 lues"),
        (None, {"dist/cities500.txt": GEONAMES[0].replace("46.01", "nord")}, "coordonnées ou population illisibles"),
    ],
)
def test_script_communes_archive_invalide_rien_ecrit(tmp_path, capsys, cog, geonames, motif):
    code, sortie, sorties = _construire(tmp_path, capsys, cog, geonames)
    assert code == 1
    assert sorties.err.startswith("Erreur : ") and motif in sorties.err
    assert not sortie.parent.exists()


def test_script_communes_archive_corrompue(tmp_path, capsys):
    faux = tmp_path / "faux.tgz"
    faux.write_bytes(b"pas une archive")
    sortie = tmp_path / "c.csv.gz"
    assert _script().main(["--cog", str(faux), "--geonames", str(faux), "--sortie", str(sortie)]) == 1
    assert "archive illisible" in capsys.readouterr().err
    assert not sortie.exists()
