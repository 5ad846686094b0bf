"""`/api/campus`: filtered list (JSON page or CSV/XLSX/GeoJSON export), campus sheet, upsert."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import TypeAdapter
from sqlalchemy.exc import DataError, IntegrityError
from starlette.concurrency import run_in_threadpool

from cmq import droits, filtres, territoires
from cmq.api import export
from cmq.api.cache import etag, reponse_json
from cmq.api.dependances import FICHE, LECTURE, Url, erreurs
from cmq.api.schemas import CampusDetail, EcritureCampus, MembreDetail, Page
from cmq.api.securite import REPONSES_ECRITURE, ActeurCourant
from cmq.errors import EntreeInvalide
from cmq.models import CONTEXTE_STOCKE, Campus, Changement, ImportEnregistre
from cmq.reponses.erreurs import ProblemeHTTP
from cmq.store import db, ecriture, etat_au, historique, lecture

router = APIRouter(prefix="/api/campus", tags=["campus"])

DECALAGE_MAX = 1_000_000_000
Identifiant = Annotated[
    str, Path(min_length=1, max_length=120, description="Identifiant du campus.", examples=["mobicampus"])
]

Source = Annotated[
    str,
    Query(
        min_length=1,
        max_length=2000,
        description="Adresse (http, https) ou document qui fonde l'écriture, enregistré dans l'historique.",
        examples=["https://www.education.gouv.fr/arrete-cmq-2025"],
    ),
]


Au = Annotated[
    date | None,
    Query(
        description="Annuaire tel qu'il était à la fin de ce jour (AAAA-MM-JJ), reconstitué depuis l'historique ; "
        "refusé avant le début de l'historique et dans le futur."
    ),
]


def _verifier_territoires(campus: Campus) -> None:
    """TerritoireInconnu unless the région académique and the académies are known codes."""
    for echelle, valeurs in (("region_academique", [campus.region_academique]), ("academie", campus.academies)):
        for code in filter(None, valeurs):
            territoires.verifier_code(echelle, code)


_PAGE = TypeAdapter(Page[Campus])


def _page(url: str, criteres: dict, limite: int, decalage: int) -> tuple[bytes, str]:
    """A JSON page of campuses and its ETag."""
    with db.session(url) as s:
        page, total = lecture.lister_campus(s, **criteres, limite=limite, decalage=decalage)
    corps = _PAGE.dump_json(Page[Campus](total=total, limite=limite, decalage=decalage, elements=page))
    return corps, etag(corps)


def _export(url: str, criteres: dict, format: str, actif_le: date | None) -> Response:
    with db.session(url) as s:
        campus, _total = lecture.lister_campus(s, **criteres)
        return export.campus(s, campus, format, actif_le)


@router.get(
    "",
    response_model=Page[Campus],
    responses=LECTURE | export.REPONSES_CAMPUS | {304: {"description": "Page inchangée (`If-None-Match`)."}},
    summary="Liste filtrée des campus",
)
async def lister(
    requete: Request,
    url: Url,
    filiere: Annotated[
        str | None, Query(max_length=500, description="Code ou libellé de filière (texte libre).")
    ] = None,
    region_academique: Annotated[
        str | None, Query(max_length=200, description="Code (84) ou nom de région académique.")
    ] = None,
    academie: Annotated[str | None, Query(max_length=200, description="Code (10) ou nom d'académie.")] = None,
    departement: Annotated[
        str | None, Query(max_length=200, description="Code (69, 2A, 974) ou nom de département.")
    ] = None,
    excellence: Annotated[
        bool | None,
        Query(description="Campus d'excellence (true) ou non (false) ; non renseignée : ni l'un ni l'autre."),
    ] = None,
    excellence_renseignee: Annotated[
        bool | None, Query(description="Excellence renseignée par la source (true) ou non renseignée (false).")
    ] = None,
    actif_le: Annotated[date | None, Query(description="Label valide à cette date (AAAA-MM-JJ).")] = None,
    q: Annotated[
        str | None, Query(max_length=500, description="Mots cherchés dans le nom, le sigle et la ville du siège.")
    ] = None,
    limite: Annotated[int, Query(ge=1, le=500, description="Taille de page.")] = 50,
    decalage: Annotated[int, Query(ge=0, le=DECALAGE_MAX, description="Nombre de campus sautés.")] = 0,
    format: Annotated[
        export.FormatCampus,
        Query(description="json (page), ou export de tous les campus filtrés : csv, xlsx, geojson."),
    ] = "json",
    au: Au = None,
) -> Page[Campus] | Response:
    """Campus triés par identifiant. Un territoire inclut les campus dont le siège ou un membre s'y trouve.

    Les exports (`format` csv, xlsx ou geojson) contiennent tous les campus filtrés : `limite` et
    `decalage` ne s'y appliquent pas. Les pages JSON portent un `ETag` : avec `If-None-Match`, une
    page inchangée répond 304 sans corps.
    """
    codes = filtres.codes(
        filiere=filiere, region_academique=region_academique, academie=academie, departement=departement
    )
    criteres = dict(**codes, excellence=excellence, excellence_renseignee=excellence_renseignee, actif_le=actif_le, q=q)
    if au is not None:
        lue = await run_in_threadpool(etat_au.url_au, url, au)
    else:
        lue = url
    if format != "json":
        return await run_in_threadpool(_export, lue, criteres, format, actif_le)
    cle = ("campus", tuple(criteres.items()), limite, decalage, au)
    corps, balise = await requete.app.state.cache.obtenir(url, cle, lambda: _page(lue, criteres, limite, decalage))
    return reponse_json(requete, corps, balise)


@router.get("/{id}", response_model=CampusDetail, responses=FICHE, summary="Fiche d'un campus")
def voir(url: Url, id: Identifiant, au: Au = None) -> CampusDetail:
    """Un campus avec ses membres (établissements par UAI, organisations sans UAI) et ses partenaires.

    Avec `au`, tel qu'il était à la fin de ce jour (404 s'il n'existait pas) ; les établissements
    sont ceux de l'annuaire chargé aujourd'hui."""
    with db.session(etat_au.url_au(url, au)) as s:
        campus = lecture.campus(s, id)
        membres = lecture.membres(s, campus.id)
        nommes = lecture.membres_nommes(s, campus.id)
        partenaires = lecture.partenaires(s, campus.id)
    return CampusDetail.model_validate(  # stored values, as read (models.CONTEXTE_STOCKE)
        {
            **campus.model_dump(),
            "membres": [
                MembreDetail(
                    uai=m.uai, role=m.role, libelle_role=m.libelle_role, source_url=m.source_url, etablissement=e
                )
                for m, e in membres
            ],
            "membres_nommes": nommes,
            "partenaires": partenaires,
        },
        context=CONTEXTE_STOCKE,
    )


@router.get(
    "/{id}/historique",
    response_model=Page[Changement],
    responses=FICHE,
    summary="Historique des changements d'un campus",
)
def lire_historique(
    url: Url,
    id: Identifiant,
    limite: Annotated[int, Query(ge=1, le=500, description="Taille de page.")] = 50,
    decalage: Annotated[int, Query(ge=0, le=DECALAGE_MAX, description="Nombre de changements sautés.")] = 0,
) -> Page[Changement]:
    """Les changements appliqués au campus, le plus récent d'abord : qui, quand, quelle source, quelle
    opération (import, edition, alias…) et chaque champ avant → après. Chaque restauration de la base
    entière y figure à sa date (`operation` « restauration », `objet` « base », `source` le fichier de
    sauvegarde ; `id` : son numéro de restauration). Un campus supprimé depuis garde son historique ;
    404 pour un campus ni enregistré ni présent dans l'historique."""
    with db.session(url) as s:
        elements, total = historique.du_campus(s, id, limite=limite, decalage=decalage)
    return Page[Changement](total=total, limite=limite, decalage=decalage, elements=elements)


@router.put(
    "/{id}",
    response_model=EcritureCampus,
    responses=erreurs(422, 503) | REPONSES_ECRITURE | {201: {"model": EcritureCampus, "description": "Campus créé."}},
    summary="Crée ou remplace un campus",
)
def remplacer(
    url: Url, acteur: ActeurCourant, id: Identifiant, campus: Campus, reponse: Response, source: Source
) -> EcritureCampus:
    """Crée (201) ou met à jour (200) le campus `id` ; l'identifiant du corps doit être celui du chemin.

    Les territoires (région académique, académies) doivent être des codes connus. `source` (adresse
    ou document qui fonde l'écriture) est obligatoire : l'écriture est enregistrée dans l'historique
    du campus (qui, quand, source, chaque champ avant et après) et dans celui des imports. Jeton requis :
    celui d'un utilisateur doit couvrir le campus tel qu'il est et tel qu'il devient (403 sinon, rien
    n'est écrit).
    """
    if not source.strip():
        raise ProblemeHTTP(422, "« source » : obligatoire (adresse ou document qui fonde l'écriture)")
    if campus.id != id:
        raise ProblemeHTTP(422, f"identifiant incohérent : « {campus.id} » dans le corps, « {id} » dans le chemin")
    _verifier_territoires(campus)
    debut = datetime.now(UTC)
    try:
        with db.session(url, ecriture=True) as s:
            droits.verifier_campus(s, acteur, id, nouveau=campus)
            suivi: list = []
            bilan = ecriture.ecrire_campus(s, [campus], suivi=suivi)
            if bilan.inserees or bilan.mises_a_jour:  # traced in the history like any import
                import_id = ecriture.enregistrer_import(
                    s,
                    ImportEnregistre(
                        source=f"api : PUT /api/campus/{campus.id}",
                        type_import="campus",
                        debut=debut,
                        fin=datetime.now(UTC),
                        lignes_lues=1,
                        inserees=bilan.inserees,
                        mises_a_jour=bilan.mises_a_jour,
                    ),
                )
                historique.enregistrer(
                    s,
                    historique.nouveaux("campus", suivi),
                    acteur=acteur,
                    source=source,
                    operation="edition",
                    import_id=import_id,
                )
    except (DataError, IntegrityError) as erreur:  # e.g. a value longer than its PostgreSQL column
        raise EntreeInvalide(
            "campus refusé par la base de données (texte trop long pour sa colonne ou caractère nul) : "
            + str(erreur.orig).strip().splitlines()[0]
        ) from None
    statut = "cree" if bilan.inserees else ("modifie" if bilan.mises_a_jour else "inchange")
    if bilan.inserees:
        reponse.status_code = 201
    return EcritureCampus(statut=statut, campus=campus)
