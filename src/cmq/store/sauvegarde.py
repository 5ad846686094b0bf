"""Portable backup of the whole store: a ZIP of JSON Lines tables plus a manifest, and its restore.

The format (docs/sauvegarde.md) is database-neutral: a SQLite store restores into PostgreSQL
and back. Output is deterministic (rows sorted by primary key, fixed ZIP timestamps), so the
same content always gives the same bytes. Restore checks everything before touching the
target, then writes in one transaction: on any error the target is unchanged.

The journal of restores (`restaurations`, TABLES_LOCALES) is a fact about one database, not data:
it is never written to a bundle nor read from one, and a successful restore adds its row in the
restore's own transaction. So backup → restore → backup stays byte-identical.
"""

import hashlib
import json
import math
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, StrictInt, StrictStr, ValidationError
from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, String, Table, func, insert, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from cmq import __version__, saisie
from cmq.errors import CmqError, EntreeInvalide, ErreurStockage, FichierIllisible
from cmq.fichiers import ecriture_atomique
from cmq.models import Acteur
from cmq.store import conversion, db, schema, verrou
from cmq.store.historique import ACTEUR_LOCAL
from cmq.store.tables import Base, RestaurationTable

FORMAT = "cmq-sauvegarde"
VERSION_FORMAT = 1
MANIFESTE = "manifeste.json"
DATE_ZIP = (1980, 1, 1, 0, 0, 0)  # fixed entry timestamp: identical content, identical bytes
TAILLE_LOT = 5000
# Limits checked while the entries are decompressed (decompression bombs, hostile bundles).
TAILLE_MAX_MANIFESTE = 1024 * 1024  # bytes
TAILLE_MAX_TABLE = 128 * 1024 * 1024  # uncompressed bytes of one `<table>.jsonl`
TAILLE_MAX_LIGNE = 1024 * 1024  # one JSON line (one row)
RATIO_MAX = 100  # uncompressed / compressed size, checked beyond SEUIL_RATIO
SEUIL_RATIO = 1024 * 1024
ENTIER_MAX = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite
MESSAGE_ENTIER = "entier hors limites (au plus 2⁶³ - 1 en valeur absolue)"
BLOC = 64 * 1024
METHODES_ZIP = {zipfile.ZIP_STORED: "aucune", zipfile.ZIP_DEFLATED: "deflate"}
# Tables of this database only, never in a bundle: the journal of its restores.
TABLES_LOCALES = frozenset({RestaurationTable.__tablename__})


class TableSauvegardee(BaseModel):
    """Manifest entry of one table file `<table>.jsonl`."""

    lignes: StrictInt = Field(ge=0, le=ENTIER_MAX)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    colonnes: list[str]


class Manifeste(BaseModel):
    """`manifeste.json`: what the bundle holds and how to check it."""

    format: StrictStr = FORMAT
    version_format: StrictInt = VERSION_FORMAT
    version_cmq: StrictStr
    revision_alembic: StrictStr | None
    cree_le: AwareDatetime
    tables: dict[str, TableSauvegardee]

    @property
    def total_lignes(self) -> int:
        """Rows in all tables."""
        return sum(t.lignes for t in self.tables.values())


def tables() -> list[Table]:
    """Every table a bundle carries, parents before children (insertion order): all the store's
    tables but TABLES_LOCALES."""
    return [t for t in Base.metadata.sorted_tables if t.name not in TABLES_LOCALES]


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
            raise ValueError(f"nombre attendu, pas {_apercu(valeur)}")
        if isinstance(valeur, int) and abs(valeur) > ENTIER_MAX or not math.isfinite(valeur):
            raise ValueError(f"nombre hors limites : {_apercu(valeur)}")
        return float(valeur)
    if isinstance(genre, Integer):
        if isinstance(valeur, bool) or not isinstance(valeur, int):
            raise ValueError(f"entier attendu, pas {_apercu(valeur)}")
        if not -ENTIER_MAX - 1 <= valeur <= ENTIER_MAX:
            raise ValueError(f"{MESSAGE_ENTIER} : {_apercu(valeur)}")
        return valeur
    return _texte(valeur, "texte")


def _apercu(valeur: Any) -> str:
    """A short repr for messages."""
    texte = repr(valeur)
    return texte if len(texte) <= 80 else texte[:77] + "…"


def _texte(valeur: Any, attendu: str) -> str:
    if not isinstance(valeur, str):
        raise ValueError(f"{attendu} attendu, pas {_apercu(valeur)}")
    try:
        valeur.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("caractère invalide : demi-paire de substitution Unicode isolée (\\ud800-\\udfff)") from None
    if "\x00" in valeur:
        raise ValueError("caractère nul interdit dans un texte")
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


def _info(archive: zipfile.ZipFile, chemin: Path, nom: str, limite: int) -> zipfile.ZipInfo:
    """The entry `nom`, refused before any decompression when encrypted, of an unknown compression,
    or declared larger than `limite` or compressed beyond RATIO_MAX."""
    try:
        info = archive.getinfo(nom)
    except KeyError:
        raise _illisible(chemin, f"fichier « {nom} » absent de l'archive") from None
    if info.flag_bits & 0x1:
        raise _illisible(
            chemin, f"« {nom} » est chiffré (protégé par mot de passe) : cmq n'écrit jamais d'entrée chiffrée"
        )
    if info.compress_type not in METHODES_ZIP:
        raise _illisible(
            chemin,
            f"« {nom} » : méthode de compression n° {info.compress_type} non prise en charge "
            f"(attendu : {' ou '.join(METHODES_ZIP.values())})",
        )
    if info.file_size > limite:
        raise _trop_gros(chemin, nom, limite)
    if info.file_size > SEUIL_RATIO and info.file_size > RATIO_MAX * max(info.compress_size, 1):
        raise _bombe(chemin, nom)
    return info


def _trop_gros(chemin: Path, nom: str, limite: int) -> FichierIllisible:
    return _illisible(chemin, f"« {nom} » dépasse {limite // (1024 * 1024)} Mo une fois décompressé")


def _bombe(chemin: Path, nom: str) -> FichierIllisible:
    return _illisible(
        chemin, f"« {nom} » : taux de compression anormal (plus de {RATIO_MAX} pour 1) : bombe de décompression ?"
    )


def _blocs(archive: zipfile.ZipFile, chemin: Path, nom: str, limite: int, empreinte=None) -> Iterator[bytes]:
    """The decompressed bytes of `nom` by blocks, sizes and ratio checked as they come, hashed on the way."""
    info = _info(archive, chemin, nom, limite)
    lus = 0
    try:
        with archive.open(info) as flux:
            while bloc := flux.read(BLOC):
                lus += len(bloc)
                if lus > info.file_size:
                    raise _illisible(chemin, f"« {nom} » : plus d'octets que la taille annoncée ({info.file_size})")
                if lus > limite:
                    raise _trop_gros(chemin, nom, limite)
                if lus > SEUIL_RATIO and lus > RATIO_MAX * max(info.compress_size, 1):
                    raise _bombe(chemin, nom)
                if empreinte is not None:
                    empreinte.update(bloc)
                yield bloc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as erreur:
        raise _illisible(chemin, f"« {nom} » corrompu dans l'archive ({type(erreur).__name__})") from None


def _lignes_json(blocs: Iterator[bytes], chemin: Path, fichier: str) -> Iterator[bytes]:
    """The lines of a JSON Lines stream, each at most TAILLE_MAX_LINE bytes (not splitlines(): U+2028)."""
    reste = b""
    numero = 0
    for bloc in blocs:
        morceaux = (reste + bloc).split(b"\n")
        reste = morceaux.pop()
        if len(reste) > TAILLE_MAX_LIGNE:
            raise _illisible(chemin, f"« {fichier} », ligne {numero + len(morceaux) + 1} : ligne de plus de 1 Mo")
        numero += len(morceaux)
        yield from morceaux
    if reste:
        yield reste


def _constante(nom: str) -> Any:
    raise ValueError(f"valeur « {nom} » interdite (nombre fini attendu)")


def _entier(texte: str) -> int:
    """A JSON integer, refused beyond 2⁶³ - 1 before Python converts thousands of digits."""
    chiffres = len(texte.lstrip("-"))
    if chiffres > 19 or not -ENTIER_MAX - 1 <= int(texte) <= ENTIER_MAX:
        raise ValueError(f"{MESSAGE_ENTIER} : entier de {chiffres} chiffres")
    return int(texte)


def _json(texte: bytes | str) -> Any:
    """JSON without NaN/Infinity nor integers beyond 64 bits; ValueError (French) for too deep a nesting."""
    try:
        return json.loads(texte, parse_constant=_constante, parse_int=_entier)
    except RecursionError:
        raise ValueError("imbrication JSON trop profonde") from None


def _lire_manifeste(archive: zipfile.ZipFile, chemin: Path) -> Manifeste:
    try:
        brut = _json(b"".join(_blocs(archive, chemin, MANIFESTE, TAILLE_MAX_MANIFESTE)).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as erreur:
        raise _illisible(chemin, f"{MANIFESTE} n'est pas du JSON valide ({_raison_json(erreur)})") from None
    if not isinstance(brut, dict) or brut.get("format") != FORMAT:
        raise _illisible(chemin, f"ce n'est pas une sauvegarde cmq (format « {FORMAT} » attendu)")
    version = brut.get("version_format")
    if type(version) is not int or version != VERSION_FORMAT:
        raise _illisible(
            chemin,
            f"version de format {_apercu(version)} non prise en charge "
            f"(cette version de cmq lit la version {VERSION_FORMAT})",
        )
    try:
        manifeste = Manifeste.model_validate(brut)
    except ValidationError as erreur:
        probleme = erreur.errors()[0]
        champ, message = saisie.champ_pydantic(probleme), saisie.message_pydantic(probleme)
        raise _illisible(chemin, f"{MANIFESTE} invalide (champ « {champ} » : {message})") from None
    revision = manifeste.revision_alembic
    if revision is not None and revision not in schema.revisions_connues():
        raise _illisible(
            chemin,
            f"révision de schéma « {revision[:40]} » inconnue de cette version de cmq "
            f"(révision actuelle : {schema.revision_cible()})",
        )
    connues = {t.name: t for t in tables()}
    for nom, entree in manifeste.tables.items():
        if nom in TABLES_LOCALES:
            raise _illisible(
                chemin, f"table « {nom} » interdite : le journal des restaurations n'est jamais sauvegardé"
            )
        if nom not in connues:
            raise _illisible(chemin, f"table inconnue « {nom} » (sauvegarde d'une version plus récente de cmq ?)")
        inconnues = set(entree.colonnes) - set(connues[nom].columns.keys())
        if inconnues:
            raise _illisible(chemin, f"colonnes inconnues dans « {nom} » : {', '.join(sorted(inconnues))}")
    return manifeste


def _raison_json(erreur: Exception) -> str:
    if isinstance(erreur, UnicodeDecodeError):
        return "texte non encodé en UTF-8"
    if isinstance(erreur, json.JSONDecodeError):
        return f"JSON mal formé, position {erreur.pos}"
    return str(erreur)


def _lignes_table(
    archive: zipfile.ZipFile, chemin: Path, table: Table, entree: TableSauvegardee
) -> list[dict[str, Any]]:
    """Parse and convert every row of `<table>.jsonl` while it is decompressed, then check its
    checksum, its row count and every row against the models (same rules as imports)."""
    fichier = f"{table.name}.jsonl"
    empreinte = hashlib.sha256()
    colonnes = [table.columns[nom] for nom in entree.colonnes]
    manquantes = [c for c in table.columns if c.name not in entree.colonnes]
    attendues = set(entree.colonnes)
    lignes, numero = [], 0
    blocs = _blocs(archive, chemin, fichier, TAILLE_MAX_TABLE, empreinte)
    for numero, texte in enumerate(_lignes_json(blocs, chemin, fichier), start=1):
        if numero > entree.lignes:
            continue  # still read to the end for the checksum; the count is reported below
        try:
            objet = _json(texte.decode("utf-8"))
            if not isinstance(objet, dict) or set(objet) != attendues:
                raise ValueError(f"objet JSON avec les colonnes {', '.join(entree.colonnes)} attendu")
            ligne = {c.name: valeur_base(c, objet[c.name]) for c in colonnes}
        except (UnicodeDecodeError, ValueError) as erreur:  # JSONDecodeError is a ValueError
            raise _illisible(chemin, f"« {fichier} », ligne {numero} : {_raison_json(erreur)}") from None
        ligne.update({c.name: _defaut(c) for c in manquantes})
        lignes.append(ligne)
    if empreinte.hexdigest() != entree.sha256:
        raise _illisible(chemin, f"somme de contrôle incorrecte pour « {fichier} » (fichier altéré)")
    if numero != entree.lignes:
        raise _illisible(chemin, f"« {fichier} » contient {numero} lignes, le manifeste en annonce {entree.lignes}")
    _valider(chemin, table, lignes)
    return lignes


# Each table's rows checked by the model the imports use (`cmq.models`, through `store.conversion`).
_MODELES: dict[str, Callable[[SimpleNamespace], Any]] = {
    "campus": lambda ligne: conversion.campus_depuis_ligne(ligne, stricte=True),
    "etablissements": conversion.etablissement_depuis_ligne,
    "membres": conversion.membre_depuis_ligne,
    "partenaires": conversion.partenaire_depuis_ligne,
    "alias": conversion.alias_depuis_ligne,
    "imports": conversion.import_depuis_ligne,
}


def _valider(chemin: Path, table: Table, lignes: list[dict[str, Any]]) -> None:
    """FichierIllisible naming the first row that the models refuse (unknown filière, bad dates…)."""
    modele = _MODELES.get(table.name)
    if modele is None:
        return
    for numero, ligne in enumerate(lignes, start=1):
        try:
            modele(SimpleNamespace(**ligne))
        except ValidationError as erreur:
            raison = saisie.raison_validation(erreur.errors())
        except (CmqError, ValueError) as erreur:
            raison = str(erreur)
        else:
            continue
        raise _illisible(chemin, f"« {table.name}.jsonl », ligne {numero} : {raison}")


def _defaut(colonne: Column) -> Any:
    """Value of a column absent from an older bundle: its scalar default, else NULL."""
    defaut = colonne.default
    return defaut.arg if defaut is not None and defaut.is_scalar else None


def lire(chemin: str | Path) -> tuple[Manifeste, dict[str, list[dict[str, Any]]]]:
    """Read and fully check a bundle: its manifest and the converted rows of each table."""
    manifeste, donnees, _empreinte = _lire(Path(chemin))
    return manifeste, donnees


def _lire(chemin: Path) -> tuple[Manifeste, dict[str, list[dict[str, Any]]], str]:
    """`lire`, and the SHA-256 of the file, hashed from the same open file the archive is read from."""
    if not chemin.is_file():
        raise FichierIllisible(f"sauvegarde introuvable : « {chemin} »")
    try:
        with chemin.open("rb") as fichier:
            empreinte = hashlib.file_digest(fichier, "sha256").hexdigest()
            fichier.seek(0)
            with zipfile.ZipFile(fichier) as archive:
                manifeste = _lire_manifeste(archive, chemin)
                donnees = {
                    nom: _lignes_table(archive, chemin, Base.metadata.tables[nom], entree)
                    for nom, entree in manifeste.tables.items()
                }
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as erreur:
        raise _illisible(chemin, f"archive ZIP corrompue ou tronquée ({type(erreur).__name__})") from None
    except OSError as erreur:
        raise _illisible(chemin, erreur.strerror or str(erreur)) from None
    return manifeste, donnees, empreinte


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


def _journaliser(connexion, chemin: Path, empreinte: str, manifeste: Manifeste, remplacer: bool, acteur: Acteur):
    """Add the restore to `restaurations`, in the restore's transaction."""
    connexion.execute(
        insert(RestaurationTable.__table__).values(
            quand=datetime.now(UTC),
            auteur=acteur.nom,
            source=chemin.name,
            sha256=empreinte,
            cree_le=manifeste.cree_le.astimezone(UTC),
            revision=manifeste.revision_alembic,
            remplacer=remplacer,
            lignes=manifeste.total_lignes,
        )
    )


def restaurer(
    chemin: str | Path, url: str | None = None, *, remplacer: bool = False, acteur: Acteur = ACTEUR_LOCAL
) -> Manifeste:
    """Load the bundle `chemin` into the store `url` (default database); return its manifest.

    The bundle is checked entirely first; the target is migrated to the current schema, must
    be empty unless `remplacer=True`, and is written in a single transaction, which also records
    the restore (`restaurations`: when, `acteur`, file name and SHA-256, the bundle's date).
    """
    chemin = Path(chemin)
    manifeste, donnees, empreinte = _lire(chemin)
    url = db.ouvrir(url)
    schema.mettre_a_jour(url)
    try:
        with verrou.connexion_import(url) as connexion:  # a restore and an import never overlap
            _ecrire(connexion, donnees, remplacer)
            _journaliser(connexion, chemin, empreinte, manifeste, remplacer, acteur)
    except (OperationalError, InterfaceError) as erreur:
        raise db.erreur_stockage(url, erreur) from None
    except DBAPIError as erreur:  # constraint or type violation: the bundle is inconsistent
        detail = str(erreur.orig).strip().splitlines()[0]
        raise ErreurStockage(f"restauration impossible, base inchangée : sauvegarde incohérente ({detail})") from None
    return manifeste
