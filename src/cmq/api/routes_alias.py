"""`/api/alias`: user-confirmed mappings from a free-text mention to a campus (writes need the token)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from cmq import alias
from cmq.api.dependances import LECTURE, Url, erreurs
from cmq.api.securite import REPONSES_ECRITURE, exiger_jeton
from cmq.models import Alias

router = APIRouter(prefix="/api/alias", tags=["alias"])


class NouvelAlias(BaseModel):
    """Body of `POST /api/alias`."""

    texte: str = Field(min_length=1, max_length=300, description="Mention en texte libre (« CMQ BTP Lyon »).")
    campus_id: str = Field(min_length=1, max_length=120, description="Identifiant du campus désigné.")


@router.get("", response_model=list[Alias], responses=LECTURE, summary="Liste des alias")
def lister(url: Url) -> list[Alias]:
    """Les alias enregistrés (mention normalisée → campus)."""
    return alias.lister(url=url)


@router.post("", response_model=Alias, status_code=201, dependencies=[Depends(exiger_jeton)],
             responses=erreurs(404, 422, 503) | REPONSES_ECRITURE, summary="Ajoute un alias")
def ajouter(url: Url, corps: NouvelAlias) -> Alias:
    """Enregistre qu'une mention désigne un campus (utilisé en priorité par la résolution). Jeton requis."""
    return alias.ajouter(corps.texte, corps.campus_id, url=url)


@router.delete("/{texte}", status_code=204, dependencies=[Depends(exiger_jeton)],
               responses=erreurs(404, 422, 503) | REPONSES_ECRITURE, summary="Supprime un alias")
def supprimer(url: Url, texte: Annotated[str, Path(max_length=300, description="Mention de l'alias.")]) -> Response:
    """Supprime l'alias de cette mention. Jeton requis."""
    alias.supprimer(texte, url=url)
    return Response(status_code=204)
