"""Query parameters of the pages: read as text, checked here with French messages (EntreeInvalide,
shown as a 400 page), never left to FastAPI's validation."""

from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import urlencode

from cmq import exports, filtres, saisie
from cmq.errors import EntreeInvalide

ECHELLES_CARTE = ("region_academique", "departement")
FORMATS = ("csv", "xlsx")
PAGE_MAX = 1_000_000


def _vide(valeur: str | None) -> bool:
    return valeur is None or not valeur.strip()


def date_ou_aujourdhui(valeur: str | None) -> date:
    """The date given (AAAA-MM-JJ), today when empty."""
    return date.today() if _vide(valeur) else saisie.date_iso(valeur)


def date_optionnelle(valeur: str | None) -> date | None:
    """The date given (AAAA-MM-JJ), None when empty."""
    return None if _vide(valeur) else saisie.date_iso(valeur)


def numero_page(valeur: str | None) -> int:
    """A page number ≥ 1 (1 when empty)."""
    if _vide(valeur):
        return 1
    texte = valeur.strip()
    if not texte.isdigit() or not 1 <= int(texte) <= PAGE_MAX:
        raise EntreeInvalide(f"numéro de page invalide : « {valeur} » (entier de 1 à {PAGE_MAX} attendu)")
    return int(texte)


def echelle_carte(valeur: str | None) -> str:
    """Scale of the map: région académique (default) or département."""
    if _vide(valeur):
        return ECHELLES_CARTE[0]
    if valeur.strip() not in ECHELLES_CARTE:
        raise EntreeInvalide(f"échelle de carte invalide : « {valeur} » (region_academique ou departement attendu)")
    return valeur.strip()


def format_export(valeur: str | None) -> str | None:
    """'csv' or 'xlsx' for a download, None for the page itself."""
    return None if _vide(valeur) else exports.verifier_format(valeur, FORMATS)


@dataclass(frozen=True)
class FiltresCampus:
    """Filters of the campus list, resolved to codes (filière, territories) and typed values."""

    filiere: str | None = None
    region_academique: str | None = None
    academie: str | None = None
    departement: str | None = None
    excellence: bool | None = None
    actif_le: date | None = None
    q: str | None = None

    @classmethod
    def lire(
        cls,
        *,
        filiere=None,
        region_academique=None,
        academie=None,
        departement=None,
        excellence=None,
        actif_le=None,
        q=None,
    ) -> "FiltresCampus":
        """Check and resolve the raw query values (codes or names accepted)."""
        return cls(
            **filtres.codes(
                filiere=filiere, region_academique=region_academique, academie=academie, departement=departement
            ),
            excellence=saisie.oui_non(excellence),
            actif_le=date_optionnelle(actif_le),
            q=None if _vide(q) else q.strip(),
        )

    def arguments(self) -> dict:
        """Keyword arguments of `lecture.lister_campus`."""
        return asdict(self)

    def _texte(self, booleens: tuple[str, str]) -> dict[str, str]:
        valeurs = {}
        for nom, valeur in asdict(self).items():
            if isinstance(valeur, bool):
                valeurs[nom] = booleens[0] if valeur else booleens[1]
            elif isinstance(valeur, date):
                valeurs[nom] = valeur.isoformat()
            elif valeur is not None:
                valeurs[nom] = valeur
        return valeurs

    def requete_page(self, **autres) -> str:
        """Query string of the list page with these filters (and `autres`, e.g. page=2)."""
        return urlencode(self._texte(("oui", "non")) | {k: v for k, v in autres.items() if v is not None})

    def requete_api(self, format: str) -> str:
        """Query string of the API export (`/api/campus`) with the same filters."""
        return urlencode(self._texte(("true", "false")) | {"format": format})

    def actifs(self) -> bool:
        """True when at least one filter is set."""
        return any(v is not None for v in asdict(self).values())
