"""Portable backup of the whole store: a ZIP of JSON Lines tables plus a manifest, and its restore.

The format (docs/sauvegarde.md) is database-neutral: a SQLite store restores into PostgreSQL
and back. Output is deterministic (rows sorted by primary key, fixed ZIP timestamps), so the
same content always gives the same bytes. Restore checks everything before touching the
target, then writes in one transaction: on any error the target is unchanged.
"""

import hashlib
import json
import os
import zipfile
import zlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, ValidationError
from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, String, Table, func, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from cmq import __version__, saisie
from cmq.errors import EntreeInvalide, ErreurStockage, FichierIllisible
from cmq.fichiers import ecriture_atomique
from cmq.store import db, schema, verrou
from cmq.store.tables import Base

FORMAT = "cmq-sauvegarde"
VERSION_FORMAT = 1
MANIFESTE = "manifeste.json"
DATE_ZIP = (1980, 1, 1, 0, 0, 0)  # fixed entry timestamp: identical content, identical bytes
TAILLE_LOT = 5000


class TableSauvegardee(BaseModel):
    """Manifest entry of one table file `<table>.jsonl`."""

    lignes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    colonnes: list[str]


class Manifeste(BaseModel):
    """`manifeste.json`: what the bundle holds and how to check it."""

    format: str = FORMAT
    version_format: int = VERSION_FORMAT
    version_cmq: str
    revision_alembic: str | None
    cree_le: AwareDatetime
    tables: dict[str, TableSauvegardee]

    @property
    def total_lignes(self) -> int:
        """Rows in all tables."""
        return sum(t.lignes for t in self.tables.values())


def tables() -> list[Table]:
    """Every table of the store, parents before children (insertion order)."""
    return list(Base.metadata.sorted_tables)


# --- Values: column type <-> JSON ------------------------------------------------------------


def valeur_json(colonne: Column, valeur: Any) -> Any:
    """A database value as JSON; timestamps with time zone in UTC (naive SQLite ones are UTC)."""
    if valeur is None:
        return None
    genre = colonne.type
    if isinstance(genre, DateTime):
        if genre.timezone:
            return (valeur if valeur.tzinfo else valeur.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
        return valeur.isoformat()
    if isinstance(genre, Date):
        return valeur.isoformat()
    if isinstance(genre, Boolean):
        return bool(valeur)
    if isinstance(genre, Float):
        return float(valeur)
    if isinstance(genre, Integer):
        return int(valeur)
    if isinstance(genre, String):
        return str(valeur)
    raise ErreurStockage(f"colonne {colonne.table.name}.{colonne.name} : type {genre} non pris en charge")


def valeur_base(colonne: Column, valeur: Any) -> Any:
    """A JSON value back to the column's Python type; ValueError (French) if it does not fit."""
    if valeur is None:
        return None
    genre = colonne.type
    if isinstance(genre, DateTime):
        moment = datetime.fromisoformat(_texte(valeur, "date-heure ISO 8601"))
        if genre.timezone and moment.tzinfo is None:
            raise ValueError(f"date-heure sans fuseau horaire : {valeur!r}")
        return moment
    if isinstance(genre, Date):
        return date.fromisoformat(_texte(valeur, "date ISO 8601"))
    if isinstance(genre, Boolean):
        if not isinstance(valeur, bool):
            raise ValueError(f"booléen attendu, pas {valeur!r}")
        return valeur
    if isinstance(genre, Float):
        if isinstance(valeur, bool) or not isinstance(valeur, int | float):
            raise ValueError(f"nombre attendu, pas {valeur!r}")
        return float(valeur)
    if isinstance(genre, Integer):
        if isinstance(valeur, bool) or not isinstance(valeur, int):
            raise ValueError(f"entier attendu, pas {valeur!r}")
        return valeur
    return _texte(valeur, "texte")


def _texte(valeur: Any, attendu: str) -> str:
    if not isinstance(valeur, str):
        raise ValueError(f"{attendu} attendu, pas {valeur!r}")
    return valeur


# --- Dump --------------------------------------------------------------------------------------


def _horodatage(cree_le: datetime | None) -> datetime:
    """`cree_le`, else $SOURCE_DATE_EPOCH (reproducible builds), else now; in UTC."""
    if cree_le is not None:
        return cree_le.astimezone(UTC)
    if epoch := os.environ.get("SOURCE_DATE_EPOCH"):
        if not epoch.isdigit():
            raise EntreeInvalide(f"SOURCE_DATE_EPOCH invalide : « {epoch} » (secondes depuis 1970 attendues)")
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def _contenu_table(connexion, table: Table) -> tuple[bytes, int]:
    """The JSON Lines bytes of a table, rows sorted by primary key in Python (same order on every database)."""
    colonnes = list(table.columns)
    cle = [colonnes.index(c) for c in table.primary_key.columns]
    lignes = sorted(connexion.execute(select(table)).all(), key=lambda ligne: [ligne[i] for i in cle])
    texte = "".join(
        json.dumps(
            {c.name: valeur_json(c, v) for c, v in zip(colonnes, ligne, strict=True)},
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
        )
        + "\n"
        for ligne in lignes
    )
    return texte.encode("utf-8"), len(lignes)


def _lire_base(url: str) -> dict[str, tuple[bytes, int]]:
    """Every table's file content, read in one snapshot transaction."""
    lien = db.moteur(url)
    if lien.dialect.name == "postgresql":
        lien = lien.execution_options(isolation_level="REPEATABLE READ")
    try:
        with lien.begin() as connexion:
            return {table.name: _contenu_table(connexion, table) for table in tables()}
    except ValueError as erreur:  # NaN or infinite float: not representable in JSON
        raise ErreurStockage(f"valeur non sauvegardable dans la base : {erreur}") from None
    except SQLAlchemyError as erreur:
        raise db.erreur_stockage(url, erreur) from None


def _entree_zip(nom: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(nom, date_time=DATE_ZIP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever the platform
    info.external_attr = 0o644 << 16
    return info


def _ecrire_archive(chemin: Path, entete: bytes, contenus: dict[str, tuple[bytes, int]]) -> None:
    """Write the ZIP atomically: the manifest first, then one `<table>.jsonl` per table."""
    with ecriture_atomique(chemin, "wb") as fichier, zipfile.ZipFile(fichier, "w") as archive:
        archive.writestr(_entree_zip(MANIFESTE), entete)
        for nom, (contenu, _nombre) in contenus.items():
            archive.writestr(_entree_zip(f"{nom}.jsonl"), contenu)


def sauvegarder(chemin: str | Path, url: str | None = None, *, cree_le: datetime | None = None) -> Manifeste:
    """Write the whole store (`url`, default database) to the bundle `chemin`; return its manifest.

    The store must be initialised at the current schema revision. `cree_le` (default
    $SOURCE_DATE_EPOCH, else now) is the only value of the bundle that is not the content.
    """
    chemin = Path(chemin)
    url = db.ouvrir(url, creer=False)
    schema.exiger_initialisee(url)
    contenus = _lire_base(url)
    manifeste = Manifeste(
        version_cmq=__version__,
        revision_alembic=schema.revision_courante(url),
        cree_le=_horodatage(cree_le),
        tables={
            table.name: TableSauvegardee(
                lignes=contenus[table.name][1],
                sha256=hashlib.sha256(contenus[table.name][0]).hexdigest(),
                colonnes=[c.name for c in table.columns],
            )
            for table in tables()
        },
    )
    entete = json.dumps(manifeste.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    _ecrire_archive(chemin, entete.encode("utf-8"), contenus)
    return manifeste


# --- Read and check a bundle ---------------------------------------------------------------


def _illisible(chemin: Path, detail: str) -> FichierIllisible:
    return FichierIllisible(f"sauvegarde « {chemin.name} » illisible : {detail}")


def _lire_entree(archive: zipfile.ZipFile, chemin: Path, nom: str) -> bytes:
    try:
        return archive.read(nom)
    except KeyError:
        raise _illisible(chemin, f"fichier « {nom} » absent de l'archive") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as erreur:
        raise _illisible(chemin, f"« {nom} » corrompu dans l'archive ({erreur})") from None


def _lire_manifeste(archive: zipfile.ZipFile, chemin: Path) -> Manifeste:
    try:
        brut = json.loads(_lire_entree(archive, chemin, MANIFESTE).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as erreur:
        raise _illisible(chemin, f"{MANIFESTE} n'est pas du JSON valide ({erreur})") from None
    if not isinstance(brut, dict) or brut.get("format") != FORMAT:
        raise _illisible(chemin, f"ce n'est pas une sauvegarde cmq (format « {FORMAT} » attendu)")
    if brut.get("version_format") != VERSION_FORMAT:
        raise _illisible(
            chemin,
            f"version de format {brut.get('version_format')!r} non prise en charge "
            f"(cette version de cmq lit la version {VERSION_FORMAT})",
        )
    try:
        manifeste = Manifeste.model_validate(brut)
    except ValidationError as erreur:
        probleme = erreur.errors()[0]
        champ, message = saisie.champ_pydantic(probleme), saisie.message_pydantic(probleme)
        raise _illisible(chemin, f"{MANIFESTE} invalide (champ « {champ} » : {message})") from None
    connues = Base.metadata.tables
    for nom, entree in manifeste.tables.items():
        if nom not in connues:
            raise _illisible(chemin, f"table inconnue « {nom} » (sauvegarde d'une version plus récente de cmq ?)")
        inconnues = set(entree.colonnes) - set(connues[nom].columns.keys())
        if inconnues:
            raise _illisible(chemin, f"colonnes inconnues dans « {nom} » : {', '.join(sorted(inconnues))}")
    return manifeste


def _lignes_table(chemin: Path, table: Table, entree: TableSauvegardee, contenu: bytes) -> list[dict[str, Any]]:
    """Check checksum and row count, parse and convert every row of `<table>.jsonl`."""
    fichier = f"{table.name}.jsonl"
    if hashlib.sha256(contenu).hexdigest() != entree.sha256:
        raise _illisible(chemin, f"somme de contrôle incorrecte pour « {fichier} » (fichier altéré)")
    colonnes = [table.columns[nom] for nom in entree.colonnes]
    manquantes = [c for c in table.columns if c.name not in entree.colonnes]
    attendues = set(entree.colonnes)
    lignes = []
    textes = contenu.decode("utf-8").split("\n")  # not splitlines(): U+2028 may sit inside a string
    if textes[-1] == "":
        textes.pop()
    for numero, texte in enumerate(textes, start=1):
        try:
            objet = json.loads(texte)
            if not isinstance(objet, dict) or set(objet) != attendues:
                raise ValueError(f"objet JSON avec les colonnes {', '.join(entree.colonnes)} attendu")
            ligne = {c.name: valeur_base(c, objet[c.name]) for c in colonnes}
        except ValueError as erreur:  # JSONDecodeError is a ValueError
            raise _illisible(chemin, f"« {fichier} », ligne {numero} : {erreur}") from None
        ligne.update({c.name: _defaut(c) for c in manquantes})
        lignes.append(ligne)
    if len(lignes) != entree.lignes:
        raise _illisible(
            chemin, f"« {fichier} » contient {len(lignes)} lignes, le manifeste en annonce {entree.lignes}"
        )
    return lignes


def _defaut(colonne: Column) -> Any:
    """Value of a column absent from an older bundle: its scalar default, else NULL."""
    defaut = colonne.default
    return defaut.arg if defaut is not None and defaut.is_scalar else None


def lire(chemin: str | Path) -> tuple[Manifeste, dict[str, list[dict[str, Any]]]]:
    """Read and fully check a bundle: its manifest and the converted rows of each table."""
    chemin = Path(chemin)
    if not chemin.is_file():
        raise FichierIllisible(f"sauvegarde introuvable : « {chemin} »")
    try:
        with zipfile.ZipFile(chemin) as archive:
            manifeste = _lire_manifeste(archive, chemin)
            donnees = {
                nom: _lignes_table(
                    chemin, Base.metadata.tables[nom], entree, _lire_entree(archive, chemin, f"{nom}.jsonl")
                )
                for nom, entree in manifeste.tables.items()
            }
    except UnicodeDecodeError:
        raise _illisible(chemin, "une table n'est pas encodée en UTF-8") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as erreur:
        raise _illisible(chemin, f"archive ZIP corrompue ou tronquée ({erreur})") from None
    except OSError as erreur:
        raise _illisible(chemin, erreur.strerror or str(erreur)) from None
    return manifeste, donnees


# --- Restore -------------------------------------------------------------------------------


def _refuser_si_non_vide(connexion) -> None:
    comptes = {t.name: connexion.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()}
    occupees = [f"{n} {nom}" for nom, n in comptes.items() if n]
    if occupees:
        raise ErreurStockage(
            f"la base cible n'est pas vide ({', '.join(occupees)}) : "
            "restauration refusée (option --remplacer pour écraser son contenu)"
        )


def _recaler_sequences(connexion) -> None:
    """PostgreSQL: move each serial sequence past the restored explicit ids."""
    for table in tables():
        colonne = table.autoincrement_column
        if colonne is not None:
            sequence = func.pg_get_serial_sequence(table.name, colonne.name)
            suivant = func.coalesce(func.max(colonne), 0) + 1
            connexion.execute(select(func.setval(sequence, suivant, False)).select_from(table))


def _ecrire(connexion, donnees: dict[str, list[dict[str, Any]]], remplacer: bool) -> None:
    if remplacer:
        for table in reversed(tables()):
            connexion.execute(table.delete())
    else:
        _refuser_si_non_vide(connexion)
    for table in tables():
        lignes = donnees.get(table.name, [])
        for debut in range(0, len(lignes), TAILLE_LOT):
            connexion.execute(table.insert(), lignes[debut : debut + TAILLE_LOT])
    if connexion.dialect.name == "postgresql":
        _recaler_sequences(connexion)


def restaurer(chemin: str | Path, url: str | None = None, *, remplacer: bool = False) -> Manifeste:
    """Load the bundle `chemin` into the store `url` (default database); return its manifest.

    The bundle is checked entirely first; the target is migrated to the current schema, must
    be empty unless `remplacer=True`, and is written in a single transaction.
    """
    manifeste, donnees = lire(chemin)
    url = db.ouvrir(url)
    schema.mettre_a_jour(url)
    try:
        with verrou.connexion_import(url) as connexion:  # a restore and an import never overlap
            _ecrire(connexion, donnees, remplacer)
    except (OperationalError, InterfaceError) as erreur:
        raise db.erreur_stockage(url, erreur) from None
    except DBAPIError as erreur:  # constraint or type violation: the bundle is inconsistent
        detail = str(erreur.orig).strip().splitlines()[0]
        raise ErreurStockage(f"restauration impossible, base inchangée : sauvegarde incohérente ({detail})") from None
    return manifeste
