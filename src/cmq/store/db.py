"""Database connection: default URL, cached engines, transactional sessions.

SQLite (default, one file) is tuned for concurrent use: WAL journal, 30 s busy timeout,
foreign keys on, synchronous NORMAL, and SQLAlchemy emits BEGIN itself so that reads are
repeatable (the sqlite3 driver's legacy mode would skip it). A writer waits for the write lock
$CMQ_ATTENTE_VERROU seconds (default 30, `attente_verrou`). PostgreSQL goes through
psycopg 3; a plain "postgresql://" URL is rewritten to "postgresql+psycopg://".
"""

import errno
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from os import environ
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session

from cmq.errors import ErreurStockage

VARIABLE_URL = "CMQ_DATABASE_URL"
VARIABLE_DOSSIER = "CMQ_DATA_DIR"
VARIABLE_ATTENTE = "CMQ_ATTENTE_VERROU"
ATTENTE_VERROU_S = 30.0
NOM_FICHIER = "cmq.db"
DELAI_VERROU_MS = 30_000
DELAI_CONNEXION_S = 10

_moteurs: dict[str, Engine] = {}
_verrou = threading.Lock()
_choisie: str | None = None  # the database chosen for this process (`choisir`: `cmq --base`)
_ecritures: dict[str, int] = {}  # normalised URL -> commits that wrote, in this process
# First word of the statements that write (BEGIN, SELECT, PRAGMA, SAVEPOINT… do not).
_MOTS_ECRITURE = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "COPY", "TRUNCATE"})


def dossier_donnees() -> Path:
    """Data folder: $CMQ_DATA_DIR if set, else the user data dir of cmq (not created)."""
    if environ.get(VARIABLE_DOSSIER):
        return Path(environ[VARIABLE_DOSSIER])
    import platformdirs  # only without $CMQ_DATA_DIR (start-up of `--base` commands)

    return Path(platformdirs.user_data_dir("cmq"))


def url_par_defaut(creer: bool = True) -> str:
    """The database chosen for this process (`choisir`); else $CMQ_DATABASE_URL if set; else the
    SQLite file `cmq.db` in the data folder.

    The folder is created unless `creer` is False (read-only commands create nothing).
    """
    if _choisie:
        return _choisie
    if environ.get(VARIABLE_URL):
        return environ[VARIABLE_URL]
    dossier = dossier_donnees()
    if not creer:
        return f"sqlite:///{dossier / NOM_FICHIER}"
    try:
        dossier.mkdir(parents=True, exist_ok=True)
    except OSError as erreur:
        raise ErreurStockage(
            f"impossible de créer le dossier de données « {dossier} » : {erreur.strerror or erreur}"
        ) from None
    return f"sqlite:///{dossier / NOM_FICHIER}"


def secondes_env(variable: str, defaut: float) -> float:
    """A duration in seconds read from the environment variable `variable` (0 to 86400)."""
    brut = environ.get(variable, "").strip()
    if not brut:
        return defaut
    try:
        secondes = float(brut.replace(",", "."))
    except ValueError:
        secondes = -1.0
    if not 0 <= secondes <= 86_400:  # also rejects nan and inf
        raise ErreurStockage(f"{variable} invalide : « {brut} » (nombre de secondes entre 0 et 86400 attendu)")
    return secondes


def attente_verrou() -> float:
    """Seconds a writer waits for the write lock (SQLite) or the import lock: $CMQ_ATTENTE_VERROU, default 30."""
    return secondes_env(VARIABLE_ATTENTE, ATTENTE_VERROU_S)


def normaliser_url(url: str) -> str:
    """Rewrite "postgresql://" and "postgres://" to the psycopg 3 driver; other URLs unchanged."""
    for prefixe in ("postgresql://", "postgres://"):
        if url.startswith(prefixe):
            return "postgresql+psycopg://" + url[len(prefixe) :]
    return url


class BaseDeDonnees(str):
    """A database handle: its URL, normalised once (the string itself), and its cached engine.

    Obtained once at the edge (`ouvrir`: CLI callback, application factory) and passed down; it is
    accepted wherever a URL is, and `ouvrir` returns it unchanged (no new resolution).
    """

    __slots__ = ()

    @property
    def moteur(self) -> Engine:
        """The engine of this database (created once)."""
        return moteur(self)

    @property
    def affichable(self) -> str:
        """The URL with its password masked, for messages."""
        return url_affichable(self)


def ouvrir(url: str | None = None, *, creer: bool = True) -> BaseDeDonnees:
    """The handle of the database `url` (default: `url_par_defaut(creer)`), its URL normalised;
    a handle is returned as is."""
    if isinstance(url, BaseDeDonnees):
        return url
    return BaseDeDonnees(normaliser_url(url or url_par_defaut(creer)))


def choisir(url: str | None) -> BaseDeDonnees | None:
    """Choose the database of this process (`cmq --base URL`), used by default instead of
    $CMQ_DATABASE_URL and the data folder; None forgets the choice. The environment is not touched."""
    global _choisie
    _choisie = ouvrir(url) if url else None
    return _choisie


def url_affichable(url: str) -> str:
    """The URL with its password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def chemin_sqlite(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases or in-memory SQLite."""
    adresse = make_url(ouvrir(url))
    if adresse.get_backend_name() != "sqlite" or adresse.database in (None, "", ":memory:"):
        return None
    if adresse.database.startswith("file:"):  # URI form: file:chemin?mode=…
        if "mode=memory" in adresse.database or adresse.query.get("mode") == "memory":
            return None
        return Path(adresse.database[5:].split("?", 1)[0])
    return Path(adresse.database)


def _passer_en_wal(curseur) -> None:
    """PRAGMA journal_mode = WAL, retried for DELAI_VERROU_MS: while another process switches a new
    file to WAL, SQLite answers "database is locked" at once, without waiting (busy handler skipped)."""
    limite = time.monotonic() + DELAI_VERROU_MS / 1000
    while True:
        try:
            curseur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as erreur:
            if "locked" not in str(erreur) or time.monotonic() > limite:
                raise
            time.sleep(0.02)


def _reglages_sqlite(moteur_sqlite: Engine) -> None:
    """Attach the PRAGMAs and the explicit BEGIN (see the module docstring)."""

    @event.listens_for(moteur_sqlite, "connect")
    def _connexion(connexion_dbapi, _enregistrement) -> None:
        connexion_dbapi.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        curseur = connexion_dbapi.cursor()
        curseur.execute(f"PRAGMA busy_timeout = {DELAI_VERROU_MS}")
        _passer_en_wal(curseur)
        curseur.execute("PRAGMA foreign_keys = ON")
        curseur.execute("PRAGMA synchronous = NORMAL")
        curseur.close()

    @event.listens_for(moteur_sqlite, "begin")
    def _debut(connexion) -> None:
        # Writers ask for BEGIN IMMEDIATE (session(ecriture=True)): they wait for the
        # write lock up front instead of failing when upgrading a read snapshot.
        ecriture = connexion.get_execution_options().get("cmq_ecriture", False)
        delai = round(attente_verrou() * 1000) if ecriture else DELAI_VERROU_MS
        if connexion.info.get("cmq_busy_timeout", DELAI_VERROU_MS) != delai:  # kept per DBAPI connection
            connexion.exec_driver_sql(f"PRAGMA busy_timeout = {delai}")
            connexion.info["cmq_busy_timeout"] = delai
        connexion.exec_driver_sql("BEGIN IMMEDIATE" if ecriture else "BEGIN")


def ecritures(url: str) -> int:
    """Number of committed transactions that wrote to `url` in this process (a change counter)."""
    return _ecritures.get(normaliser_url(url), 0)


def _compter_ecritures(nouveau: Engine, cle: str) -> None:
    """Bump `ecritures(cle)` at each commit of a transaction that ran a writing statement."""

    @event.listens_for(nouveau, "before_cursor_execute")
    def _instruction(connexion, _curseur, instruction, *_args) -> None:
        if instruction.lstrip()[:8].split(None, 1)[0].upper() in _MOTS_ECRITURE:
            connexion.info["cmq_modifiee"] = True

    @event.listens_for(nouveau, "commit")
    def _valider(connexion) -> None:
        if connexion.info.pop("cmq_modifiee", False):
            with _verrou:
                _ecritures[cle] = _ecritures.get(cle, 0) + 1

    @event.listens_for(nouveau, "rollback")
    def _annuler(connexion) -> None:
        connexion.info.pop("cmq_modifiee", None)


def _creer_moteur(url: str) -> Engine:
    adresse = make_url(url)
    options: dict = {}
    if adresse.get_backend_name() == "postgresql":
        options.update(pool_pre_ping=True, connect_args={"connect_timeout": DELAI_CONNEXION_S})
    if adresse.get_backend_name() == "sqlite" and "mode=memory" in url:  # shared in-memory (`etat_au`)
        from sqlalchemy.pool import QueuePool

        options["poolclass"] = QueuePool
    nouveau = create_engine(url, **options)
    if adresse.get_backend_name() == "sqlite":
        _reglages_sqlite(nouveau)
    _compter_ecritures(nouveau, url)
    return nouveau


def moteur(url: str | None = None) -> Engine:
    """The engine of `url` (default: `url_par_defaut()`), created once per URL."""
    cle = ouvrir(url)
    with _verrou:
        if cle not in _moteurs:
            try:
                _moteurs[cle] = _creer_moteur(str(cle))
            except (ArgumentError, NoSuchModuleError, ValueError) as erreur:
                raise ErreurStockage(
                    f"adresse de base de données invalide « {url_affichable(cle)} » : {erreur}"
                ) from None
        return _moteurs[cle]


MESSAGE_NON_INITIALISEE = "base non initialisée : lancez `cmq init`"


def erreur_stockage(url: str, erreur: Exception) -> ErreurStockage:
    """A French ErreurStockage for a driver error, with the URL (password hidden)."""
    lignes = str(getattr(erreur, "orig", None) or erreur).strip().splitlines()
    detail = lignes[0] if lignes else type(erreur).__name__
    adresse = url_affichable(ouvrir(url))
    if _table_absente(detail):
        return ErreurStockage(f"{MESSAGE_NON_INITIALISEE} (base « {adresse} »)")
    if "locked" in detail:
        return ErreurStockage(f"base de données « {adresse} » verrouillée par un autre processus : réessayez")
    if disque_plein(erreur):
        return ErreurStockage(
            f"disque plein : la base de données « {adresse} » n'a pas pu être écrite ; rien n'a été modifié"
        )
    return ErreurStockage(f"impossible d'ouvrir ou de joindre la base de données « {adresse} » : {detail}")


@contextmanager
def session(url: str | None = None, *, ecriture: bool = False) -> Iterator[Session]:
    """An ORM Session in one transaction: commit on success, rollback on exception.

    `ecriture=True` takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE), the safe choice for
    bulk writes when several processes share the file; it changes nothing on PostgreSQL.
    Connection failures become ErreurStockage; other database errors propagate unchanged.
    """
    url = ouvrir(url)
    lien = url.moteur
    if ecriture:
        lien = lien.execution_options(cmq_ecriture=True)
    s = Session(lien, expire_on_commit=False)
    try:
        with s.begin():
            yield s
    except DBAPIError as erreur:
        if erreur.connection_invalidated or _est_erreur_connexion(erreur):
            raise erreur_stockage(url, erreur) from None
        raise
    finally:
        s.close()


def disque_plein(erreur: BaseException) -> bool:
    """True for "no space left" from the OS (ENOSPC), SQLite (SQLITE_FULL) or PostgreSQL (SQLSTATE 53100)."""
    origine = getattr(erreur, "orig", None) or erreur
    if getattr(origine, "errno", None) == errno.ENOSPC or getattr(origine, "sqlstate", None) == "53100":
        return True
    texte = str(origine)
    return "database or disk is full" in texte or "No space left on device" in texte


def _table_absente(detail: str) -> bool:
    """True for "table missing" messages of SQLite and PostgreSQL (database not migrated)."""
    return "no such table" in detail or ("relation" in detail and "does not exist" in detail)


def _est_erreur_connexion(erreur: DBAPIError) -> bool:
    """True for "cannot open/reach/lock the database" errors and missing tables."""
    return isinstance(erreur, (OperationalError, InterfaceError)) or _table_absente(str(erreur.orig))


def oublier(url: str) -> None:
    """Dispose the cached engine of `url` and forget it (a temporary database)."""
    with _verrou:
        ancien = _moteurs.pop(ouvrir(url), None)
    if ancien is not None:
        ancien.dispose()


def fermer_tout() -> None:
    """Dispose every cached engine (tests, end of process)."""
    with _verrou:
        for m in _moteurs.values():
            m.dispose()
        _moteurs.clear()
