"""Text normalisation and tokenising shared by every fuzzy matcher (filières, mentions, territories,
campus names, headers): one set of tools, so that the three matchers cut and compare words alike."""

import re
import unicodedata
from datetime import date

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# French articles and prepositions, as normalised words ("l'" -> "l", "d'" -> "d").
MOTS_VIDES = frozenset("a au aux d de des du en et l la le les pour sur un une dans avec par".split())
ARTICLES = frozenset({"la", "le", "les", "l"})  # leading articles of place names ("La Réunion")
ABREGES = {"st": "saint", "ste": "sainte"}  # abbreviations of place names ("St-Étienne")


def _sans_accents_lent(texte: str) -> str:
    """Reference definition of `sans_accents`: NFKD, combining marks dropped, "œ" -> "oe"."""
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c)).replace("œ", "oe").replace("Œ", "OE")


class _TableSansAccents(dict):
    """`str.translate` table: code point -> the character without its diacritics, computed on first
    use. Per character is the same as per text: NFKD decomposes each character alone, and canonical
    reordering only moves the combining marks, which are dropped."""

    def __missing__(self, code: int) -> str:
        valeur = _sans_accents_lent(chr(code))
        if len(self) < 20_000:  # bounded: a hostile text may carry any code point
            self[code] = valeur
        return valeur


_TABLE_SANS_ACCENTS = _TableSansAccents()
# The combining marks of the block U+0300–U+036F (accents, cedilla, diaeresis…)
_MARQUES = re.compile("[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]+")


def sans_accents(texte: str) -> str:
    """Strip diacritics: 'Éco-construction' -> 'Eco-construction'."""
    if texte.isascii():
        return texte
    sans_marques = _MARQUES.sub("", unicodedata.normalize("NFKD", texte))
    if sans_marques.isascii():  # the usual accents: every character removed was a combining mark
        return sans_marques
    return texte.translate(_TABLE_SANS_ACCENTS)


# bytes.translate table of an ASCII lower-case text: letters and digits kept, anything else a space
_ALNUM_ASCII = bytes(c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))


def normaliser(texte: str) -> str:
    """Lower-case, accent-free, punctuation replaced by single spaces, trimmed.

    >>> normaliser("  Infrastructures, Bâtiment / ÉCO-construction ")
    'infrastructures batiment eco construction'
    """
    minuscule = sans_accents(texte).lower()
    if minuscule.isascii():  # the same as the expression below, by table
        return " ".join(minuscule.encode("ascii").translate(_ALNUM_ASCII).decode("ascii").split())
    return _NON_ALNUM.sub(" ", minuscule).strip()


def slug(texte: str) -> str:
    """Stable identifier: 'Numérique, télécommunications' -> 'numerique-telecommunications'."""
    return normaliser(texte).replace(" ", "-")


def mots(texte: str) -> list[str]:
    """Normalised words of a text, in order: "L'Aéro-campus" -> ['l', 'aero', 'campus']."""
    return normaliser(texte).split()


def singulier(mot: str) -> str:
    """A normalised word without its plural 's' / 'x' (words of more than 3 letters): "materiaux" -> "materiau"."""
    return mot[:-1] if len(mot) > 3 and mot[-1] in "sx" else mot


# What users type in a free-text field to say "nothing" (normalised): such a value is empty.
REMPLISSAGES = frozenset({"", "non", "nc", "n c", "aucun", "aucune", "neant", "n a", "na", "0", "sans", "rien"})


def est_remplissage(valeur: str) -> bool:
    """A non-blank placeholder meaning "empty": "non", "NC", "-", "aucun", "néant", "/", "n/a", "0"."""
    return bool(valeur.strip()) and normaliser(valeur) in REMPLISSAGES


MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def date_fr(jour: date | None, vide: str = "—") -> str:
    """'1er septembre 2025', '2 décembre 2026'; `vide` when None."""
    if jour is None:
        return vide
    quantieme = "1er" if jour.day == 1 else str(jour.day)
    return f"{quantieme} {MOIS[jour.month - 1]} {jour.year}"
