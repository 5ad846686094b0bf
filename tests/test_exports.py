"""Export formats (CSV, JSON, XLSX, GeoJSON, Markdown), atomic writes, and the exported tables."""

import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from cmq import exports, extraction, glossaire, indicateurs
from cmq.errors import EntreeInvalide, ErreurEcriture
from cmq.store import db
from tests.indicateurs_exemple import CFA_GRENOBLE, LYC_LYON, UAI_ABSENT, D, remplir

COLONNES = ["code", "nom", "nb", "part", "ok", "jour", "ids", "vide"]
LIGNES = [
    ["10", "Lyon", 3, 0.3333, True, date(2025, 9, 1), ["a", "b"], None],
    ["08", "Grenoble; Alpes", 0, None, False, date(2024, 1, 31), [], None],
]


def test_csv_par_defaut_utf8_virgule():
    contenu = exports.exporter(COLONNES, LIGNES, "csv")
    assert not contenu.startswith(b"\xef\xbb\xbf")
    texte = contenu.decode("utf-8")
    assert texte.splitlines() == [
        "code,nom,nb,part,ok,jour,ids,vide",
        "10,Lyon,3,0.3333,true,2025-09-01,a|b,",
        "08,Grenoble; Alpes,0,,false,2024-01-31,,",
    ]


def test_csv_excel_francais_point_virgule_bom_virgule_decimale():
    contenu = exports.exporter(COLONNES, LIGNES, "CSV", separateur=";", bom=True)
    assert contenu.startswith(b"\xef\xbb\xbf")
    lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert lignes[1] == ["10", "Lyon", "3", "0,3333", "true", "2025-09-01", "a|b", ""]
    assert lignes[2][1] == "Grenoble; Alpes"  # quoted, not split


def test_csv_separateur_refuse():
    with pytest.raises(EntreeInvalide, match="séparateur « | » non pris en charge"):
        exports.exporter(COLONNES, LIGNES, "csv", separateur="|")


def test_json_objets_types():
    objets = json.loads(exports.exporter(COLONNES, LIGNES, "json"))
    assert objets[0] == {
        "code": "10",
        "nom": "Lyon",
        "nb": 3,
        "part": 0.3333,
        "ok": True,
        "jour": "2025-09-01",
        "ids": ["a", "b"],
        "vide": None,
    }
    assert objets[1]["ids"] == []


def test_xlsx_feuilles_cellules_typees_entete_gras_figee(tmp_path):
    chemin = tmp_path / "sortie.xlsx"
    formule = [["=1+1", "Paris", 1, 0.5, False, date(2020, 1, 1), ["x"], None]]
    exports.ecrire(chemin, exports.xlsx_octets({"Académies": (COLONNES, LIGNES), "Feuille: 2/3": (COLONNES, formule)}))
    classeur = load_workbook(chemin)
    assert classeur.sheetnames == ["Académies", "Feuille- 2-3"]
    feuille = classeur["Académies"]
    assert [c.value for c in feuille[1]] == COLONNES
    assert all(c.font.b for c in feuille[1])
    assert feuille.freeze_panes == "A2"
    assert [c.value for c in feuille[2]] == ["10", "Lyon", 3, 0.3333, True, datetime(2025, 9, 1), "a|b", None]
    assert feuille["F2"].is_date and feuille["F2"].number_format == "yyyy-mm-dd"
    assert feuille["C2"].data_type == "n" and feuille["E2"].data_type == "b"
    assert feuille.column_dimensions["B"].width == len("Grenoble; Alpes") + 2
    autre = classeur["Feuille- 2-3"]
    assert autre["A2"].value == "=1+1" and autre["A2"].data_type == "s"  # text, never a formula
    assert feuille.max_row == 3


def test_geojson_points_lon_lat_et_lignes_ignorees():
    points = [
        {"nature": "siege", "id": "a", "latitude": 45.75, "longitude": 4.83, "debut": date(2020, 1, 1)},
        {"nature": "siege", "id": "b", "latitude": None, "longitude": None},
        {"nature": "membre", "uai": "x", "latitude": 48.8, "longitude": 2.3, "academies": ["10"]},
        {"nature": "membre", "uai": "y", "latitude": 48.8, "longitude": None},
    ]
    collection, ignores = exports.collection_geojson(points)
    assert ignores == {"siege": 1, "membre": 1}
    assert collection["type"] == "FeatureCollection"
    assert collection["features"] == [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [4.83, 45.75]},
            "properties": {"nature": "siege", "id": "a", "debut": "2020-01-01"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [2.3, 48.8]},
            "properties": {"nature": "membre", "uai": "x", "academies": ["10"]},
        },
    ]
    assert json.loads(exports.geojson_octets(collection)) == collection


def test_markdown_table_echappe_les_barres():
    texte = exports.exporter(["a", "b"], [["x|y", 1]], "md").decode("utf-8")
    assert texte == "| a | b |\n| --- | --- |\n| x\\|y | 1 |\n"


@pytest.fixture
def url(base_vide):
    remplir(base_vide)
    yield base_vide
    db.fermer_tout()


def test_markdown_glossaire_avec_chiffres_nationaux(url):
    lignes = indicateurs.indicateurs("france", date=D, url=url)
    texte = exports.markdown_glossaire(lignes)
    assert texte.startswith(glossaire.rendre(glossaire.entree("cmq")).rstrip("\n"))
    chiffres = texte[texte.index("## Chiffres") :]
    assert chiffres.startswith("## Chiffres au 1er septembre 2025 — France\n\n- Campus labellisés : 3\n")
    assert "\n  - dont campus d'excellence : 1 (33,3 %)\n- Campus par filière :\n" in chiffres
    assert "\n  - Numérique, télécommunications : 1\n" in chiffres
    assert "\n  - Alimentaire, agroalimentaire : 0\n" in chiffres
    assert "\n- Lycées membres d'au moins un campus : 2 (33,3 %)\n" in chiffres
    assert "\n- Campus dont les membres sont connus : 2 sur 3\n" in chiffres
    assert "\n- Campus sans date de début de label : 1 sur 3\n" in chiffres
    assert "|" not in chiffres  # no pipe table: Orion renders Markdown without GFM
    assert texte.rstrip().endswith("une couverture inconnue est notée « — », jamais 0 %.")
    assert "Source : calculé par cmq à partir du référentiel, au 1er septembre 2025" in texte


def test_markdown_rendu_commonmark_sans_gfm(url):
    """As Orion's react-markdown without GFM shows it: lists, never a raw pipe table."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(
        exports.markdown_chiffres(indicateurs.indicateurs("france", date=D, url=url))
    )
    assert html.count("<ul>") == 3 and "<li>Campus labellisés : 3\n<ul>" in html
    assert "<li>dont campus d'excellence : 1 (33,3 %)</li>" in html and "|" not in html


def test_markdown_plusieurs_territoires(url):
    lignes = indicateurs.indicateurs("academie", date=D, url=url)[:3]
    texte = exports.markdown_chiffres(lignes)
    assert texte.startswith("## Chiffres au 1er septembre 2025\n\n### Paris (01)\n\n- Campus labellisés : 0\n")
    assert texte.count("\n### ") == 3 and "|" not in texte


def test_ecriture_atomique_et_dossiers_invalides(tmp_path):
    chemin = tmp_path / "a.csv"
    exports.exporter(COLONNES, LIGNES, "csv", chemin)
    assert chemin.read_bytes().startswith(b"code,nom")
    avant = chemin.read_bytes()
    with pytest.raises(EntreeInvalide, match="format non pris en charge : « pdf »"):
        exports.exporter(COLONNES, LIGNES, "pdf", chemin)
    assert chemin.read_bytes() == avant  # untouched
    with pytest.raises(ErreurEcriture, match="n'existe pas"):
        exports.exporter(COLONNES, LIGNES, "csv", tmp_path / "absent" / "b.csv")
    (tmp_path / "dossier.csv").mkdir()
    with pytest.raises(ErreurEcriture, match="c'est un dossier"):
        exports.exporter(COLONNES, LIGNES, "csv", tmp_path / "dossier.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "dossier.csv"]  # no temporary file left


def test_tables_exportees(url):
    with db.session(url) as s:
        colonnes, lignes = extraction.table_campus(s)
        assert colonnes[:7] == ["id", "nom", "sigle", "filiere", "excellence", "region_academique", "academies"]
        assert [l[0] for l in lignes] == [
            "cmq-aero-lyon",
            "cmq-bois-grenoble",
            "cmq-chimie-normandie",
            "cmq-numerique-lyon",
            "cmq-tourisme-paris",
        ]
        assert lignes[1][6] == ["08"]
        assert len(extraction.table_campus(s, D)[1]) == 3
        colonnes, lignes = extraction.table_membres(s, D)
        assert colonnes[:4] == ["campus_id", "uai", "role", "nom"]
        assert len(lignes) == 6  # members of the 3 campuses valid on D
        absent = next(l for l in lignes if l[1] == UAI_ABSENT)
        assert absent[:4] == ["cmq-numerique-lyon", UAI_ABSENT, "membre", None]
        assert len(extraction.table_membres(s)[1]) == 8
        colonnes, lignes = extraction.table_etablissements(s)
        assert len(lignes) == 8 and colonnes[0] == "uai"


def test_geojson_du_referentiel(url):
    with db.session(url) as s:
        collection, ignores = exports.collection_geojson(extraction.points_campus(s, D))
    # seats: numerique-lyon has coordinates, bois-grenoble and aero-lyon do not;
    # members: LYC_LYON (2 memberships), COLLEGE_LYON, LGT_GRENOBLE located; CFA_GRENOBLE, UAI_ABSENT not
    assert ignores == {"siege": 2, "membre": 2}
    natures = [
        (f["properties"]["nature"], f["properties"].get("id") or f["properties"]["uai"]) for f in collection["features"]
    ]
    assert natures[0] == ("siege", "cmq-numerique-lyon")
    assert sorted(n for n in natures if n[0] == "membre").count(("membre", LYC_LYON)) == 2
    assert ("membre", CFA_GRENOBLE) not in natures and len(natures) == 5
    siege = collection["features"][0]
    assert siege["geometry"]["coordinates"] == [4.832, 45.7578]
    assert siege["properties"]["academies"] == ["10"]
    assert siege["properties"]["date_debut_label"] == "2020-01-01"
