"""Formation domains (NSF groups) and the filières they feed (`data/nsf.csv`, provenance in data/README.md).

The 93 "groupes de spécialités" of the Nomenclature des spécialités de formation (code de l'éducation,
art. D. 311-4), each with the filières it feeds — none, one or several — and a one-sentence rationale.
No official correspondence exists: the mapping is cmq's own. A value is looked up by code ("334",
"334 - Accueil…", "NSF 334") or by label, compared without case, accents, punctuation, stop words,
plural marks nor a bracketed part, so that Orion's "Domaine de formation (NSF)" (the BCN's edition
label, or its long label lower-cased) is found; anything else is unknown (NsfInconnu, with close
labels as suggestions), never guessed.
"""

import csv
import re
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from cmq import filieres
from cmq.errors import EntreeInvalide, NsfInconnu
from cmq.texte import MOTS_VIDES, est_remplissage, normaliser, singulier

SEPARATEUR = "|"  # between the filières of one line of nsf.csv
_CODE = re.compile(r"^\s*(?:nsf\s*)?(\d{3})(?!\d)(?:\s*[-–—:.]?\s*(.*))?$", re.IGNORECASE)
_ENTRE_PARENTHESES = re.compile(r"\([^)]*\)?")


class Domaine(BaseModel):
    """One NSF group: 3-digit code, official label, filières fed (codes, maybe none), rationale."""

    model_config = ConfigDict(frozen=True)

    code: str
    libelle: str
    filieres: tuple[str, ...]
    justification: str


def _cle(texte: str) -> str:
    """Comparison key of a label: without bracketed part, stop words nor plural marks."""
    mots = normaliser(_ENTRE_PARENTHESES.sub(" ", texte)).split()
    return " ".join(singulier(m) for m in mots if m not in MOTS_VIDES)


@cache
def tous() -> tuple[Domaine, ...]:
    """The 93 NSF groups, by code (read once)."""
    with resources.files("cmq").joinpath("data", "nsf.csv").open(encoding="utf-8", newline="") as flux:
        lignes = list(csv.DictReader(flux))
    return tuple(
        Domaine(
            code=ligne["code"],
            libelle=ligne["libelle"],
            filieres=tuple(f for f in ligne["filieres"].split(SEPARATEUR) if f),
            justification=ligne["justification"],
        )
        for ligne in lignes
    )


@cache
def _index() -> tuple[dict[str, Domaine], dict[str, Domaine]]:
    """Code -> domain, label key (`_cle`) -> domain."""
    par_code = {d.code: d for d in tous()}
    par_cle: dict[str, Domaine] = {}
    for d in tous():
        par_cle[_cle(d.libelle)] = d
    return par_code, par_cle


def get(code: str) -> Domaine:
    """The domain of a 3-digit code: EntreeInvalide when not 3 digits, NsfInconnu when not a group."""
    texte = code.strip() if isinstance(code, str) else ""
    if not re.fullmatch(r"\d{3}", texte):
        raise EntreeInvalide(f"code NSF « {code} » invalide : trois chiffres attendus (ex. 334)")
    try:
        return _index()[0][texte]
    except KeyError:
        raise NsfInconnu(
            f"code NSF inconnu : « {texte} » ; les groupes de spécialités vont de 100 à 136, "
            "200 à 255, 300 à 346 et 410 à 423 (voir `cmq filieres nsf`)"
        ) from None


def suggestions(texte: str, limite: int = 3) -> list[Domaine]:
    """The domains whose label is closest to a text (rapidfuzz), best first."""
    from rapidfuzz import fuzz, process  # only for this message (start-up of other commands)

    par_cle = _index()[1]
    trouves = process.extract(_cle(texte), list(par_cle), scorer=fuzz.token_set_ratio, limit=limite, score_cutoff=60)
    return [par_cle[cle] for cle, _, _ in trouves]


def trouver(valeur: str) -> Domaine:
    """The domain a code or a label designates; NsfInconnu (with close labels) otherwise, never a guess."""
    texte = valeur.strip() if isinstance(valeur, str) else ""
    if not texte:
        raise EntreeInvalide("domaine de formation vide : un code NSF (ex. 334) ou un libellé est attendu")
    if (code := _CODE.match(texte)) is not None:
        domaine = get(code.group(1))
        libelle = code.group(2)
        if libelle and _cle(libelle) and _cle(libelle) != _cle(domaine.libelle):
            raise NsfInconnu(
                f"domaine de formation « {texte} » : le code {domaine.code} est « {domaine.libelle} », "
                "le libellé ne lui correspond pas"
            )
        return domaine
    domaine = _index()[1].get(_cle(texte))
    if domaine is not None:
        return domaine
    message = f"domaine de formation (NSF) inconnu : « {texte} »"
    proches = suggestions(texte)
    if proches:
        message += " ; vouliez-vous dire : " + ", ".join(f"{d.code} « {d.libelle} »" for d in proches) + " ?"
    raise NsfInconnu(message)


def lire(valeur: str | None) -> Domaine | None:
    """The domain of a table's cell: None when empty or a placeholder ("NC", "-"), NsfInconnu when unknown."""
    if valeur is None or not valeur.strip() or est_remplissage(valeur):
        return None
    return trouver(valeur)


def de_filiere(code: str) -> tuple[Domaine, ...]:
    """The domains feeding a filière (FiliereInconnue for an unknown code), by NSF code."""
    filiere = filieres.get(code)
    return tuple(d for d in tous() if filiere.code in d.filieres)
