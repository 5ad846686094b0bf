"""Code validators: real UAIs and SIRETs, corrupted ones."""

import pytest

from cmq import codes
from cmq.errors import CodeInvalide

UAI_REELS = ["0312696M", "0592926K", "0590010R", "0693734J", "0352318E", "0692165D"]


@pytest.mark.parametrize("uai", UAI_REELS)
def test_uai_reels_valides(uai):
    assert codes.normaliser_uai(uai) == uai
    assert codes.normaliser_uai(f" {uai[:4]} {uai[4:].lower()} ") == uai


def test_uai_lettre_attendue_dans_le_message():
    with pytest.raises(CodeInvalide, match="« A », « M » attendue"):
        codes.normaliser_uai("0312696A")


@pytest.mark.parametrize("mauvais", ["", "   ", "031269M", "03126960M", "A312696M", "0312696I", "03126 96"])
def test_uai_malformes(mauvais):
    assert not codes.est_uai(mauvais)
    with pytest.raises(CodeInvalide, match="UAI"):
        codes.normaliser_uai(mauvais)


# --- Extended checks (real values, corruptions, property tests) ---

import csv  # noqa: E402
import string  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _luhn_independant(chiffres: str) -> bool:
    """Test-side Luhn, written separately from cmq.codes to check the test data itself."""
    total = 0
    for rang, c in enumerate(reversed(chiffres)):
        n = int(c) * (2 if rang % 2 else 1)
        total += n // 10 + n % 10
    return total % 10 == 0


def _lignes_annuaire(fixtures_dir):
    with open(fixtures_dir / "annuaire_education_extrait.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_uai_de_l_annuaire_tous_valides(fixtures_dir):
    uais = [ligne["identifiant_de_l_etablissement"] for ligne in _lignes_annuaire(fixtures_dir)]
    assert len(uais) == 12
    assert [codes.normaliser_uai(u) for u in uais] == uais


def test_uai_un_chiffre_change_toujours_detecte(fixtures_dir):
    uais = ["0312696M"] + [ligne["identifiant_de_l_etablissement"] for ligne in _lignes_annuaire(fixtures_dir)]
    for uai in uais:
        for position in range(7):
            for chiffre in string.digits:
                if chiffre != uai[position]:
                    corrompu = uai[:position] + chiffre + uai[position + 1 :]
                    with pytest.raises(CodeInvalide, match=f"« {codes.lettre_uai(corrompu[:7])} » attendue"):
                        codes.normaliser_uai(corrompu)


def test_uai_autre_lettre_rejetee_avec_lettre_attendue():
    for lettre in string.ascii_uppercase.replace("M", ""):
        with pytest.raises(CodeInvalide, match=f"lettre de contrôle « {lettre} », « M » attendue"):
            codes.normaliser_uai("0312696" + lettre)


def test_lettre_uai_et_lettres_interdites():
    assert codes.lettre_uai("0312696") == "M"
    assert codes.lettre_uai("0693734") == "J"
    assert codes.LETTRES_UAI == "ABCDEFGHJKLMNPRSTUVWXYZ" and not set("IOQ") & set(codes.LETTRES_UAI)
    for lettre in "IOQ":
        assert not codes.est_uai("0312696" + lettre)


@pytest.mark.parametrize(
    "mauvais",
    [
        "0312696",
        "031269M",
        "0312696MM",
        "03I2696M",
        "O312696M",
        "0312696-",
        "M0312696",
        "٠٣١٢٦٩٦M",
        "𝟎𝟑𝟏𝟐𝟔𝟗𝟔M",
    ],  # Arabic-Indic and mathematical digits: not ASCII
)
def test_uai_format_invalide(mauvais):
    with pytest.raises(CodeInvalide, match="7 chiffres puis une lettre attendus"):
        codes.normaliser_uai(mauvais)


@pytest.mark.parametrize("valeur", [None, 312696, b"0312696M", ["0312696M"]])
def test_code_non_texte(valeur):
    with pytest.raises(CodeInvalide, match="code attendu sous forme de texte"):
        codes.normaliser_uai(valeur)
    assert not codes.est_siret(valeur)


# Real SIRETs of public bodies (siège) and their SIREN.
SIRET_PUBLICS = {
    "13002526500013": "DINUM (Direction interministérielle du numérique)",
    "21750001600019": "Commune de Paris",
    "11004601800013": "Ministère de la Culture",
    "21310113200016": "Commune de Castanet-Tolosan",
}
SIRET_SIEGE_LA_POSTE = "35600000000048"  # real: La Poste, 9 rue du Colonel Pierre Avia, Paris 15e


def test_donnees_de_test_conformes_a_luhn():
    for siret in SIRET_PUBLICS:
        assert _luhn_independant(siret) and _luhn_independant(siret[:9]), siret
    assert _luhn_independant(SIRET_SIEGE_LA_POSTE)
    assert sum(map(int, SIRET_SIEGE_LA_POSTE)) % 5 != 0  # so only the head-office rule accepts it


@pytest.mark.parametrize("siret", list(SIRET_PUBLICS))
def test_siret_et_siren_reels(siret):
    assert codes.normaliser_siret(siret) == siret
    assert codes.normaliser_siret(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}") == siret
    assert codes.normaliser_siret(f"{siret[:3]}.{siret[3:6]}.{siret[6:9]}-{siret[9:]}") == siret
    assert codes.normaliser_siren(siret[:9]) == siret[:9]
    assert codes.est_siret(siret) and codes.est_siren(siret[:9])


@pytest.mark.parametrize("siret", list(SIRET_PUBLICS))
def test_siret_un_chiffre_change_detecte(siret):
    for position in range(14):
        for chiffre in string.digits:
            if chiffre != siret[position]:
                corrompu = siret[:position] + chiffre + siret[position + 1 :]
                assert not codes.est_siret(corrompu), corrompu
                if position < 9:
                    assert not codes.est_siren(corrompu[:9]), corrompu


def test_siret_la_poste():
    assert codes.normaliser_siret(SIRET_SIEGE_LA_POSTE) == SIRET_SIEGE_LA_POSTE
    assert codes.normaliser_siren("356000000") == "356000000"
    # Constructed establishment numbers (not checked against SIRENE): digit sum rule, not Luhn.
    assert not _luhn_independant("35600000000010")
    assert codes.normaliser_siret("356 000 000 00010") == "35600000000010"
    assert _luhn_independant("35600000000014")  # passes Luhn but its digit sum is 19
    with pytest.raises(CodeInvalide, match="somme des chiffres non multiple de 5 \\(La Poste\\)"):
        codes.normaliser_siret("35600000000014")


def test_siret_luhn_valide_mais_siren_faux():
    assert _luhn_independant("03002526520013") and not _luhn_independant("030025265")
    with pytest.raises(CodeInvalide, match="SIREN « 030025265 » \\(9 premiers chiffres\\) incorrect"):
        codes.normaliser_siret("03002526520013")


@pytest.mark.parametrize(
    ("fonction", "mauvais", "motif"),
    [
        (codes.normaliser_siret, "1300252650001", "14 chiffres attendus"),
        (codes.normaliser_siret, "130025265000134", "14 chiffres attendus"),
        (codes.normaliser_siret, "13002526500O13", "14 chiffres attendus"),
        (codes.normaliser_siret, "١٣٠٠٢٥٢٦٥٠٠٠١٣", "14 chiffres attendus"),
        (codes.normaliser_siret, "13002526500014", "clé de contrôle \\(Luhn\\) incorrecte"),
        (codes.normaliser_siren, "13002526", "9 chiffres attendus"),
        (codes.normaliser_siren, "13002526A", "9 chiffres attendus"),
        (codes.normaliser_siren, "130025266", "clé de contrôle \\(Luhn\\) incorrecte"),
        (codes.normaliser_siren, "", "9 chiffres attendus"),
    ],
)
def test_siren_siret_invalides(fonction, mauvais, motif):
    with pytest.raises(CodeInvalide, match=motif):
        fonction(mauvais)


@pytest.mark.parametrize(
    ("code", "attendu"),
    [
        ("01", "01"),
        ("1", "01"),
        ("69", "69"),
        ("069", "69"),
        ("095", "95"),
        ("2A", "2A"),
        ("2a", "2A"),
        ("02A", "2A"),
        ("02b", "2B"),
        ("971", "971"),
        ("974", "974"),
        (" 976 ", "976"),
        ("75", "75"),
    ],
)
def test_departements_valides(code, attendu):
    assert codes.normaliser_departement(code) == attendu


@pytest.mark.parametrize(
    "mauvais", ["", "0", "00", "20", "020", "96", "99", "970", "977", "978", "0971", "2C", "A1", "3A", "٦٩", "0٦٩"]
)
def test_departements_invalides(mauvais):
    with pytest.raises(CodeInvalide, match="01 à 95 \\(sans 20\\), 2A, 2B ou 971 à 976 attendu"):
        codes.normaliser_departement(mauvais)


def test_departements_de_l_annuaire(fixtures_dir):
    lus = {ligne["code_departement"] for ligne in _lignes_annuaire(fixtures_dir)}
    assert lus == {"059", "031", "035", "069"}
    assert sorted(codes.normaliser_departement(d) for d in lus) == ["31", "35", "59", "69"]


@pytest.mark.parametrize(
    ("code", "attendu"),
    [
        ("69123", "69123"),
        ("75056", "75056"),
        ("01004", "01004"),
        ("2A004", "2A004"),
        ("2b033", "2B033"),
        ("97411", "97411"),
        ("97611", "97611"),
        ("97105", "97105"),
        (" 31 555 ", "31555"),
    ],
)
def test_communes_valides(code, attendu):
    assert codes.normaliser_commune(code) == attendu
    assert codes.est_commune(code)


@pytest.mark.parametrize(
    ("mauvais", "motif"),
    [
        ("6912", "5 caractères attendus"),
        ("691234", "5 caractères attendus"),
        ("6912A", "5 caractères attendus"),
        ("2C004", "5 caractères attendus"),
        ("", "5 caractères attendus"),
        ("٦٩١٢٣", "5 caractères attendus"),
        ("20004", "département « 20 » inconnu"),
        ("96001", "département « 96 » inconnu"),
        ("00001", "département « 00 » inconnu"),
        ("97701", "département « 977 » inconnu"),
        ("97801", "département « 978 » inconnu"),
    ],
)
def test_communes_invalides(mauvais, motif):
    with pytest.raises(CodeInvalide, match=motif):
        codes.normaliser_commune(mauvais)
    assert not codes.est_commune(mauvais)


def test_entetes_sont_normalises():
    from cmq.texte import normaliser

    for entete in codes.ENTETES_UAI + codes.ENTETES_SIRET:
        assert normaliser(entete) == entete
    assert normaliser("N° UAI") in codes.ENTETES_UAI
    assert normaliser("Numéro de l'établissement") in codes.ENTETES_UAI
    assert normaliser("N° SIRET") in codes.ENTETES_SIRET


@given(st.text(alphabet=string.digits, min_size=7, max_size=7))
def test_propriete_uai_calcule_valide_et_autres_lettres_rejetees(chiffres):
    lettre = codes.lettre_uai(chiffres)
    assert codes.normaliser_uai(chiffres + lettre.lower()) == chiffres + lettre
    for autre in string.ascii_uppercase.replace(lettre, ""):
        assert not codes.est_uai(chiffres + autre)


NORMALISEURS = [
    codes.normaliser_uai,
    codes.normaliser_siren,
    codes.normaliser_siret,
    codes.normaliser_departement,
    codes.normaliser_commune,
]


@given(st.one_of(st.text(), st.text(alphabet="0123456789ABIOQab .-\u00a0"), st.integers(), st.none()))
def test_propriete_texte_quelconque_seulement_code_invalide(valeur):
    for fonction in NORMALISEURS:
        try:
            resultat = fonction(valeur)
        except CodeInvalide:
            continue
        assert resultat.isascii() and resultat == resultat.strip().upper()
