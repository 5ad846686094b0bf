"""One rule for each kind of value users type or files hold: dates, yes/no, pydantic errors in French.

Every caller (CLI, API, web pages, importers, backups) goes through these functions, so a value is
accepted, and refused with the same French message, wherever it is given.
"""

from datetime import date, datetime
from typing import Any

from cmq.errors import EntreeInvalide
from cmq.texte import normaliser

EXEMPLE_DATE = "2025-09-01"
MESSAGE_DATE = f"format AAAA-MM-JJ attendu, ex. {EXEMPLE_DATE}"
VRAI = frozenset(
    {"oui", "o", "vrai", "true", "1", "x", "yes", "y", "excellence", "label excellence", "cmq d excellence"}
)
FAUX = frozenset({"non", "n", "faux", "false", "0", "no"})


def date_iso(valeur: date | str) -> date:
    """A real calendar date given as ISO text ('2025-09-01'), or a date (a datetime gives its day).

    EntreeInvalide « date invalide : « X » (format AAAA-MM-JJ attendu, ex. 2025-09-01) » otherwise.
    """
    if isinstance(valeur, datetime):
        return valeur.date()
    if isinstance(valeur, date):
        return valeur
    try:
        return date.fromisoformat(str(valeur).strip())
    except ValueError:
        raise EntreeInvalide(f"date invalide : « {valeur} » ({MESSAGE_DATE})") from None


def oui_non(valeur: bool | str | None) -> bool | None:
    """Oui/Non, vrai/faux, true/false, 1/0, « Excellence » (any case, accents) -> bool; empty -> None.

    EntreeInvalide « valeur « X » non reconnue : Oui/Non (ou vrai/faux, 1/0, Excellence) attendu »
    otherwise. None means unknown, never False.
    """
    if valeur is None or isinstance(valeur, bool):
        return valeur
    brut = str(valeur).strip()
    if not brut:
        return None
    forme = normaliser(brut)
    if forme in VRAI:
        return True
    if forme in FAUX:
        return False
    raise EntreeInvalide(f"valeur « {brut} » non reconnue : Oui/Non (ou vrai/faux, 1/0, Excellence) attendu")


def en_clair(valeur: bool | None) -> str:
    """'oui', 'non' or 'non renseigné' (unknown is not 'no'): how pages and the CLI show a yes/no."""
    return "non renseigné" if valeur is None else ("oui" if valeur else "non")


_BORNES = {
    "greater_than_equal": ("supérieur ou égal à", "ge"),
    "greater_than": ("supérieur à", "gt"),
    "less_than_equal": ("inférieur ou égal à", "le"),
    "less_than": ("inférieur à", "lt"),
}


def message_pydantic(erreur: dict[str, Any]) -> str:
    """French message for one pydantic error (an item of `ValidationError.errors()`, by `type` and `ctx`)."""
    genre, ctx = erreur.get("type", ""), erreur.get("ctx") or {}
    if isinstance(ctx.get("error"), Exception) or (genre == "value_error" and ctx.get("error") is not None):
        return str(ctx["error"])  # our validators raise CmqError/ValueError with French messages
    if genre in ("missing", "missing_argument"):
        return "obligatoire"
    if genre.startswith("int_") or genre == "int_type":
        return "nombre entier attendu"
    if genre.startswith("float_") or genre in ("finite_number", "decimal_parsing"):
        return "nombre attendu"
    if genre.startswith("bool_"):
        return "booléen attendu (true ou false)"
    if genre.startswith("date") or genre.startswith("datetime"):
        return f"date invalide ({MESSAGE_DATE})"
    if genre in _BORNES:
        texte, cle = _BORNES[genre]
        return f"doit être {texte} {ctx.get(cle)}"
    if genre == "string_too_short":
        return f"au moins {ctx.get('min_length')} caractère(s) attendu(s)"
    if genre == "string_too_long":
        return f"au plus {ctx.get('max_length')} caractère(s) attendu(s)"
    if genre == "too_short":
        return f"au moins {ctx.get('min_length')} élément(s) attendu(s)"
    if genre == "too_long":
        return f"au plus {ctx.get('max_length')} élément(s) attendu(s)"
    if genre == "string_pattern_mismatch":
        return f"format invalide (motif attendu : {ctx.get('pattern')})"
    if genre in ("literal_error", "enum"):
        return f"valeur attendue parmi : {ctx.get('expected', '')}".replace("' or '", "', '")
    if genre in ("string_type", "string_unicode", "str_type"):
        return "texte attendu"
    if genre == "json_invalid":
        return "JSON invalide"
    if genre in ("model_attributes_type", "dict_type", "model_type"):
        return "objet JSON attendu"
    if genre == "list_type":
        return "liste attendue"
    if genre == "extra_forbidden":
        return "champ inconnu"
    if genre == "none_required":
        return "doit être vide"
    return "valeur invalide"


def champ_pydantic(erreur: dict[str, Any]) -> str:
    """Dotted name of the field of a pydantic error ('provenance.source_url'), '' for the whole object."""
    return ".".join(str(partie) for partie in erreur.get("loc") or ())


def raison_validation(erreurs: list[dict[str, Any]]) -> str:
    """One French reason for a pydantic ValidationError's `errors()`: « champ : message ; … »."""
    morceaux = []
    for erreur in erreurs:
        champ, message = champ_pydantic(erreur), message_pydantic(erreur)
        morceaux.append(f"{champ} : {message}" if champ else message)
    return " ; ".join(morceaux)
