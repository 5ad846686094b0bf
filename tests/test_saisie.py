"""One rule per kind of typed value (cmq.saisie, cmq.fichiers): dates, yes/no, pydantic errors,
outputs written beside their input and never over it — same acceptance and same French message
wherever the value comes from (CLI, API, web, import, library)."""

import os
from datetime import date, datetime

import pytest
from pydantic import BaseModel, Field, ValidationError

from cmq import fichiers, indicateurs, resolve, saisie, territoires
from cmq.cli.lecture import analyser_date, nom_territoire
from cmq.errors import EntreeInvalide, TerritoireInconnu
from cmq.importation import valeurs
from cmq.web import parametres, vues

MESSAGE_DATE = "date invalide : « {} » (format AAAA-MM-JJ attendu, ex. 2025-09-01)"


@pytest.mark.parametrize("texte", ["2025-02-30", "2025-13-01", "hier", "01/09/2025", ""])
def test_date_invalide_meme_message_partout(texte):
    for lire in (saisie.date_iso, indicateurs.jour, analyser_date, parametres.date_optionnelle):
        if not texte and lire is parametres.date_optionnelle:
            assert lire(texte) is None
            continue
        with pytest.raises(EntreeInvalide) as erreur:
            lire(texte)
        assert str(erreur.value) == MESSAGE_DATE.format(texte)
    with pytest.raises(EntreeInvalide) as erreur:
        resolve.contexte(date=texte or " ")
    assert str(erreur.value) == MESSAGE_DATE.format(texte or " ")


def test_date_valide():
    assert saisie.date_iso(" 2025-09-01 ") == date(2025, 9, 1)
    assert saisie.date_iso(datetime(2025, 9, 1, 12, 30)) == date(2025, 9, 1)
    assert indicateurs.jour("2024-02-29") == analyser_date("2024-02-29") == date(2024, 2, 29)
    assert parametres.date_optionnelle("2024-02-29") == resolve.contexte(date="2024-02-29").date


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [("oui", True), ("Non", False), ("TRUE", True), ("0", False), ("Label Excellence", True), ("", None), (None, None)],
)
def test_oui_non_meme_regle_web_et_import(texte, attendu):
    assert saisie.oui_non(texte) is attendu
    assert valeurs.booleen(texte) is attendu
    if texte is not None:
        assert parametres.FiltresCampus.lire(excellence=texte).excellence is attendu


def test_oui_non_refus_meme_message():
    message = "valeur « peut-être » non reconnue : Oui/Non (ou vrai/faux, 1/0, Excellence) attendu"
    for lire in (saisie.oui_non, valeurs.booleen, lambda v: parametres.FiltresCampus.lire(excellence=v)):
        with pytest.raises(EntreeInvalide) as erreur:
            lire(" peut-être ")
        assert str(erreur.value) == message


class _Modele(BaseModel):
    nom: str = Field(min_length=1)
    nombre: int
    jour: date


def test_erreurs_pydantic_en_francais():
    with pytest.raises(ValidationError) as erreur:
        _Modele.model_validate({"nom": "", "jour": "2025-02-30"})
    assert saisie.raison_validation(erreur.value.errors()) == (
        "nom : au moins 1 caractère(s) attendu(s) ; nombre : obligatoire ; "
        "jour : date invalide (format AAAA-MM-JJ attendu, ex. 2025-09-01)"
    )


def test_libelle_de_territoire_une_regle():
    assert territoires.nom("academie", "10") == "Lyon"
    assert territoires.nom("academie", "99") is None and territoires.nom("academie", None) is None
    assert (vues.nom_territoire("academie", "10"), vues.nom_territoire("academie", "99")) == ("Lyon", "99")
    assert vues.nom_territoire("academie", None) is None
    assert nom_territoire("academie", "10") == "Lyon (10)"
    assert (nom_territoire("academie", "99"), nom_territoire("academie", None)) == ("99", "non renseigné")


def test_code_de_territoire_et_verification():
    assert territoires.code_de("departement", "Rhône") == "69"
    assert territoires.code_de("departement", "6") == "06"
    assert territoires.verifier_code("academie", "10") == "10"
    with pytest.raises(TerritoireInconnu) as erreur:
        territoires.verifier_code("academie", "Lyon")
    assert str(erreur.value) == (
        "code d'académie inconnu : « Lyon » (codes : 01, 02, 03, 04, 06, 07, 08, 09, 10, 11, 12, 13, 14, 15, "
        "16, 17, 18, 19, 20, 22, 23, 24, 25, 27, 28, 31, 32, 33, 43, 70)"
    )


def test_sortie_a_cote_jamais_sur_l_entree(tmp_path):
    entree = tmp_path / "demandes.csv"
    entree.write_text("a\n1\n", encoding="utf-8")
    assert fichiers.a_cote(entree, "_filieres") == tmp_path / "demandes_filieres.csv"
    assert fichiers.a_cote(entree, "_audit", ".xlsx") == tmp_path / "demandes_audit.xlsx"
    lien = tmp_path / "lien.csv"
    os.symlink(entree, lien)
    for sortie in (entree, tmp_path / "." / "demandes.csv", lien):
        with pytest.raises(EntreeInvalide) as erreur:
            fichiers.sortie_distincte(entree, sortie)
        assert str(erreur.value) == (
            f"le fichier de sortie « {sortie} » est le fichier d'entrée : choisissez un autre nom "
            "(l'entrée n'est jamais modifiée)"
        )
    assert entree.read_text(encoding="utf-8") == "a\n1\n"
    assert fichiers.sortie_distincte(entree, tmp_path / "autre.csv") == tmp_path / "autre.csv"


def test_oui_non_en_clair_meme_texte_cli_et_pages():
    from cmq.cli.lecture import oui_non
    from cmq.web.gabarits import _environnement

    filtre = _environnement().filters["oui_non"]
    for valeur, texte in ((True, "oui"), (False, "non"), (None, "non renseigné")):
        assert saisie.en_clair(valeur) == oui_non(valeur) == filtre(valeur) == texte
