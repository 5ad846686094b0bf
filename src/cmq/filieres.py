"""The 12 CMQ filières (source: the CMQ glossary entry, `data/glossaire/cmq.md`)."""

from pydantic import BaseModel, ConfigDict

from cmq.errors import FiliereInconnue
from cmq.texte import slug

_URL = "https://www.education.gouv.fr/"


class Filiere(BaseModel):
    """One of the 12 filières: stable code, exact label, official page, short label, synonyms."""

    model_config = ConfigDict(frozen=True)

    code: str
    libelle: str
    url: str
    libelle_court: str
    mots_cles: tuple[str, ...] = ()


def _f(libelle: str, page: str, court: str, mots_cles: tuple[str, ...] = ()) -> Filiere:
    return Filiere(code=slug(libelle), libelle=libelle, url=_URL + page, libelle_court=court, mots_cles=mots_cles)


# Order and labels exactly as in cmq.md.
FILIERES: tuple[Filiere, ...] = (
    _f("Mobilité, aéronautique, transports terrestres et maritimes",
       "mobilite-aeronautique-transports-terrestres-et-maritimes-les-campus-des-metiers-et-des-2981", "Mobilité"),
    _f("Tourisme, gastronomie", "tourisme-gastronomie-les-campus-des-metiers-et-des-qualifications-9590", "Tourisme"),
    _f("Création, design, audiovisuel",
       "creation-design-audiovisuel-les-campus-des-metiers-et-des-qualifications-4730", "Création"),
    _f("Chimie et biotechnologies",
       "chimie-biotechnologies-les-campus-des-metiers-et-des-qualifications-2984", "Chimie"),
    _f("Matériaux, matériaux innovants",
       "materiaux-materiaux-innovants-les-campus-des-metiers-et-des-qualifications-11306", "Matériaux"),
    _f("Infrastructures, bâtiment, éco-construction",
       "infrastructures-batiment-eco-construction-les-campus-des-metiers-et-des-qualifications-5087", "Bâtiment"),
    _f("Transition énergétique, éco-industrie",
       "transition-energetique-eco-industrie-les-campus-des-metiers-et-des-qualifications-9581", "Énergie"),
    _f("Systèmes innovants, mécatronique",
       "systemes-innovants-mecatronique-les-campus-des-metiers-et-des-qualifications-2747", "Mécatronique"),
    _f("Services à la personne, bien-être",
       "services-la-personne-bien-etre-les-campus-des-metiers-et-des-qualifications-10640", "Services à la personne"),
    _f("Services aux entreprises, logistique",
       "services-aux-entreprises-logistique-les-campus-des-metiers-et-des-qualifications-6644", "Logistique"),
    _f("Alimentaire, agroalimentaire",
       "alimentaire-agroalimentaire-les-campus-des-metiers-et-des-qualifications-7163", "Alimentaire"),
    _f("Numérique, télécommunications",
       "numerique-telecommunications-les-campus-des-metiers-et-des-qualifications-3134", "Numérique"),
)

_PAR_CODE = {f.code: f for f in FILIERES}


def all() -> tuple[Filiere, ...]:  # noqa: A001 - public API name asked for by users
    """The 12 filières, in the order of the glossary entry."""
    return FILIERES


def codes() -> tuple[str, ...]:
    """The 12 codes, in order."""
    return tuple(f.code for f in FILIERES)


def get(code: str) -> Filiere:
    """The filière with this code; FiliereInconnue (listing the valid codes) otherwise."""
    try:
        return _PAR_CODE[code.strip().lower()]
    except (KeyError, AttributeError):
        raise FiliereInconnue(
            f"filière inconnue : « {code} ». Codes valides : {', '.join(codes())}"
        ) from None
