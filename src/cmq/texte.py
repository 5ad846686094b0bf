"""Text normalisation shared by every fuzzy matcher (filières, territories, campus names, headers)."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


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
