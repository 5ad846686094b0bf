"""Query parameters of the pages: read as text, checked here with French messages (EntreeInvalide,
shown as a 400 page), never left to FastAPI's validation."""

from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import urlencode

from cmq import exports, filtres, saisie
from cmq.errors import EntreeInvalide

ECHELLES_CARTE = ("region_academique", "academie", "departement")
FORMATS = ("csv", "xlsx")
PAGE_MAX = 1_000_000
# Excellence filter of the campus list: 'non_renseignee' -> (excellence, excellence_renseignee) of
# lecture.lister_campus; oui/non (and their aliases) go through saisie.oui_non. An unset excellence is
# « non renseignée »: never counted as « non ».
NON_RENSEIGNEE = "non_renseignee"


def _vide(valeur: str | None) -> bool:
    return valeur is None or not valeur.strip()


def date_ou_aujourdhui(valeur: str | None) -> date:
    """The date given (JJ/MM/AAAA or AAAA-MM-JJ), today when empty."""
    return date.today() if _vide(valeur) else saisie.date_formulaire(valeur)


def date_optionnelle(valeur: str | None) -> date | None:
    """The date given (JJ/MM/AAAA or AAAA-MM-JJ), None when empty."""
    return None if _vide(valeur) else saisie.date_formulaire(valeur)


def lire_excellence(valeur: str | None) -> tuple[bool | None, bool | None]:
    """(excellence, excellence_renseignee): 'oui' / 'non' (saisie.oui_non, same message) or 'non_renseignee'."""
    if not _vide(valeur) and valeur.strip().lower() == NON_RENSEIGNEE:
        return None, False
    return saisie.oui_non(valeur), None


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
        raise EntreeInvalide(
            f"échelle de carte invalide : « {valeur} » (region_academique, academie ou departement attendu)"
        )
    return valeur.strip()


def tri_campus(tri: str | None, ordre: str | None, colonnes: tuple[str, ...]) -> tuple[str, bool]:
    """(column, descending) of the campus list: by name ascending by default."""
    colonne = colonnes[0] if _vide(tri) else tri.strip()
    if colonne not in colonnes:
        raise EntreeInvalide(f"tri invalide : « {tri} » ({', '.join(colonnes)} attendu)")
    sens = "croissant" if _vide(ordre) else ordre.strip()
    if sens not in ("croissant", "decroissant"):
        raise EntreeInvalide(f"ordre de tri invalide : « {ordre} » (croissant ou decroissant attendu)")
    return colonne, sens == "decroissant"


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
    excellence_renseignee: bool | None = None

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
        choix_excellence, renseignee = lire_excellence(excellence)
        return cls(
            **filtres.codes(
                filiere=filiere, region_academique=region_academique, academie=academie, departement=departement
            ),
            excellence=choix_excellence,
            excellence_renseignee=renseignee,
            actif_le=date_optionnelle(actif_le),
            q=None if _vide(q) else q.strip(),
        )

    def arguments(self) -> dict:
        """Keyword arguments of `lecture.lister_campus`."""
        return asdict(self)

    def excellence_choisie(self) -> str | None:
        """The value of the excellence select: 'oui', 'non', 'non_renseignee' or None."""
        if self.excellence_renseignee is False:
            return NON_RENSEIGNEE
        return None if self.excellence is None else ("oui" if self.excellence else "non")

    def _texte(self, booleens: tuple[str, str]) -> dict[str, str]:
        valeurs = {}
        for nom, valeur in asdict(self).items():
            if nom == "excellence_renseignee" and valeur is False and booleens[0] == "oui":
                valeurs["excellence"] = NON_RENSEIGNEE  # the page's select value
            elif isinstance(valeur, bool):
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
