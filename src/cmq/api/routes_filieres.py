"""`/api/filieres`: the 12 filières, the free-text search and the formation domains (NSF) that feed them
(in memory, no database)."""

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from cmq import filieres, nsf
from cmq.api.cache import etag, reponse_json
from cmq.api.dependances import erreurs
from cmq.api.schemas import DomaineFormation, DomaineNsf, FiliereCitee, FiliereDetail, RechercheFilieres
from cmq.errors import FiliereInconnue, IntrouvableError, NsfInconnu
from cmq.filieres import Filiere

router = APIRouter(prefix="/api/filieres", tags=["filières"])


@router.get("", response_model=list[Filiere], summary="Les 12 filières")
async def lister() -> tuple[Filiere, ...]:
    """Les 12 filières des CMQ, dans l'ordre de l'entrée de glossaire."""
    return filieres.all()


@router.get(
    "/recherche",
    response_model=RechercheFilieres,
    responses=erreurs(422),
    summary="Recherche d'une filière en texte libre",
)
async def rechercher(
    requete: Request,
    q: Annotated[
        str,
        Query(
            max_length=500,
            description="Texte saisi (vide : les 12 filières ; un début de mot suffit, dès une lettre).",
            examples=["BTP", "aero", "mob", "a", "Campus Tourisme Nice"],
        ),
    ] = "",
    limite: Annotated[int, Query(ge=1, le=12, description="Nombre maximal de candidats.")] = 12,
) -> Response:
    """Filières correspondant à un texte libre, comme la saisie semi-automatique d'Orion : texte vide, les 12
    dans l'ordre du glossaire ; sinon tout début de mot d'un libellé (accents et casse ignorés), les synonymes,
    sigles et fautes de frappe, de la plus probable à la moins probable."""
    return reponse_json(requete, *recherche_json(q, limite))


@lru_cache(maxsize=20_000)
def recherche_json(q: str, limite: int) -> tuple[bytes, str]:
    """The JSON body of a search and its ETag (the filières never change while the server runs: cached by text)."""
    decision = filieres.normalize(q) if q.strip() else None
    resultats = filieres.suggerer(q, limit=limite)
    corps = (
        RechercheFilieres(
            q=q,
            statut=decision.statut if decision else "inconnu",
            filiere=decision.filiere if decision else None,
            resultats=resultats,
        )
        .model_dump_json()
        .encode()
    )
    return corps, etag(corps)


@router.get(
    "/nsf/{code}",
    response_model=DomaineNsf,
    responses=erreurs(404, 422),
    summary="Les filières d'un domaine de formation (NSF)",
)
async def domaine_nsf(
    code: Annotated[
        str,
        Path(pattern=r"^[0-9]{3}$", description="Code à 3 chiffres du groupe de spécialités NSF.", examples=["334"]),
    ],
) -> DomaineNsf:
    """Le domaine de formation de ce code et les filières qu'il alimente (aucune, une ou plusieurs), avec la
    raison du rattachement. La correspondance est propre à cmq : il n'en existe pas d'officielle."""
    try:
        d = nsf.get(code)
    except NsfInconnu as erreur:  # a resource path: unknown is "not found"
        raise IntrouvableError(str(erreur)) from None
    cites = [FiliereCitee(code=c, libelle=filieres.get(c).libelle) for c in d.filieres]
    return DomaineNsf(code=d.code, libelle=d.libelle, filieres=cites, justification=d.justification)


@router.get("/{code}", response_model=FiliereDetail, responses=erreurs(404), summary="Une filière")
async def voir(
    code: Annotated[
        str,
        Path(max_length=200, description="Code de la filière.", examples=["infrastructures-batiment-eco-construction"]),
    ],
) -> FiliereDetail:
    """La filière de ce code et les domaines de formation (groupes NSF) qui l'alimentent."""
    try:
        f = filieres.get(code)
    except FiliereInconnue as erreur:  # a resource path: unknown is "not found"
        raise IntrouvableError(str(erreur)) from None
    domaines = [
        DomaineFormation(code=d.code, libelle=d.libelle, justification=d.justification) for d in nsf.de_filiere(f.code)
    ]
    return FiliereDetail(**f.model_dump(), domaines_formation=domaines)
