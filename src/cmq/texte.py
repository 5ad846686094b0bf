"""Text normalisation and tokenising shared by every fuzzy matcher (filières, mentions, territories,
campus names, headers): one set of tools, so that the three matchers cut and compare words alike."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# French articles and prepositions, as normalised words ("l'" -> "l", "d'" -> "d").
MOTS_VIDES = frozenset("a au aux d de des du en et l la le les pour sur un une dans avec par".split())
ARTICLES = frozenset({"la", "le", "les", "l"})  # leading articles of place names ("La Réunion")
ABREGES = {"st": "saint", "ste": "sainte"}  # abbreviations of place names ("St-Étienne")


def sans_accents(texte: str) -> str:
    """Strip diacritics: 'Éco-construction' -> 'Eco-construction'."""
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c)).replace("œ", "oe").replace("Œ", "OE")


def normaliser(texte: str) -> str:
    """Lower-case, accent-free, punctuation replaced by single spaces, trimmed.

    >>> normaliser("  Infrastructures, Bâtiment / ÉCO-construction ")
    'infrastructures batiment eco construction'
    """
    return _NON_ALNUM.sub(" ", sans_accents(texte).lower()).strip()


def slug(texte: str) -> str:
    """Stable identifier: 'Numérique, télécommunications' -> 'numerique-telecommunications'."""
    return normaliser(texte).replace(" ", "-")


def mots(texte: str) -> list[str]:
    """Normalised words of a text, in order: "L'Aéro-campus" -> ['l', 'aero', 'campus']."""
    return normaliser(texte).split()


def singulier(mot: str) -> str:
    """A normalised word without its plural 's' / 'x' (words of more than 3 letters): "materiaux" -> "materiau"."""
    return mot[:-1] if len(mot) > 3 and mot[-1] in "sx" else mot
