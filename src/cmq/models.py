"""Pydantic models: the contract shared by importers, store, indicators, CLI and REST API."""

from datetime import date, datetime
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from cmq import codes

SCHEMAS_LIENS = ("http", "https")
# Validation context of rows read back from the store: a link stored before links were checked is
# kept as it is (pages show it as text, never as a link) rather than making every read fail.
CONTEXTE_STOCKE = {"stocke": True}


def _lien_entrant(valeur: str | None, info: ValidationInfo) -> str | None:
    if info.context and info.context.get("stocke"):
        return valeur
    return lien_web(valeur)


def lien_web(valeur: str | None) -> str | None:
    """An http(s) address with a host, else ValueError (French): `javascript:`, `data:`, `ftp:`… are refused."""
    if valeur is None or not valeur.strip():
        return None
    valeur = valeur.strip()
    try:
        morceaux = urlsplit(valeur)
    except ValueError:
        morceaux = None
    if morceaux is None or morceaux.scheme.lower() not in SCHEMAS_LIENS or not morceaux.netloc:
        raise ValueError(
            f"adresse web « {valeur[:200]} » refusée : seules les adresses http:// ou https:// sont acceptées"
        )
    return valeur


class Modele(BaseModel):
    """Common settings: strict field names, whitespace stripped; a model's validator is built when it
    is first used (`defer_build`: a command pays only for the models it uses, e.g. an import)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True, defer_build=True)


class RoleMembre(str, Enum):
    """Role of a member in a campus (the source's wording is mapped by `cmq.organisations.role_de`)."""

    support = "support"
    membre = "membre"
    partenaire = "partenaire"


class NatureMembre(str, Enum):
    """Kind of a member organisation named without a UAI."""

    lycee = "lycee"
    universite = "universite"
    iut = "iut"
    ecole = "ecole"
    greta = "greta"
    cfa = "cfa"
    entreprise = "entreprise"
    laboratoire = "laboratoire"
    collectivite = "collectivite"
    autre = "autre"


class NaturePartenaire(str, Enum):
    """Kind of partner organisation."""

    entreprise = "entreprise"
    laboratoire = "laboratoire"
    association = "association"
    collectivite = "collectivite"
    branche = "branche"
    autre = "autre"


class Provenance(Modele):
    """Where a record comes from."""

    source_nom: str | None = None
    source_url: str | None = None
    date_recuperation: date | None = None

    @field_validator("source_url")
    @classmethod
    def _lien(cls, valeur: str | None, info: ValidationInfo) -> str | None:
        return _lien_entrant(valeur, info)


class Campus(Modele):
    """A labelled Campus des Métiers et des Qualifications.

    `excellence` is None when the source does not say (unknown is not False).
    A missing `date_debut_label` means "label date not published": the campus is then
    considered valid at any date before `date_fin_label` (if any).
    """

    # Built at once: the request body of `PUT /api/campus/{id}`. FastAPI builds a body's validator when
    # the route is declared, with pydantic's warning about the body's alias filtered out; deferred, it
    # would be built at the first request, and warn.
    model_config = ConfigDict(defer_build=False)

    id: str = Field(min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9-]*$")
    nom: str = Field(min_length=1)
    sigle: str | None = None
    filiere: str
    excellence: bool | None = None
    region_academique: str | None = None  # INSEE code of the matching région (e.g. "84")
    academies: list[str] = Field(default_factory=list)  # 2-digit académie codes (e.g. "10")
    ville_siege: str | None = None
    code_commune_siege: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    date_debut_label: date | None = None
    date_fin_label: date | None = None
    reference_arrete: str | None = None
    site_web: str | None = None
    uai_support: str | None = None
    description: str | None = None
    note: str | None = None
    provenance: Provenance = Field(default_factory=Provenance)

    @field_validator("filiere")
    @classmethod
    def _filiere_connue(cls, valeur: str) -> str:
        from cmq import filieres  # on first use: commands without campus rows never load it (start-up)

        return filieres.get(valeur).code

    @field_validator("uai_support")
    @classmethod
    def _uai(cls, valeur: str | None) -> str | None:
        return codes.normaliser_uai(valeur) if valeur else None

    @field_validator("site_web")
    @classmethod
    def _site(cls, valeur: str | None, info: ValidationInfo) -> str | None:
        return _lien_entrant(valeur, info)

    @field_validator("code_commune_siege")
    @classmethod
    def _commune(cls, valeur: str | None) -> str | None:
        return codes.normaliser_commune(valeur) if valeur else None

    @model_validator(mode="after")
    def _periode(self) -> "Campus":
        if self.date_debut_label and self.date_fin_label and self.date_fin_label < self.date_debut_label:
            raise ValueError(
                f"dates du label dans le mauvais ordre : fin {self.date_fin_label} avant début {self.date_debut_label}"
            )
        return self

    def actif_le(self, jour: date) -> bool:
        """True if the label is valid on `jour` (bounds included)."""
        if self.date_debut_label and jour < self.date_debut_label:
            return False
        return not (self.date_fin_label and jour > self.date_fin_label)


class Etablissement(Modele):
    """A training establishment identified by its UAI."""

    uai: str
    nom: str = Field(min_length=1)
    type: str | None = None  # LP, LGT, LPO, CFA, université, GRETA, école d'ingénieurs…
    secteur: str | None = None  # "public" / "privé"
    code_commune: str | None = None
    nom_commune: str | None = None
    code_postal: str | None = None
    departement: str | None = None  # "69", "2A", "974"
    academie: str | None = None  # 2-digit code
    region_academique: str | None = None  # INSEE région code
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("uai")
    @classmethod
    def _uai(cls, valeur: str) -> str:
        return codes.normaliser_uai(valeur)

    @field_validator("departement")
    @classmethod
    def _departement(cls, valeur: str | None) -> str | None:
        return codes.normaliser_departement(valeur) if valeur else None

    @field_validator("code_commune")
    @classmethod
    def _commune(cls, valeur: str | None) -> str | None:
        return codes.normaliser_commune(valeur) if valeur else None


class Membre(Modele):
    """Membership of an establishment (identified by its UAI) in a campus.

    `libelle_role` keeps the source's wording ("chef de file", "siège"…) mapped to `role`;
    `source_url` is the page that states the membership.
    """

    campus_id: str
    uai: str
    role: RoleMembre = RoleMembre.membre
    libelle_role: str | None = None
    source_url: str | None = None

    @field_validator("uai")
    @classmethod
    def _uai(cls, valeur: str) -> str:
        return codes.normaliser_uai(valeur)

    @field_validator("source_url")
    @classmethod
    def _lien(cls, valeur: str | None, info: ValidationInfo) -> str | None:
        return _lien_entrant(valeur, info)


class MembreNomme(Modele):
    """Membership of an organisation known only by its name (university, IUT, GRETA, company…).

    Also used for a lycée whose UAI could not be established with confidence: it is named, never
    given a guessed UAI. `commune` is the town the source writes beside the name, if any.
    """

    campus_id: str
    nom: str = Field(min_length=1)
    nature: NatureMembre = NatureMembre.autre
    role: RoleMembre = RoleMembre.membre
    libelle_role: str | None = None
    commune: str | None = None
    code_commune: str | None = None
    source_url: str | None = None

    @field_validator("code_commune")
    @classmethod
    def _commune(cls, valeur: str | None) -> str | None:
        return codes.normaliser_commune(valeur) if valeur else None

    @field_validator("source_url")
    @classmethod
    def _lien(cls, valeur: str | None, info: ValidationInfo) -> str | None:
        return _lien_entrant(valeur, info)


class Partenaire(Modele):
    """A partner organisation of a campus (company, lab, association…)."""

    campus_id: str
    nom: str = Field(min_length=1)
    nature: NaturePartenaire = NaturePartenaire.autre
    siret: str | None = None

    @field_validator("siret")
    @classmethod
    def _siret(cls, valeur: str | None) -> str | None:
        return codes.normaliser_siret(valeur) if valeur else None


class Alias(Modele):
    """A user-confirmed mapping from a free-text mention to a campus."""

    texte: str = Field(min_length=1)
    campus_id: str
    cree_le: datetime | None = None


class ImportEnregistre(Modele):
    """One import run, as recorded in the history."""

    id: int | None = None
    source: str
    type_import: str
    debut: datetime
    fin: datetime | None = None
    lignes_lues: int = 0
    inserees: int = 0
    mises_a_jour: int = 0
    rejetees: int = 0
    somme_controle: str | None = None  # sha256 of the file or of the fetched payload
    statut: str = "ok"  # ok / partiel / echec
    message: str | None = None


class Role(str, Enum):
    administrateur = "administrateur"
    editeur = "editeur"


class Acteur(Modele):
    """Who writes: a user of `utilisateurs` (id set), the server's bootstrap token (`CMQ_API_JETON`,
    administrator of France) or a local command (the CLI without a token: it holds the database).

    `perimetres` are written as `cmq.perimetres` reads them; `relecture`: the changes wait review.
    """

    nom: str = Field(min_length=1, max_length=200)
    role: Role
    utilisateur_id: int | None = None
    perimetres: tuple[str, ...] = ("france",)
    relecture: bool = False


class ValeurChangee(Modele):
    """One field of a change: its value before and after (None: absent or not set)."""

    champ: str
    avant: Any = None
    apres: Any = None


class Changement(Modele):
    """One recorded change of one object of a campus (`cmq.store.historique`)."""

    id: int
    quand: datetime
    auteur: str
    source: str
    operation: str  # import / edition / restauration / alias
    objet: str  # campus / membre / membre_nomme / partenaire / alias
    action: str  # creation / modification / suppression
    campus_id: str | None = None
    cle: str | None = None
    statut: str = "applique"  # applique / a_valider / rejete
    import_id: int | None = None
    decide_par: str | None = None
    decide_le: datetime | None = None
    motif: str | None = None
    champs: list[ValeurChangee] = Field(default_factory=list)


class Utilisateur(Modele):
    """A person who may write, as listed (never their token nor its hash): `expire_le`, the moment
    the token stops working; `revoque_le`, when it was revoked."""

    id: int
    nom: str = Field(min_length=1, max_length=200)
    role: Role
    perimetres: tuple[str, ...]
    relecture: bool = False
    cree_le: datetime
    expire_le: datetime | None = None
    revoque_le: datetime | None = None

    def acteur(self) -> Acteur:
        """The actor this user writes as."""
        return Acteur(
            nom=self.nom, role=self.role, utilisateur_id=self.id, perimetres=self.perimetres, relecture=self.relecture
        )
