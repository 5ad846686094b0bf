"""`/api/imports`: upload a CSV/XLSX file through the import pipeline (token), read the history."""

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile

from cmq.api.dependances import LECTURE, Url, erreurs
from cmq.api.schemas import RapportImport, RejetImport
from cmq.api.securite import REPONSES_ECRITURE, acteur, exiger_jeton
from cmq.importation.fichier import importer_fichier
from cmq.importation.pipeline import Rapport
from cmq.models import ImportEnregistre
from cmq.reponses.erreurs import ProblemeHTTP
from cmq.store import db, lecture
from cmq.tableau import EXTENSIONS

router = APIRouter(prefix="/api/imports", tags=["imports"])

TAILLE_MAX = 200 * 1024 * 1024  # bytes
_NOM_SUR = re.compile(r"[\w .()+-]{1,150}")

TypeImport = Literal["campus", "etablissements", "membres", "partenaires"]


def _nom_local(nom_client: str | None) -> str:
    """A safe local file name keeping the client's name (for messages) and its extension."""
    nom = Path((nom_client or "").replace("\\", "/")).name
    suffixe = Path(nom).suffix.lower()
    if suffixe not in EXTENSIONS:
        raise ProblemeHTTP(
            422,
            f"fichier « {nom or '(sans nom)'} » : extension « {suffixe or '(aucune)'} » non prise en charge "
            f"(attendu : {', '.join(EXTENSIONS)})",
        )
    return nom if _NOM_SUR.fullmatch(nom) and not nom.startswith(".") else f"fichier{suffixe}"


def _copier(fichier: UploadFile, chemin: Path) -> None:
    """Copy the upload to `chemin`; 413 beyond TAILLE_MAX."""
    with open(chemin, "wb") as sortie:
        shutil.copyfileobj(fichier.file, sortie, 1 << 20)
        if sortie.tell() > TAILLE_MAX:
            raise ProblemeHTTP(413, f"fichier trop volumineux : {TAILLE_MAX // (1024 * 1024)} Mo au plus")


def rapport_json(rapport: Rapport) -> RapportImport:
    """The API form of a pipeline report (rejected rows with their line number and reason)."""
    return RapportImport(
        source=rapport.source,
        type_import=rapport.type_import,
        statut=rapport.statut,
        lues=rapport.lues,
        inserees=rapport.inserees,
        mises_a_jour=rapport.mises_a_jour,
        inchangees=rapport.inchangees,
        rejetees=rapport.rejetees,
        ignorees=rapport.ignorees,
        colonnes_ignorees=rapport.colonnes_ignorees,
        rejets=[RejetImport(numero=r.numero, raison=r.raison) for r in rapport.rejets],
        somme_controle=rapport.somme_controle,
        import_id=rapport.import_id,
    )


@router.post(
    "",
    response_model=RapportImport,
    dependencies=[Depends(exiger_jeton)],
    responses=erreurs(409, 413, 422, 503) | REPONSES_ECRITURE,
    summary="Importe un fichier CSV ou XLSX",
)
def importer(
    requete: Request,
    url: Url,
    fichier: Annotated[UploadFile, File(description="Fichier .csv, .txt, .tsv ou .xlsx.")],
    type_import: Annotated[
        TypeImport | None,
        Form(alias="type", description="Nature des lignes (devinée d'après les colonnes si absente)."),
    ] = None,
    partiel: Annotated[
        bool, Form(description="Importe les lignes valides et liste les rejetées (sinon tout ou rien).")
    ] = False,
    feuille: Annotated[str | None, Form(max_length=200, description="Feuille à lire (classeur XLSX).")] = None,
) -> RapportImport:
    """Importe un fichier avec le même pipeline que `cmq importer csv|xlsx`. Jeton requis.

    Sans `partiel`, une seule ligne rejetée refuse tout l'import (422, rien n'est écrit).
    """
    nom = _nom_local(fichier.filename)
    with tempfile.TemporaryDirectory(prefix="cmq-import-") as dossier:
        chemin = Path(dossier) / nom
        _copier(fichier, chemin)
        rapport = importer_fichier(
            chemin,
            type_import=type_import,
            partiel=partiel,
            feuille=feuille or None,
            url=url,
            rapport=Path(dossier) / "rejets.csv",
            source=f"api : {nom}",
            acteur=acteur(requete),
        )
    return rapport_json(rapport)


@router.get("", response_model=list[ImportEnregistre], responses=LECTURE, summary="Historique des imports")
def historique(
    url: Url,
    limite: Annotated[int, Query(ge=1, le=500, description="Nombre d'imports, du plus récent.")] = 50,
) -> list[ImportEnregistre]:
    """Les derniers imports (source, type, lignes lues, insérées, mises à jour, rejetées, statut)."""
    with db.session(url) as s:
        return lecture.imports(s, limite)
