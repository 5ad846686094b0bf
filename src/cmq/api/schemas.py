"""Response models of the REST API: the library's models (`cmq.models`, `cmq.filieres`…) wrapped
where a resource aggregates several of them (page, campus sheet, establishment sheet, import report)."""

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from cmq.filieres import Filiere, Resultat, Statut
from cmq.models import Campus, Etablissement, MembreNomme, Partenaire, RoleMembre

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: `total` matching elements, the page asked for, its elements."""

    total: int = Field(description="Nombre total d'éléments correspondant aux filtres.")
    limite: int = Field(description="Taille de page demandée.")
    decalage: int = Field(description="Nombre d'éléments sautés avant cette page.")
    elements: list[T]


class ErreurParametre(BaseModel):
    """One invalid parameter or field of a request."""

    lieu: str = Field(description="query, path, body ou header.")
    nom: str
    message: str


class Probleme(BaseModel):
    """An error (RFC 9457 `application/problem+json`); `detail` is in French."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    erreurs: list[ErreurParametre] | None = Field(default=None, description="Paramètres invalides (erreurs 422).")


class RechercheFilieres(BaseModel):
    """Filières matching a free text: the decision (`statut`, `filiere`) and the ranked candidates."""

    q: str
    statut: Statut = Field(description="normalise (une filière claire), ambigu ou inconnu.")
    filiere: Filiere | None = Field(description="La filière retenue quand le statut est « normalise ».")
    resultats: list[Resultat]


class FiliereCitee(BaseModel):
    """A filière named by code and exact label."""

    code: str
    libelle: str


class DomaineNsf(BaseModel):
    """A formation domain (NSF group) and the filières it feeds, per cmq's own correspondence."""

    code: str = Field(description="Code à 3 chiffres du groupe de spécialités.")
    libelle: str = Field(description="Libellé officiel de la nomenclature.")
    filieres: list[FiliereCitee] = Field(description="Filières alimentées : aucune, une ou plusieurs.")
    justification: str = Field(description="Raison du rattachement (correspondance propre à cmq).")


class DomaineFormation(BaseModel):
    """A formation domain feeding a filière."""

    code: str
    libelle: str
    justification: str


class FiliereDetail(Filiere):
    """A filière and the formation domains (NSF) that feed it."""

    domaines_formation: list[DomaineFormation] = Field(
        description="Groupes NSF qui alimentent la filière (correspondance propre à cmq)."
    )


class MembreDetail(BaseModel):
    """A member of a campus with its establishment (null when the UAI is not in the directory)."""

    uai: str
    role: RoleMembre
    libelle_role: str | None = Field(default=None, description="Le rôle tel que la source l'écrit.")
    source_url: str | None = Field(default=None, description="Page qui atteste l'adhésion.")
    etablissement: Etablissement | None


class CampusDetail(Campus):
    """A campus with its members (by UAI, and named organisations without UAI) and partners."""

    membres: list[MembreDetail]
    membres_nommes: list[MembreNomme] = Field(description="Membres sans UAI : université, IUT, GRETA, entreprise…")
    partenaires: list[Partenaire]


class EtablissementDetail(Etablissement):
    """An establishment with the campuses it belongs to (label valid on the date asked for)."""

    campus: list[Campus]


class RejetImport(BaseModel):
    """A row rejected by an import."""

    numero: int = Field(description="Numéro de ligne dans le fichier.")
    raison: str


class RapportImport(BaseModel):
    """What an import did (`cmq.importation.pipeline.Rapport`)."""

    source: str
    type_import: str
    statut: str = Field(description="ok ou partiel (lignes rejetées non importées).")
    lues: int
    inserees: int
    mises_a_jour: int
    inchangees: int
    rejetees: int
    ignorees: int
    colonnes_ignorees: list[str]
    rejets: list[RejetImport] = Field(
        description="Les 100 premières lignes rejetées, dans l'ordre du fichier (leur nombre : rejetees)."
    )
    somme_controle: str | None
    import_id: int | None


class EcritureCampus(BaseModel):
    """Result of a campus upsert."""

    statut: str = Field(description="cree, modifie ou inchange.")
    campus: Campus


class CandidatEtablissement(BaseModel):
    """An establishment matching a searched name, UAI or town, with its score (0-100)."""

    uai: str
    nom: str
    type: str | None
    commune: str | None
    code_commune: str | None
    score: float


class RechercheEtablissements(BaseModel):
    """Establishments matching `q` (and `commune`), best first."""

    q: str
    commune: str | None
    resultats: list[CandidatEtablissement]
