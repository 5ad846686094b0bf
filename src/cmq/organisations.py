"""Members as the sources write them: role wording -> role, organisation name -> kind.

`role_de` is the one mapping from a source's wording ("chef de file", "siège (« abrite ce
campus »)", "partenaire historique (supérieur)") to `RoleMembre`; a parenthesis is a comment and
is ignored, except "(supérieur)" which `est_superieur` reads. Unknown wording is refused, never
guessed. `nature_de` reads the kind of a named organisation from its name (IUT before université:
"Université de Strasbourg – IUT Robert Schuman" is an IUT).
"""

import re

from cmq.errors import EntreeInvalide
from cmq.texte import normaliser

SUPPORT, MEMBRE, PARTENAIRE = "support", "membre", "partenaire"

# Normalised wording (parentheses removed) -> role. "siège" and "lieu d'installation": the campus
# is hosted there, which is what a support establishment does; "lieu d'inauguration" only says an
# event took place there: plain member.
FORMULATIONS_ROLE: dict[str, str] = {
    **dict.fromkeys(
        (
            "support",
            "etablissement support",
            "porteur",
            "etablissement porteur",
            "pilote",
            "siege",
            "chef de file",
            "etablissement de reference",
            "etablissement referent",
            "tete de reseau",
            "coordinateur",
            "supporting institution",
            "lieu d installation",
        ),
        SUPPORT,
    ),
    **dict.fromkeys(
        (
            "membre",
            "etablissement membre",
            "membre fondateur",
            "reseau",
            "lieu d inauguration",
        ),
        MEMBRE,
    ),
    **dict.fromkeys(
        ("partenaire", "partenaire historique", "signataire de la convention", "associe"),
        PARTENAIRE,
    ),
}
_PARENTHESES = re.compile(r"\([^)]*\)|«[^»]*»")


def role_de(texte: str) -> str:
    """'support', 'membre' or 'partenaire' for the source's wording; EntreeInvalide if unknown.

    >>> role_de("partenaire historique (supérieur)")
    'partenaire'
    >>> role_de("Chef de file")
    'support'
    """
    cle = normaliser(_PARENTHESES.sub(" ", texte or ""))
    try:
        return FORMULATIONS_ROLE[cle]
    except KeyError:
        raise EntreeInvalide(
            f"rôle inconnu « {(texte or '').strip()} » : support, membre ou partenaire attendu"
        ) from None


def est_superieur(texte: str) -> bool:
    """True when the role wording marks higher education ("membre (supérieur)")."""
    return any("superieur" in normaliser(p) for p in re.findall(r"\(([^)]*)\)", texte or ""))


# Kind of a named organisation: first rule whose words appear in the normalised name.
_NATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("greta", ("greta",)),
    ("cfa", ("cfa", "centre de formation d apprentis")),
    ("iut", ("iut", "institut universitaire de technologie")),
    ("universite", ("universite", "university", "upjv", "upec", "utbm")),
    (
        "ecole",
        ("ecole", "insa", "enssat", "enstib", "ensmm", "supmicrotech", "efpma", "ensam", "ingenieurs"),
    ),
    ("lycee", ("lycee", "cite scolaire", "lp", "lpo", "lgt", "legt", "lypso")),
    ("laboratoire", ("laboratoire", "cnrs", "inrae", "cea")),
    ("collectivite", ("region", "conseil regional", "departement", "metropole", "communaute", "collectivite")),
    ("entreprise", ("entreprise", "sas", "sarl", "groupe")),
)


def nature_de(nom: str) -> str:
    """Kind of an organisation from its name ('iut', 'universite', 'lycee'…); 'autre' when unsure.

    >>> nature_de("Université de Strasbourg – IUT Robert Schuman")
    'iut'
    """
    mots = f" {normaliser(nom)} "
    for nature, indices in _NATURES:
        if any(f" {indice} " in mots for indice in indices):
            return nature
    return "autre"
