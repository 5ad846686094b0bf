"""Does a request fit a campus? The formation-domain rules of the audit of requests, and its summary
per territory.

The formation domain is Orion's "Domaine de formation (NSF)" (`cmq.nsf`: its label, or a code); the
filières it feeds come from cmq's own correspondence (`data/nsf.csv`). Rules, each in one function:

* `formation_hors_filiere: NSF 334 → tourisme-gastronomie`: the domain feeds at least one filière, and
  the declared filière, or the filière of the campus found, is not among them (the filières the domain
  feeds follow the arrow). A domain that feeds no filière never yields this flag.
* `cmq_possible: <campus_id>[, <campus_id>…]`: no campus named (empty or placeholder "Nom CMQ"), and the
  establishment is a known member (`membres` of the store) of campuses whose filière the domain feeds
  and whose label has not ended: every such campus is named, by id, sorted.
* `cmq_inattendu`: the campus found has known members, the establishment is not one of them, and the
  campus lies outside the establishment's région académique (the audit's `etablissement_non_membre`
  and `campus_hors_region` together). A campus without known members is never called unexpected.
* `nsf_illisible: « … »`: a domain that is not an NSF group: reported, no other formation rule applied.

Summary per territory (`Territoires`): one row per (région académique of the establishment — from
the directory, else the export's CodeRegion / CodeAcadémie, else "inconnue" —, filière fed by the
formation's domain). A domain feeding several filières counts once under each of them, so the rows of
a territory may add up to more than its requests; a domain feeding none counts under "aucune", an
empty domain under "non renseigné", an unreadable one under "illisible", and every request under
"colonne absente" when the export has no domain column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel

from cmq import filieres, nsf, resolve, territoires
from cmq.errors import CmqError

SANS_FILIERE = "aucune"
NON_RENSEIGNE = "non renseigné"
ILLISIBLE = "illisible"
COLONNE_ABSENTE = "colonne absente"
INCONNUE = "inconnue"
COLONNES_TERRITOIRES = (
    "region_academique",
    "region_academique_nom",
    "filiere_formation",
    "demandes",
    "declarant_un_campus",
    "d_etablissements_membres",
    "signalees",
)


@dataclass(frozen=True, slots=True)
class DomaineLu:
    """A cell of the domain column: the NSF group, or None with the anomaly (unreadable) or nothing (empty)."""

    domaine: nsf.Domaine | None
    anomalie: str | None = None


def lire_domaine(valeur: str) -> DomaineLu:
    """The NSF group of a cell; `nsf_illisible` for a value that names none (never a guess)."""
    try:
        return DomaineLu(nsf.lire(valeur))
    except CmqError:
        return DomaineLu(None, f"nsf_illisible: « {valeur.strip()} »")


class SyntheseFormations(BaseModel):
    """Counts of the formation rules (lines added to the "synthese" sheet)."""

    colonne_nsf: bool = False  # the export has a formation-domain column
    domaines_reconnus: int = 0
    domaines_sans_filiere: int = 0
    domaines_illisibles: int = 0
    formations_hors_filiere: int = 0
    cmq_possibles: int = 0
    cmq_inattendus: int = 0

    def libelles(self) -> list[tuple[str, int | str]]:
        """(French label, count) in display order."""
        inattendus = [("campus inattendus (non membre, hors de la région académique)", self.cmq_inattendus)]
        if not self.colonne_nsf:
            absente = "non faits : colonne « Domaine de formation (NSF) » absente"
            return [("contrôles domaine de formation ↔ filière", absente), *inattendus]
        return [
            ("domaines de formation (NSF) reconnus", self.domaines_reconnus),
            ("domaines de formation sans filière (aucun contrôle)", self.domaines_sans_filiere),
            ("domaines de formation illisibles", self.domaines_illisibles),
            ("formations hors de la filière déclarée ou du campus", self.formations_hors_filiere),
            ("CMQ possibles (établissement membre d'un campus de la filière)", self.cmq_possibles),
            *inattendus,
        ]


@dataclass
class Controle:
    """What the formation rules need of the directory: campuses and, per UAI, the campuses it is a member of."""

    index: resolve.Index
    jour: date = field(default_factory=date.today)
    campus_de: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        campus_de: dict[str, list[str]] = defaultdict(list)
        for campus_id, uais in self.index.membres.items():
            for uai in uais:
                campus_de[uai].append(campus_id)
        self.campus_de = {uai: tuple(sorted(ids)) for uai, ids in campus_de.items()}

    def membre(self, uai: str | None) -> bool:
        """The establishment is a known member of at least one campus."""
        return uai is not None and uai in self.campus_de

    def hors_filiere(self, domaine: nsf.Domaine, declaree: str | None, campus_id: str | None) -> str | None:
        """`formation_hors_filiere: …` when the declared filière or the campus's is not fed by the domain."""
        if not domaine.filieres:
            return None
        fiche = self.index.par_id.get(campus_id) if campus_id else None
        concernees = {f for f in (declaree, fiche.filiere if fiche else None) if f}
        if concernees <= set(domaine.filieres):
            return None
        return f"formation_hors_filiere: NSF {domaine.code} → {', '.join(domaine.filieres)}"

    def possibles(self, domaine: nsf.Domaine, uai: str | None) -> str | None:
        """`cmq_possible: …` naming every campus of the domain's filières the establishment is a member of."""
        if uai is None or not domaine.filieres:
            return None
        ids = [
            campus_id
            for campus_id in self.campus_de.get(uai, ())
            if (fiche := self.index.par_id.get(campus_id)) is not None
            and fiche.filiere in domaine.filieres
            and not (fiche.fin and fiche.fin < self.jour)
        ]
        return f"cmq_possible: {', '.join(ids)}" if ids else None


def inattendu(anomalies: list[str]) -> bool:
    """A campus declared by an establishment that is not one of its known members, outside its région académique."""
    return "etablissement_non_membre" in anomalies and "campus_hors_region" in anomalies


def rubrique(domaine: DomaineLu | None) -> tuple[str, ...]:
    """The summary's filière rows a request counts in."""
    if domaine is None:
        return (COLONNE_ABSENTE,)
    if domaine.anomalie is not None:
        return (ILLISIBLE,)
    if domaine.domaine is None:
        return (NON_RENSEIGNE,)
    return domaine.domaine.filieres or (SANS_FILIERE,)


@dataclass
class Territoires:
    """Summary per territory × filière of the formation domain (see the module docstring)."""

    comptes: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))

    def ajouter(
        self,
        territoire: territoires.Territoire | None,
        domaine: DomaineLu | None,
        declare: bool,
        membre: bool,
        signalee: bool,
    ) -> None:
        region = territoire.code if territoire is not None and territoire.echelle == "region_academique" else INCONNUE
        for cle in rubrique(domaine):
            compte = self.comptes[(region, cle)]
            compte[0] += 1
            compte[1] += declare
            compte[2] += membre
            compte[3] += signalee

    def lignes(self) -> list[dict[str, object]]:
        """Rows by région académique code ("inconnue" last), then filière order, then the special rows."""
        ordre = {code: i for i, code in enumerate((*filieres.codes(), SANS_FILIERE, NON_RENSEIGNE, ILLISIBLE))}

        def cle(item: tuple[tuple[str, str], list[int]]) -> tuple:
            (region, filiere), _ = item
            return (region == INCONNUE, region, ordre.get(filiere, len(ordre)))

        sortie = []
        for (region, filiere), (demandes, declarant, membres, signalees) in sorted(self.comptes.items(), key=cle):
            nom = territoires.nom("region_academique", region) if region != INCONNUE else None
            valeurs = (region, nom or INCONNUE, filiere, demandes, declarant, membres, signalees)
            sortie.append(dict(zip(COLONNES_TERRITOIRES, valeurs, strict=True)))
        return sortie
