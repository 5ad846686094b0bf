"""`/api/relecture`: the changes waiting review (`cmq.relecture`), accepted or rejected (token required)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from cmq import relecture
from cmq.api.dependances import Url, erreurs
from cmq.api.securite import REPONSES_ECRITURE, ActeurCourant
from cmq.models import Changement

router = APIRouter(prefix="/api/relecture", tags=["relecture"])

IdChangement = Annotated[int, Path(ge=1, le=relecture.ID_MAX, description="Numéro du changement.")]
DECISION = erreurs(403, 404, 409, 422, 503) | REPONSES_ECRITURE


class Rejet(BaseModel):
    """Body of a rejection: why the change is refused."""

    model_config = ConfigDict(extra="forbid")

    motif: str = Field(min_length=1, max_length=2000, description="Raison du rejet (obligatoire).")


@router.get(
    "",
    response_model=list[Changement],
    responses=erreurs(422, 503) | REPONSES_ECRITURE,
    summary="Changements en attente de relecture",
)
def lister(
    acteur: ActeurCourant,
    url: Url,
    campus_id: Annotated[str | None, Query(max_length=120, description="Ceux d'un seul campus.")] = None,
) -> list[Changement]:
    """Les changements « à valider » visibles du porteur du jeton (les siens, ceux des campus qu'il
    relit), du plus ancien au plus récent. Jeton requis."""
    return relecture.en_attente(acteur, campus_id=campus_id, url=url)


@router.post("/{id}/accepter", response_model=list[Changement], responses=DECISION, summary="Accepte un changement")
def accepter(acteur: ActeurCourant, url: Url, id: IdChangement) -> list[Changement]:
    """Applique le changement (et l'autre moitié d'une proposition d'import) s'il part encore de
    l'état enregistré ; sinon 409 (conflit), rien n'est modifié. Jeton requis."""
    return relecture.accepter(id, acteur=acteur, url=url)


@router.post("/{id}/rejeter", response_model=list[Changement], responses=DECISION, summary="Rejette un changement")
def rejeter(acteur: ActeurCourant, url: Url, id: IdChangement, corps: Rejet) -> list[Changement]:
    """Rejette le changement avec son motif ; rien n'est appliqué. Jeton requis."""
    return relecture.rejeter(id, corps.motif, acteur=acteur, url=url)
