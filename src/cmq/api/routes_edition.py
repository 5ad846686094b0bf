"""Editing a campus through the API (`cmq.curation`): fields, members, partners, each with its `source`.

Applied: 200 (201 for a new member or partner), with the recorded change; waiting review (an actor
whose changes are reviewed): 202 with the pending change; nothing to change: 200 `inchange`.
"""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from cmq import curation
from cmq.api.dependances import Url, erreurs
from cmq.api.securite import REPONSES_ECRITURE, ActeurCourant
from cmq.models import Changement

router = APIRouter(prefix="/api/campus", tags=["édition"])

Identifiant = Annotated[str, Path(min_length=1, max_length=120, description="Identifiant du campus.")]
Source = Annotated[
    str,
    Query(
        max_length=curation.LONGUEUR_SOURCE,
        description="Obligatoire : adresse (https://…) ou référence du document qui justifie le changement.",
    ),
]
Texte = Annotated[str | None, Field(max_length=5000)]


class ResultatEdition(BaseModel):
    """What an edition did, the changes recorded and notes (a UAI outside the loaded directory…)."""

    statut: Literal["applique", "a_valider", "inchange"] = Field(
        description="applique : écrit ; a_valider : en attente de relecture ; inchange : rien à modifier."
    )
    changements: list[Changement]
    avertissements: list[str] = Field(default_factory=list)


class ModificationCampus(BaseModel):
    """Fields of a campus to change (absent: unchanged; null: emptied; `excellence` null: unknown)."""

    model_config = ConfigDict(extra="forbid")

    nom: Texte = None
    sigle: Annotated[str | None, Field(max_length=120)] = None
    excellence: bool | None = None
    ville_siege: Annotated[str | None, Field(max_length=200)] = None
    code_commune_siege: Annotated[str | None, Field(max_length=5)] = None
    latitude: float | None = None
    longitude: float | None = None
    date_debut_label: date | None = None
    date_fin_label: date | None = None
    reference_arrete: Texte = None
    site_web: Annotated[str | None, Field(max_length=2000)] = None
    uai_support: Annotated[str | None, Field(max_length=8)] = None
    description: Texte = None
    note: Texte = None


class NouveauMembre(BaseModel):
    """A member: `uai` (an establishment) or `nom` (an organisation without UAI), not both."""

    model_config = ConfigDict(extra="forbid")

    uai: Annotated[str | None, Field(max_length=20, examples=["0690010L"])] = None
    nom: Annotated[str | None, Field(max_length=500)] = None
    nature: Annotated[str | None, Field(max_length=40, description="Pour un membre nommé : lycee, iut…")] = None
    role: Annotated[str | None, Field(max_length=200, description="support, membre, partenaire, ou libellé.")] = None
    libelle_role: Texte = None
    commune: Annotated[str | None, Field(max_length=200)] = None
    source_url: Annotated[str | None, Field(max_length=2000)] = None


class NouveauPartenaire(BaseModel):
    """A partner of a campus, by its name."""

    model_config = ConfigDict(extra="forbid")

    nom: str = Field(min_length=1, max_length=500)
    nature: Annotated[str | None, Field(max_length=40, description="entreprise, laboratoire, branche…")] = None
    siret: Annotated[str | None, Field(max_length=20)] = None


REPONSES = (
    erreurs(403, 404, 409, 422, 503)
    | REPONSES_ECRITURE
    | {202: {"model": ResultatEdition, "description": "Changement en attente de relecture."}}
)
CREATION = REPONSES | {201: {"model": ResultatEdition, "description": "Ajout appliqué."}}


def _repondre(resultat: curation.Resultat, reponse: Response, creation: bool = False) -> ResultatEdition:
    if resultat.statut == "a_valider":
        reponse.status_code = 202
    elif creation and resultat.changements and resultat.changements[0].action == "creation":
        reponse.status_code = 201
    return ResultatEdition(
        statut=resultat.statut, changements=resultat.changements, avertissements=resultat.avertissements
    )


@router.patch(
    "/{id}",
    response_model=ResultatEdition,
    responses=REPONSES,
    summary="Modifie des champs d'un campus",
)
def modifier(
    acteur: ActeurCourant, url: Url, id: Identifiant, source: Source, corps: ModificationCampus, reponse: Response
) -> ResultatEdition:
    """Modifie les champs donnés (dates du label, excellence, siège, site web, textes). Jeton requis."""
    resultat = curation.modifier_campus(id, corps.model_dump(exclude_unset=True), acteur=acteur, source=source, url=url)
    return _repondre(resultat, reponse)


@router.post(
    "/{id}/membres",
    response_model=ResultatEdition,
    responses=CREATION,
    summary="Ajoute un membre à un campus",
)
def ajouter_membre(
    acteur: ActeurCourant, url: Url, id: Identifiant, source: Source, corps: NouveauMembre, reponse: Response
) -> ResultatEdition:
    """Ajoute (ou met à jour) un membre : établissement par UAI, ou organisation par son nom. Jeton requis."""
    resultat = curation.ajouter_membre(id, **corps.model_dump(), acteur=acteur, source=source, url=url)
    return _repondre(resultat, reponse, creation=True)


@router.delete(
    "/{id}/membres/{uai_ou_nom:path}",
    response_model=ResultatEdition,
    responses=REPONSES,
    summary="Retire un membre d'un campus",
)
def retirer_membre(
    acteur: ActeurCourant,
    url: Url,
    id: Identifiant,
    uai_ou_nom: Annotated[str, Path(min_length=1, max_length=500, description="UAI ou nom du membre.")],
    source: Source,
    reponse: Response,
) -> ResultatEdition:
    """Retire un membre désigné par son UAI ou son nom. Jeton requis."""
    resultat = curation.retirer_membre(id, uai_ou_nom, acteur=acteur, source=source, url=url)
    return _repondre(resultat, reponse)


@router.post(
    "/{id}/partenaires",
    response_model=ResultatEdition,
    responses=CREATION,
    summary="Ajoute un partenaire à un campus",
)
def ajouter_partenaire(
    acteur: ActeurCourant,
    url: Url,
    id: Identifiant,
    source: Source,
    corps: Annotated[NouveauPartenaire, Body()],
    reponse: Response,
) -> ResultatEdition:
    """Ajoute (ou met à jour) un partenaire ; son SIRET, s'il est donné, doit être valide. Jeton requis."""
    resultat = curation.ajouter_partenaire(
        id, corps.nom, nature=corps.nature, siret=corps.siret, acteur=acteur, source=source, url=url
    )
    return _repondre(resultat, reponse, creation=True)


@router.delete(
    "/{id}/partenaires/{nom:path}",
    response_model=ResultatEdition,
    responses=REPONSES,
    summary="Retire un partenaire d'un campus",
)
def retirer_partenaire(
    acteur: ActeurCourant,
    url: Url,
    id: Identifiant,
    nom: Annotated[str, Path(min_length=1, max_length=500, description="Nom du partenaire.")],
    source: Source,
    reponse: Response,
) -> ResultatEdition:
    """Retire un partenaire désigné par son nom. Jeton requis."""
    resultat = curation.retirer_partenaire(id, nom, acteur=acteur, source=source, url=url)
    return _repondre(resultat, reponse)
