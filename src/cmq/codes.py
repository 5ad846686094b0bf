"""Validation of French codes: UAI (ex-RNE), SIREN/SIRET, département, commune (INSEE).

Each `normaliser_*` function returns the canonical form or raises CodeInvalide with a French
message saying what is wrong; each `est_*` function is its boolean twin.
"""

import re

from cmq.errors import CodeInvalide

LETTRES_UAI = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23 letters: no I, O, Q
SIREN_LA_POSTE = "356000000"
SIRET_SIEGE_LA_POSTE = "35600000000048"  # La Poste's head office keeps the Luhn key

# Usual French column headers carrying each code (used by the importers' header aliases).
ENTETES_UAI = (
    "uai",
    "code uai",
    "numero uai",
    "n uai",
    "no uai",
    "rne",
    "code rne",
    "code etablissement",
    "numero de l etablissement",
    "identifiant de l etablissement",
    "uai etablissement",
)
ENTETES_SIRET = ("siret", "n siret", "numero siret", "code siret", "siren siret")

_ESPACES = re.compile(r"[\s.\-]+")
_UAI = re.compile(r"[0-9]{7}[A-Z]")  # ASCII digits only: \d would accept "٠" or "𝟎"


def _compacter(code: object) -> str:
    if not isinstance(code, str):
        raise CodeInvalide(f"code attendu sous forme de texte, reçu : {code!r}")
    return _ESPACES.sub("", code).upper()


def lettre_uai(chiffres: str) -> str:
    """Check letter of a UAI from its 7 digits."""
    return LETTRES_UAI[int(chiffres) % 23]


def normaliser_uai(code: str) -> str:
    """'0312696m ' -> '0312696M'; CodeInvalide says which letter was expected."""
    uai = _compacter(code)
    if not uai:
        raise CodeInvalide("UAI vide")
    if not _UAI.fullmatch(uai):
        raise CodeInvalide(f"UAI invalide « {code} » : 7 chiffres puis une lettre attendus (ex. 0312696M)")
    attendue = lettre_uai(uai[:7])
    if uai[7] != attendue:
        raise CodeInvalide(f"UAI invalide « {code} » : lettre de contrôle « {uai[7]} », « {attendue} » attendue")
    return uai


def _luhn(chiffres: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(chiffres)):
        n = int(c)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def normaliser_siren(code: str) -> str:
    """9 digits passing the Luhn check."""
    siren = _compacter(code)
    if not re.fullmatch(r"[0-9]{9}", siren):
        raise CodeInvalide(f"SIREN invalide « {code} » : 9 chiffres attendus")
    if not _luhn(siren):
        raise CodeInvalide(f"SIREN invalide « {code} » : clé de contrôle (Luhn) incorrecte")
    return siren


def normaliser_siret(code: str) -> str:
    """14 digits passing Luhn with a valid SIREN; La Poste's establishments (SIREN 356000000, except
    the head office 35600000000048) use a digit sum multiple of 5 instead."""
    siret = _compacter(code)
    if not re.fullmatch(r"[0-9]{14}", siret):
        raise CodeInvalide(f"SIRET invalide « {code} » : 14 chiffres attendus")
    if siret.startswith(SIREN_LA_POSTE) and siret != SIRET_SIEGE_LA_POSTE:
        if sum(int(c) for c in siret) % 5 == 0:
            return siret
        raise CodeInvalide(f"SIRET invalide « {code} » : somme des chiffres non multiple de 5 (La Poste)")
    if not _luhn(siret):
        raise CodeInvalide(f"SIRET invalide « {code} » : clé de contrôle (Luhn) incorrecte")
    if not _luhn(siret[:9]):
        raise CodeInvalide(f"SIRET invalide « {code} » : SIREN « {siret[:9]} » (9 premiers chiffres) incorrect")
    return siret


def normaliser_departement(code: str) -> str:
    """'069' -> '69', '2a' -> '2A', '974' -> '974'; 01–95 without 20, 2A, 2B, 971–976."""
    dep = _compacter(code)
    if re.fullmatch(r"0[0-9][0-9AB]", dep) and dep != "097":
        dep = dep[1:]
    if re.fullmatch(r"[0-9]", dep):
        dep = "0" + dep
    if dep in ("2A", "2B") or re.fullmatch(r"97[1-6]", dep):
        return dep
    if re.fullmatch(r"[0-9]{2}", dep) and 1 <= int(dep) <= 95 and dep != "20":
        return dep
    raise CodeInvalide(f"département invalide « {code} » : 01 à 95 (sans 20), 2A, 2B ou 971 à 976 attendu")


def normaliser_commune(code: str) -> str:
    """INSEE commune code: 5 characters, département prefix valid (2A/2B for Corsica, 97x for DROM)."""
    com = _compacter(code)
    if not re.fullmatch(r"([0-9]{2}|2A|2B)[0-9]{3}", com):
        raise CodeInvalide(f"code commune INSEE invalide « {code} » : 5 caractères attendus (ex. 69123, 2A004)")
    dep = departement_de_commune(com)
    try:
        normaliser_departement(dep)
    except CodeInvalide:
        raise CodeInvalide(f"code commune INSEE invalide « {code} » : département « {dep} » inconnu") from None
    if com.startswith("97") and com[2] not in "123456":
        raise CodeInvalide(f"code commune INSEE invalide « {code} » : outre-mer 971 à 976 attendu")
    return com


def departement_de_commune(code: str) -> str:
    """Département prefix of a canonical INSEE commune code: '69123' -> '69', '2A004' -> '2A', '97422' -> '974'."""
    return code[:3] if code.startswith("97") else code[:2]


def _booleen(fonction):
    def test(code: str) -> bool:
        try:
            fonction(code)
        except CodeInvalide:
            return False
        return True

    test.__doc__ = f"True when `{fonction.__name__}` accepts the code."
    return test


est_uai = _booleen(normaliser_uai)
est_siren = _booleen(normaliser_siren)
est_siret = _booleen(normaliser_siret)
est_departement = _booleen(normaliser_departement)
est_commune = _booleen(normaliser_commune)
