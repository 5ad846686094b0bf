"""`/api/alias`: user-confirmed mappings from a free-text mention to a campus (writes need the token)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from cmq import alias
from cmq.api.dependances import LECTURE, Url, erreurs
from cmq.api.securite import REPONSES_ECRITURE, ActeurCourant
from cmq.models import Alias

router = APIRouter(prefix="/api/alias", tags=["alias"])
SOURCE_API = "api : alias confirmé"
Source = Annotated[
    str | None,
    Query(
        max_length=2000, description=f"Ce qui fonde l'alias, enregistré dans l'historique (défaut : « {SOURCE_API} »)."
    ),
]


class AliasEnregistre(Alias):
    """An alias as stored (its `texte` is the normalised key) and the campus it replaced, if any."""

    remplace: str | None = Field(default=None, description="Campus auquel la mention était associée avant.")


class NouvelAlias(BaseModel):
    """Body of `POST /api/alias`."""

    texte: str = Field(min_length=1, max_length=300, description="Mention en texte libre (« CMQ BTP Lyon »).")
    campus_id: str = Field(min_length=1, max_length=120, description="Identifiant du campus désigné.")


@router.get("", response_model=list[Alias], responses=LECTURE, summary="Liste des alias")
def lister(url: Url) -> list[Alias]:
    """Les alias enregistrés (mention normalisée → campus)."""
    return alias.lister(url=url)


@router.post(
    "",
    response_model=AliasEnregistre,
    status_code=201,
    responses=erreurs(404, 422, 503) | REPONSES_ECRITURE,
    summary="Ajoute un alias",
)
def ajouter(url: Url, acteur: ActeurCourant, corps: NouvelAlias, source: Source = None) -> AliasEnregistre:
    """Enregistre qu'une mention désigne un campus (utilisé en priorité par la résolution). Jeton requis.

    La mention est stockée sous sa forme normalisée ; une mention déjà connue change de campus.
    Le jeton d'un utilisateur doit couvrir ce campus et celui que l'alias désignait (403 sinon).
    """
    enregistre, remplace = alias.ajouter(
        corps.texte, corps.campus_id, url=url, acteur=acteur, source=(source or "").strip() or SOURCE_API
    )
    return AliasEnregistre(**enregistre.model_dump(), remplace=remplace)


@router.delete(
    "/{texte}",
    status_code=204,
    responses=erreurs(404, 422, 503) | REPONSES_ECRITURE,
    summary="Supprime un alias",
)
def supprimer(
    url: Url,
    acteur: ActeurCourant,
    texte: Annotated[str, Path(max_length=300, description="Mention de l'alias.")],
    source: Source = None,
) -> Response:
    """Supprime l'alias de cette mention. Jeton requis (celui d'un utilisateur : couvrant le campus de l'alias)."""
    alias.supprimer(texte, url=url, acteur=acteur, source=(source or "").strip() or SOURCE_API)
    return Response(status_code=204)
