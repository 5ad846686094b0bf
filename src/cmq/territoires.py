"""Education territories, offline: régions académiques, académies (2025-2026), départements, régions.

Codes: région académique = INSEE code of the matching région ("84"), académie = ministry 2-digit
`code_academie` of the annuaire de l'éducation ("10" Lyon), département = "01".."95", "2A", "2B",
"971".."976". Data: `cmq/data/territoires/*.csv` (sources in the README there).

`resoudre` accepts a code or a name in any spelling ("auvergne rhone alpes", "ARA", "Académie de
Lyon", "ac-lyon", "069", "Rhône"), old names ("Caen" -> académie Normandie, "Rhône-Alpes" -> ARA),
and scale prefixes ("région …", "académie …", "ac-…", "département …", "dep …"). When a text matches
several scales and no scale is asked for, PREFERENCE decides: the largest scale wins (région
académique, then académie, then département). So "Guadeloupe" and "Corse" give the région académique,
"Paris" the académie, "84" the région académique Auvergne-Rhône-Alpes (not the Vaucluse: ask for
`echelle="departement"` or write "dep 84"), "69" the Rhône (no other scale has that code).
"""

import csv
import re
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from cmq import codes
from cmq.errors import EntreeInvalide, TerritoireInconnu
from cmq.texte import ABREGES, ARTICLES, normaliser
from cmq.texte import mots as mots_du_texte

ECHELLES = ("france", "region_academique", "academie", "departement")
PREFERENCE = ECHELLES  # largest scale first: used when a text matches several scales
LIBELLES_ECHELLES = {
    "france": "France",
    "region_academique": "région académique",
    "academie": "académie",
    "departement": "département",
}
_DE_ECHELLE = {
    "france": "de France",
    "region_academique": "de région académique",
    "academie": "d'académie",
    "departement": "de département",
}
CODE_FRANCE = "FR"
SEUIL_SUGGESTION = 75  # rapidfuzz ratio (0-100) for a close match to be suggested

# Leading words that name a scale (normalised tokens), longest first.
_PREFIXES = (
    (("region", "academique"), "region_academique"),
    (("region",), "region_academique"),
    (("reg",), "region_academique"),
    (("academie",), "academie"),
    (("acad",), "academie"),
    (("ac",), "academie"),
    (("departement",), "departement"),
    (("dept",), "departement"),
    (("dep",), "departement"),
    (("dpt",), "departement"),
)
_LIAISONS = {"de", "du", "des", "d", "la", "le", "les", "l"}
_CODE = re.compile(r"\d{1,3}|0?2[AB]")


class _Gele(BaseModel):
    model_config = ConfigDict(frozen=True)


class RegionAcademique(_Gele):
    """A région académique; `academies` holds académie codes."""

    code: str
    nom: str
    academies: tuple[str, ...]


class Academie(_Gele):
    """An académie with its région académique code and its département codes."""

    code: str
    nom: str
    region_academique: str
    departements: tuple[str, ...]


class Departement(_Gele):
    """A département with the codes of its académie and région académique."""

    code: str
    nom: str
    academie: str
    region_academique: str


class Region(_Gele):
    """An administrative région (INSEE COG)."""

    code: str
    nom: str


class Territoire(_Gele):
    """Any territory at one of the ECHELLES."""

    echelle: str
    code: str
    nom: str


def _lire(fichier: str) -> list[dict[str, str]]:
    chemin = resources.files("cmq").joinpath("data", "territoires", fichier)
    with chemin.open(encoding="utf-8", newline="") as flux:
        return list(csv.DictReader(flux))


@cache
def regions() -> tuple[Region, ...]:
    """The 18 administrative régions, by code."""
    return tuple(Region(code=r["code"], nom=r["nom"]) for r in _lire("regions.csv"))


@cache
def departements() -> tuple[Departement, ...]:
    """The 101 départements, by code."""
    return tuple(
        Departement(code=d["code"], nom=d["nom"], academie=d["academie"], region_academique=d["region"])
        for d in _lire("departements.csv")
    )


@cache
def academies() -> tuple[Academie, ...]:
    """The 30 académies of 2025-2026, by code."""
    return tuple(
        Academie(
            code=a["code"],
            nom=a["nom"],
            region_academique=a["region_academique"],
            departements=tuple(d.code for d in departements() if d.academie == a["code"]),
        )
        for a in _lire("academies.csv")
    )


@cache
def regions_academiques() -> tuple[RegionAcademique, ...]:
    """The 18 régions académiques (one per région, same code and name)."""
    return tuple(
        RegionAcademique(
            code=r.code, nom=r.nom, academies=tuple(a.code for a in academies() if a.region_academique == r.code)
        )
        for r in regions()
    )


@cache
def _par_code() -> dict[str, dict[str, BaseModel]]:
    return {
        "france": {CODE_FRANCE: Territoire(echelle="france", code=CODE_FRANCE, nom="France")},
        "region_academique": {r.code: r for r in regions_academiques()},
        "academie": {a.code: a for a in academies()},
        "departement": {d.code: d for d in departements()},
    }


def _cle(texte: str) -> str:
    """Matching key: normalised, 'st' -> 'saint', leading article dropped ('La Réunion' -> 'reunion')."""
    mots = [ABREGES.get(m, m) for m in mots_du_texte(texte)]
    while len(mots) > 1 and mots[0] in ARTICLES:
        mots.pop(0)
    return " ".join(mots)


@cache
def _index() -> dict[str, dict[str, str]]:
    """Key -> {echelle: code}. A key never names two territories of the same scale."""
    index: dict[str, dict[str, str]] = {}

    def ajouter(texte: str, echelle: str, code: str) -> None:
        deja = index.setdefault(_cle(texte), {}).setdefault(echelle, code)
        if deja != code:  # pragma: no cover - guards the packaged data
            raise RuntimeError(f"alias ambigu dans les données : {texte!r} ({echelle} {deja} / {code})")

    for echelle, objets in _par_code().items():
        for code, objet in objets.items():
            ajouter(code, echelle, code)
            ajouter(objet.nom, echelle, code)
    for alias in _lire("alias.csv"):
        ajouter(alias["alias"], alias["echelle"], alias["code"])
    return index


def cles_connues() -> frozenset[str]:
    """Every matching key (codes, names, aliases) `resoudre` can find: a cheap pre-filter for
    callers scanning many n-grams (a failed `resoudre` also computes suggestions, which is slow)."""
    return frozenset(_index())


def _echelle(echelle: str) -> str:
    forme = normaliser(echelle).replace(" ", "_") if isinstance(echelle, str) else ""
    forme = "region_academique" if forme == "region" else forme
    if forme not in ECHELLES:
        raise EntreeInvalide(f"échelle inconnue : « {echelle} ». Échelles possibles : {', '.join(ECHELLES)}")
    return forme


def _analyser(texte: str) -> tuple[str | None, str]:
    """Split an optional scale prefix ('académie de …', 'ac-…', 'dep …') from the key."""
    mots = mots_du_texte(texte)
    for prefixe, echelle in _PREFIXES:
        if tuple(mots[: len(prefixe)]) == prefixe and len(mots) > len(prefixe):
            reste = mots[len(prefixe) :]
            while len(reste) > 1 and reste[0] in _LIAISONS:
                reste.pop(0)
            return echelle, _cle(" ".join(reste))
    return None, _cle(texte)


def _candidats(cle: str) -> dict[str, str]:
    """Every scale where the key names a territory: {echelle: code}."""
    trouves = dict(_index().get(cle, {}))
    compact = cle.replace(" ", "").upper()
    if _CODE.fullmatch(compact):
        tables = _par_code()
        if codes.est_departement(compact) and codes.normaliser_departement(compact) in tables["departement"]:
            trouves.setdefault("departement", codes.normaliser_departement(compact))
        if compact.isdigit() and len(compact) <= 2:
            for echelle in ("region_academique", "academie"):
                if compact.zfill(2) in tables[echelle]:
                    trouves.setdefault(echelle, compact.zfill(2))
    return trouves


def _territoire(echelle: str, code: str) -> Territoire:
    objet = _par_code()[echelle][code]
    return Territoire(echelle=echelle, code=code, nom=objet.nom)


def libelle(territoire: Territoire) -> str:
    """French label: 'académie Lyon (10)', 'département Rhône (69)', 'France'."""
    if territoire.echelle == "france":
        return "France"
    return f"{LIBELLES_ECHELLES[territoire.echelle]} {territoire.nom} ({territoire.code})"


def suggestions(texte: str, echelle: str | None = None, limite: int = 5) -> list[Territoire]:
    """Close matches of a text (rapidfuzz), best first, optionally at one scale."""
    from rapidfuzz import fuzz, process  # only for this message's suggestions (start-up of other commands)

    echelle = _echelle(echelle) if echelle is not None else None
    choix = {
        cle: cibles
        for cle, cibles in _index().items()
        if len(cle) > 3 and not cle.isdigit() and (echelle is None or echelle in cibles)
    }
    resultats: list[Territoire] = []
    for cle, score, _ in process.extract(_analyser(texte)[1], list(choix), scorer=fuzz.ratio, limit=limite * 3):
        if score < SEUIL_SUGGESTION:
            break
        for ech, code in choix[cle].items():
            t = _territoire(ech, code)
            if (echelle is None or ech == echelle) and t not in resultats:
                resultats.append(t)
    return resultats[:limite]


def resoudre(texte: str, echelle: str | None = None) -> Territoire:
    """The territory a code or a name designates, at `echelle` or by PREFERENCE; TerritoireInconnu otherwise."""
    voulue = _echelle(echelle) if echelle is not None else None
    if not isinstance(texte, str) or not normaliser(texte):
        raise TerritoireInconnu(f"territoire vide ou illisible : {texte!r}")
    prefixe, cle = _analyser(texte)
    trouves = {e: c for e, c in _candidats(cle).items() if prefixe is None or e == prefixe}
    for ech in PREFERENCE:
        if ech in trouves and (voulue is None or ech == voulue):
            return _territoire(ech, trouves[ech])
    raise TerritoireInconnu(_message_inconnu(texte, voulue or prefixe, trouves or _candidats(cle)))


def _message_inconnu(texte: str, echelle: str | None, ailleurs: dict[str, str]) -> str:
    portee = f" ({LIBELLES_ECHELLES[echelle]})" if echelle else ""
    message = f"territoire inconnu{portee} : « {texte} »."
    if ailleurs:
        autres = ", ".join(libelle(_territoire(e, c)) for e, c in ailleurs.items())
        message += f" Ce texte désigne : {autres}."
    proches = [libelle(t) for t in suggestions(texte, echelle)]
    if proches:
        message += f" Vouliez-vous dire : {', '.join(proches)} ?"
    elif not ailleurs:
        message += " Donnez un code (84, 10, 69, 2A, 974) ou un nom (Auvergne-Rhône-Alpes, Lyon, Rhône)."
    return message


def territoires(echelle: str) -> tuple[Territoire, ...]:
    """Every territory of a scale, by code ('france' gives one)."""
    ech = _echelle(echelle)
    return tuple(_territoire(ech, code) for code in _par_code()[ech])


def region_academique(code_ou_nom: str) -> RegionAcademique:
    """The région académique of a code or name ('84', 'ARA', 'Rhône-Alpes')."""
    return _par_code()["region_academique"][resoudre(code_ou_nom, "region_academique").code]


def academie(code_ou_nom: str) -> Academie:
    """The académie of a code or name ('10', 'Lyon', 'ac-lyon', 'Caen' -> Normandie)."""
    return _par_code()["academie"][resoudre(code_ou_nom, "academie").code]


def departement(code_ou_nom: str) -> Departement:
    """The département of a code or name ('069', '69', '2a', 'Rhône', 'rhone')."""
    return _par_code()["departement"][resoudre(code_ou_nom, "departement").code]


def code_de(echelle: str, texte: str) -> str:
    """The code of the territory a text names at `echelle` (code or name, `resoudre`): what callers
    do once with free text before querying the store, which takes codes only."""
    return resoudre(texte, echelle).code


def verifier_code(echelle: str, code: str) -> str:
    """`code` when it is exactly the code of a territory at `echelle`; TerritoireInconnu otherwise
    (no guessing: names and loose forms are resolved by the caller with `code_de`)."""
    ech = _echelle(echelle)
    connus = _par_code()[ech]
    if code not in connus:
        raise TerritoireInconnu(f"code {_DE_ECHELLE[ech]} inconnu : « {code} » (codes : {', '.join(sorted(connus))})")
    return code


def nom(echelle: str, code: str | None) -> str | None:
    """Name of the territory with this exact code at `echelle`; None for no code or an unknown code."""
    objet = _par_code()[_echelle(echelle)].get(code) if code else None
    return None if objet is None else objet.nom
