"""Property tests (hypothesis): no input makes the validators, the filière normalisation, the
territory resolution or the importers' parsing raise anything but cmq's own documented errors.

Examples are bounded (`max_examples`) and derandomized so the suite stays fast and repeatable;
the strategies mix arbitrary values with near-valid ones (dates, years, durations, codes) where
the bugs hide.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cmq import codes, filieres, territoires
from cmq.cli import app
from cmq.errors import (
    CmqError,
    CodeInvalide,
    EntreeInvalide,
    ErreurReseau,
    TerritoireInconnu,
)
from cmq.importation import conversion, valeurs
from cmq.importation.colonnes import ALIAS, Correspondance
from cmq.importation.conversion_bloc import convertir_etablissements
from cmq.models import Provenance
from cmq.portails.datagouv import lire_datagouv
from cmq.portails.http import ClientHttp, duree_retry_after
from cmq.portails.opendatasoft import lire_opendatasoft
from cmq.tableau import lire_tableau
from tests.import_outils import historique, instantane
from tests.serveur_local import Reponse, attentes, client_http, serveur_local  # noqa: F401

REGLAGES = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PEU = settings(REGLAGES, max_examples=60)

# --- strategies ----------------------------------------------------------------------------------

PRESQUE_VALIDES = st.one_of(
    st.from_regex(r"\A[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}\Z"),  # French dates, impossible ones too
    st.from_regex(r"\A[0-9]{4}(\.0+)?\Z"),  # years, year 0000 included
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)?\Z"),
    st.from_regex(r"\A[0-9]{1,7} ?(ans?|années?)?\Z"),  # label durations, huge ones too
    st.from_regex(r"\A-?[0-9]{1,4}([.,][0-9]{1,8})?( *[,;] *-?[0-9]{1,4}([.,][0-9]{1,8})?)?\Z"),  # numbers, points
    st.from_regex(r"\A0?[0-9]{2,3}[A-Za-z]?\Z"),  # département / académie / région codes
    st.from_regex(r"\A[0-9]{7}[A-Za-z]\Z"),  # UAI-like
    st.sampled_from(
        [
            "Oui",
            "non",
            "Excellence",
            "FERME",
            "Fermé",
            "Public",
            "Privé sous contrat",
            "nan",
            "inf",
            "-inf",
            "1e400",
            "NaN",
            "٢٠١٩",
            "²",
            "Ⅻ",
            "𝟐𝟎𝟏𝟗",
            "0000",
            "29/02/2019",
            "99999 ans",
            "support",
            "membre",
            "Lyon",
            "Rhône",
            "ac-lyon",
            "84",
            "2A",
            "974",
            "numérique",
            "BTP",
        ]
    ),
)
SCALAIRES = st.one_of(
    st.text(max_size=40),
    PRESQUE_VALIDES,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
)
JSON = st.recursive(
    SCALAIRES,
    lambda enfants: st.one_of(st.lists(enfants, max_size=3), st.dictionaries(st.text(max_size=8), enfants, max_size=3)),
    max_leaves=8,
)
VALEURS_CELLULE = st.one_of(
    SCALAIRES,
    st.lists(SCALAIRES, max_size=3),
    st.dictionaries(st.sampled_from(["lat", "lon", "lng", "x"]), SCALAIRES, max_size=3),
)
OBJETS = st.one_of(JSON, st.binary(max_size=10), st.dates(), st.datetimes(), st.tuples(st.integers()))


def _correspondance(genre: str) -> Correspondance:
    """Every field of a kind of rows, each in a column of its own name."""
    return Correspondance(type_import=genre, champs={champ: champ for champ in ALIAS[genre]})


def _ligne(genre: str) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional={champ: VALEURS_CELLULE for champ in ALIAS[genre]})


# --- codes ------------------------------------------------------------------------------------------

NORMALISEURS = [
    codes.normaliser_uai,
    codes.normaliser_siren,
    codes.normaliser_siret,
    codes.normaliser_departement,
    codes.normaliser_commune,
]
TESTS = [codes.est_uai, codes.est_siren, codes.est_siret, codes.est_departement, codes.est_commune]


@REGLAGES
@given(st.one_of(OBJETS, PRESQUE_VALIDES, st.from_regex(r"\A[0-9 .\-]{5,16}\Z")))
def test_codes_seulement_code_invalide(valeur):
    for normaliser, est in zip(NORMALISEURS, TESTS):
        try:
            resultat = normaliser(valeur)
        except CodeInvalide as erreur:
            assert str(erreur)
            assert est(valeur) is False
        else:
            assert est(valeur) is True
            assert normaliser(resultat) == resultat  # canonical forms are fixed points


# --- filières ----------------------------------------------------------------------------------


@REGLAGES
@given(
    st.one_of(st.text(max_size=80), PRESQUE_VALIDES, st.sampled_from([" ", "\u3000", "\t\n", ""])),
    st.integers(min_value=-3, max_value=20),
)
def test_filieres_normalisation_et_recherche(texte, limite):
    if not texte.strip():
        for appel in (lambda: filieres.normalize(texte), lambda: filieres.search(texte)):
            with pytest.raises(EntreeInvalide, match="texte vide"):
                appel()
        return
    decision = filieres.normalize(texte)
    assert 0.0 <= decision.score <= 100.0
    assert (decision.statut == "normalise") == (decision.filiere is not None)
    assert decision.statut in ("normalise", "ambigu", "inconnu")
    if decision.statut == "normalise":
        assert decision.filiere == decision.candidats[0].filiere
    if limite < 1:
        with pytest.raises(EntreeInvalide, match="limite invalide"):
            filieres.search(texte, limite)
        return
    trouves = filieres.search(texte, limite)
    assert len(trouves) <= limite
    assert all(0.0 < r.score <= 100.0 for r in trouves)
    assert [r.score for r in trouves] == sorted((r.score for r in trouves), reverse=True)


@PEU
@given(OBJETS.filter(lambda v: not isinstance(v, str)))
def test_filieres_objet_qui_n_est_pas_du_texte(valeur):
    with pytest.raises(EntreeInvalide, match="texte attendu pour une filière"):
        filieres.normalize(valeur)
    with pytest.raises(EntreeInvalide):
        filieres.search(valeur)


# --- territories -------------------------------------------------------------------------------


@REGLAGES
@given(
    st.one_of(st.text(max_size=40), PRESQUE_VALIDES, OBJETS),
    st.one_of(st.none(), st.sampled_from(territoires.ECHELLES), st.sampled_from(["région", "Académie", "canton"])),
)
def test_territoires_seulement_inconnu_ou_invalide(texte, echelle):
    try:
        trouve = territoires.resoudre(texte, echelle)
    except (TerritoireInconnu, EntreeInvalide) as erreur:
        assert str(erreur)
    else:
        assert trouve.code in {t.code for t in territoires.territoires(trouve.echelle)}
        if echelle in territoires.ECHELLES:
            assert trouve.echelle == echelle
    if isinstance(texte, str) and (echelle is None or echelle in territoires.ECHELLES):
        assert len(territoires.suggestions(texte, echelle)) <= 5


# --- cell values and row conversion -----------------------------------------------------------------


@REGLAGES
@given(VALEURS_CELLULE)
def test_valeurs_seulement_entree_invalide(valeur):
    fonctions = [
        valeurs.texte,
        valeurs.booleen,
        valeurs.nombre,
        valeurs.point,
        valeurs.jour,
        valeurs.annee,
        valeurs.liste,
        valeurs.secteur,
        lambda v: valeurs.coordonnee(v, "latitude", 90),
        lambda v: valeurs.fin_selon_duree(date(2020, 2, 29), v),
    ]
    for fonction in fonctions:
        try:
            fonction(valeur)
        except EntreeInvalide as erreur:
            assert str(erreur)


CONTEXTE = conversion.Contexte({"cmq-a": "Campus A", "cmq-b": "Campus des Bois"})
PROVENANCE = Provenance(
    source_nom="essai", source_url="https://exemple.gouv.fr/essai", date_recuperation=date(2025, 1, 1)
)


@REGLAGES
@given(st.sampled_from(list(ALIAS)), st.data())
def test_conversion_d_une_ligne_quelconque(genre, data):
    ligne = data.draw(_ligne(genre))
    conv = conversion.convertisseur(
        _correspondance(genre), CONTEXTE, provenance=PROVENANCE, inclure_fermes=data.draw(st.booleans())
    )
    try:
        resultat = conversion.convertir(conv, ligne)
    except EntreeInvalide as erreur:  # a rejected row: the pipeline reports it with its line number
        assert str(erreur)
        return
    if resultat is not None:
        assert resultat.cle is not None
        principal = {
            "campus": resultat.campus,
            "etablissements": resultat.etablissement,
            "membres": resultat.membre,
            "partenaires": resultat.partenaire,
        }[genre]
        assert principal is not None


CELLULES_TEXTE = st.one_of(st.text(max_size=20), PRESQUE_VALIDES, st.just(""))


@PEU
@given(
    st.lists(
        st.fixed_dictionaries({champ: CELLULES_TEXTE for champ in ALIAS["etablissements"]}), min_size=1, max_size=12
    )
)
def test_conversion_en_bloc_des_etablissements(lignes):
    conv = conversion.convertisseur(_correspondance("etablissements"), CONTEXTE)
    cadre = pl.DataFrame(lignes, schema=dict.fromkeys(ALIAS["etablissements"], pl.String))
    resultat = convertir_etablissements(cadre, conv)  # never raises: each row is valid, rejected or skipped
    assert resultat.valides.height + len(resultat.rejets) + resultat.ignorees == cadre.height
    assert all(raison for _, _, raison in resultat.rejets)


# --- files ----------------------------------------------------------------------------------------

SUFFIXES = [".csv", ".CSV", ".txt", ".tsv", ".xlsx"]
TEXTE_CSV = st.lists(
    st.sampled_from(
        ["a", "é", "UAI", "nom", ";", ",", "\t", '"', "\n", "\r\n", "\r", " ", "\xa0", "\ufeff", "0690026D", "x"]
    ),
    max_size=60,
).map("".join)


def _ecrire(tmp_path, nom: str, contenu: bytes):
    chemin = tmp_path / nom
    chemin.write_bytes(contenu)
    return chemin


@REGLAGES
@given(
    st.one_of(
        st.binary(max_size=400),
        TEXTE_CSV.map(lambda t: t.encode("utf-8")),
        TEXTE_CSV.map(lambda t: t.encode("cp1252", errors="replace")),
    ),
    st.sampled_from(SUFFIXES),
)
def test_lire_tableau_octets_quelconques(tmp_path, contenu, suffixe):
    chemin = _ecrire(tmp_path, f"d{suffixe}", contenu)
    try:
        tableau = lire_tableau(chemin)
    except CmqError as erreur:
        assert str(erreur)
        return
    assert len(tableau.lignes) == len(tableau.numeros) == tableau.cadre.height
    assert all(set(ligne) == set(tableau.colonnes) for ligne in tableau.lignes)


def _classeur(valeurs_: list[list]) -> bytes:
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    for rang in valeurs_:
        feuille.append(rang)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


CELLULES_XLSX = st.one_of(
    st.none(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1)),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=15),
)


@PEU
@given(st.lists(st.lists(CELLULES_XLSX, max_size=5), max_size=6))
def test_lire_classeur_quelconque(tmp_path, rangs):
    chemin = _ecrire(tmp_path, "c.xlsx", _classeur(rangs))
    try:
        tableau = lire_tableau(chemin)
    except CmqError as erreur:
        assert str(erreur)
        return
    assert all(isinstance(v, str) for ligne in tableau.lignes for v in ligne.values())


CLASSEUR_VALIDE = _classeur([["UAI", "Nom"], ["0690026D", "Lycée Ampère"], ["0010001W", "Lycée Lalande"]])


@PEU
@given(
    st.lists(st.tuples(st.integers(0, len(CLASSEUR_VALIDE) - 1), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(1, len(CLASSEUR_VALIDE)),
)
def test_lire_classeur_abime(tmp_path, alterations, longueur):
    contenu = bytearray(CLASSEUR_VALIDE)
    for position, octet in alterations:
        contenu[position] = octet
    chemin = _ecrire(tmp_path, "abime.xlsx", bytes(contenu[:longueur]))
    try:
        lire_tableau(chemin)
    except CmqError as erreur:
        assert str(erreur)


# --- remote bodies ----------------------------------------------------------------------------

PAGE_ODS = st.fixed_dictionaries(
    {"total_count": st.one_of(st.integers(-3, 25), JSON)},
    optional={
        "results": st.one_of(st.lists(JSON, max_size=4), JSON),
        "records": st.one_of(st.lists(JSON, max_size=4), JSON),
    },
)
PAGE_DATAGOUV = st.fixed_dictionaries(
    {"data": st.one_of(st.lists(st.dictionaries(st.text(max_size=5), JSON, max_size=3), max_size=3), JSON)},
    optional={
        "meta": st.one_of(st.fixed_dictionaries({"total": st.one_of(st.integers(-3, 9), JSON)}), JSON),
        "links": st.one_of(
            st.fixed_dictionaries(
                {
                    "next": st.one_of(
                        st.none(),
                        st.sampled_from(
                            ["?page=2", "/api/resources/R/data/?page=3", "https://ailleurs.fr/x", "http://[::1", ""]
                        ),
                        JSON,
                    )
                }
            ),
            JSON,
        ),
    },
)


def _corps(valeur) -> Reponse:
    return Reponse(200, json.dumps(valeur).encode(), {"Content-Type": "application/json"})


@PEU
@given(st.one_of(PAGE_ODS, JSON))
def test_corps_opendatasoft_quelconque(serveur_local, client_http, corps):
    serveur_local.route("/api/explore/v2.1/catalog/datasets/ds/records", _corps(corps))
    try:
        lot = lire_opendatasoft(serveur_local.url, "ds", client=client_http)
    except CmqError as erreur:
        assert str(erreur)
        return
    assert all(isinstance(ligne, dict) for ligne in lot.lignes)


@PEU
@given(st.one_of(PAGE_DATAGOUV, JSON))
def test_corps_datagouv_quelconque(serveur_local, client_http, corps):
    serveur_local.route("/api/resources/R/data/", _corps(corps))
    try:
        lot = lire_datagouv("R", base=serveur_local.url, client=client_http)
    except ErreurReseau as erreur:
        assert str(erreur)
        return
    assert all(isinstance(ligne, dict) and "__id" not in ligne for ligne in lot.lignes)


@REGLAGES
@given(
    st.one_of(
        st.none(),
        st.text(max_size=40),
        st.from_regex(r"\A[0-9. e+-]{1,12}\Z"),
        st.sampled_from(
            [
                "nan",
                "inf",
                "-inf",
                "1e400",
                "Wed, 21 Oct 2015 07:28:00 GMT",
                "Wed, 21 Oct 9999 07:28:00 GMT",
                "Sun, 00 Xyz 0000 99:99:99 GMT",
            ]
        ),
    )
)
def test_retry_after_jamais_d_exception(valeur):
    duree = duree_retry_after(valeur)
    assert duree is None or duree >= 0  # never negative nor NaN (NaN >= 0 is False)
    with ClientHttp(attente_max=30.0) as client:
        assert 0 <= client.attente(1, duree) <= 30.0  # "inf" or a far date never means a long sleep


# --- bugs found by the properties above, pinned --------------------------------------------------


@pytest.mark.parametrize(
    ("appel", "message"),
    [
        (lambda: valeurs.jour("0000"), "date invalide « 0000 »"),  # was ValueError: year 0 is out of range
        (lambda: valeurs.fin_selon_duree(date(2020, 1, 1), "8000"), "durée du label invalide « 8000 »"),  # year 10019
        (lambda: valeurs.fin_selon_duree(date(2020, 1, 1), "1446033944 ans"), "durée du label invalide"),  # overflow
    ],
)
def test_valeurs_hors_du_calendrier(appel, message):
    with pytest.raises(EntreeInvalide, match=message):
        appel()


def test_en_tete_fait_seulement_de_separateurs_et_bom(tmp_path):
    with pytest.raises(CmqError, match="aucun nom de colonne dans l'en-tête"):  # was IndexError (polars path)
        lire_tableau(_ecrire(tmp_path, "bom.csv", b";\xef\xbb\xbf\n1;2\n"))
    assert lire_tableau(_ecrire(tmp_path, "cr.csv", b"\ra")).colonnes == ["a"]  # was csv.Error (delimiter guess)


def test_cli_import_refuse_proprement_ces_entrees(base_vide, tmp_path):
    campus = _ecrire(
        tmp_path, "campus.csv", b"nom;filiere;date_debut_label;duree_label\nCampus long;BTP;2020-01-01;9000\n"
    )
    for fichier, message in (
        (_ecrire(tmp_path, "bom.csv", b";\xef\xbb\xbf\n1;2\n"), "aucun nom de colonne"),
        (campus, "ligne 2 : durée du label invalide « 9000 »"),
    ):
        resultat = CliRunner().invoke(app, ["importer", "csv", str(fichier)])
        assert resultat.exit_code == 1, resultat.output
        assert message in resultat.stderr and "Traceback" not in resultat.output
    assert [h.statut for h in historique(base_vide)] == ["echec"]  # the refused campus file, recorded
    assert all(not lignes for lignes in instantane(base_vide).values())  # and no directory row written
