"""The polars CSV reader of cmq.tableau gives exactly what Python's strict csv reader gives."""

import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmq import tableau as module
from cmq.errors import CmqError
from cmq.tableau import ESPACES, lire_tableau, sans_espaces

# Characters that matter to a CSV reader, plus a few ordinary ones.
ALPHABET = ["a", "b", "é", "’", " ", "\u3000", "\xa0", ";", ",", "\t", '"', "\n", "\r", "\r\n", "x"]


def resultat(fonction, *arguments):
    """(colonnes, lignes, numeros) or the error message; None when the polars reader declines."""
    try:
        t = fonction(*arguments)
    except CmqError as erreur:
        return str(erreur)
    return None if t is None else (t.colonnes, t.lignes, t.numeros)


def comparer(tmp_path: Path, texte: str, separateur: str, bom: bool = False) -> bool:
    """True when the polars reader took the file; asserts it agrees with the csv module."""
    chemin = tmp_path / "d.csv"
    attendu = resultat(module._lire_csv_module, chemin, texte, separateur)
    obtenu = resultat(module._lire_csv_polars, chemin, b"\xef\xbb\xbf" * bom + texte.encode(), separateur)
    if obtenu is not None:
        assert obtenu == attendu, repr(texte)
    return obtenu is not None


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(morceaux=st.lists(st.sampled_from(ALPHABET), max_size=40), separateur=st.sampled_from(";,\t"), bom=st.booleans())
def test_polars_identique_au_module_csv(tmp_path, morceaux, separateur, bom):
    comparer(tmp_path, "".join(morceaux), separateur, bom)


@pytest.mark.parametrize(
    ("texte", "rapide"),
    [
        ("a;b\n1;2\n\n3;4\n", True),  # blank line: skipped, numbers kept
        ('"a";"b"\n"1";2\n', True),
        ("a;b\r\n1;2\r\n \r\n;\r\n3;4", True),  # CRLF, blank-looking rows, no final newline
        ("a;b;\n1;2\n3;4;\n", True),  # trailing empty header cell and empty extra cells
        ('a;b\n"x;y";"dit ""oui"""\n', True),  # well-formed quoted cells
        (" a ; b \n 1 ; 2 \n", True),  # spaces kept in cells, trimmed in the header
        ("a\n1\n\u3000\n2\n", True),  # a cell of Unicode spaces is blank, as for str.strip()
        ("a;b\n\x1c;\n", True),
        ('a;b\n"deux\nlignes";y\n3;z\n', False),  # a cell spanning two lines
        ("a;b\r1;2\r", False),  # lone CR
        ('a;b\nab"c;3\n', False),  # literal quote inside a cell
        ('a;b\n"x"y;3\n', False),  # malformed quotes: error from the csv module
        ("a;b\n1;2;3\n", False),  # extra non-empty cell: error from the csv module
        ("a;b;\n1;2;3\n", False),
        ("\na;b\n1;2\n", False),  # blank line before the header
    ],
)
def test_chemin_choisi_et_resultat_identique(tmp_path, texte, rapide):
    assert comparer(tmp_path, texte, ";") is rapide
    assert comparer(tmp_path, texte, ";", bom=True) is rapide


def test_cellule_trop_longue_refusee_comme_par_le_module_csv(tmp_path):
    """Same refusal through polars and through the csv module (a quote sends the file there), with the real reason."""
    for contenu in ("a;b\n1;" + "x" * 200_000 + "\n", 'a;b\n"1\n";' + "x" * 200_000 + "\n"):
        chemin = tmp_path / "d.csv"
        chemin.write_text(contenu, encoding="utf-8")
        with pytest.raises(CmqError, match="^d.csv : ligne 2 : cellule de plus de 128 Ko$"):
            lire_tableau(chemin)


def test_espaces_de_str_strip():
    assert sorted(ESPACES) == sorted(chr(c) for c in range(0x110000) if chr(c).isspace())
    valeurs = [f"{e}a{e}" for e in ESPACES] + [f"{e} b" for e in ESPACES] + ["", " ", "\x1c", "x\x1fy"]
    for avec in (True, False):  # with and without a \x1c-\x1f character in the column
        cadre = pl.DataFrame({"c": valeurs if avec else [v for v in valeurs if not re.search("[\x1c-\x1f]", v)]})
        attendu = [v.strip() for v in cadre.get_column("c").to_list()]
        assert cadre.select(sans_espaces(cadre, "c")).to_series().to_list() == attendu


def test_gros_fichier_windows_1252_lu_par_polars(tmp_path):
    chemin = tmp_path / "d.csv"
    lignes = [f"{i};Lycée n° {i};{'Privé' if i % 3 else 'Public'}" for i in range(3000)]
    chemin.write_bytes(("UAI;Nom;Secteur\r\n" + "\r\n".join(lignes) + "\r\n").encode("cp1252"))
    t = lire_tableau(chemin)
    assert (t.encodage, t.separateur, t.colonnes) == ("cp1252", ";", ["UAI", "Nom", "Secteur"])
    assert t.cadre.height == 3000 and t.numeros[:2] == [2, 3] and t.numeros[-1] == 3001
    assert t.lignes[1] == {"UAI": "1", "Nom": "Lycée n° 1", "Secteur": "Privé"}
