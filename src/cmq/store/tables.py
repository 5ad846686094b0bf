"""SQLAlchemy 2 tables of the directory (portable: SQLite and PostgreSQL).

Members reference establishments by UAI without a foreign key: a campus may list an
establishment absent from the loaded directory (university, private school…).
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names: identical on SQLite and PostgreSQL, and required by Alembic's
# batch mode to alter SQLite tables in later migrations.
CONVENTION_NOMS = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


INDEX_TYPES = "ix_etablissements_type_territoire"  # (type, département, académie, région académique)


class Base(DeclarativeBase):
    """Declarative base of every cmq table."""

    metadata = MetaData(naming_convention=CONVENTION_NOMS)


class CampusTable(Base):
    __tablename__ = "campus"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    nom: Mapped[str] = mapped_column(Text)
    sigle: Mapped[str | None] = mapped_column(String(120))
    filiere: Mapped[str] = mapped_column(String(80), index=True)
    excellence: Mapped[bool | None] = mapped_column(Boolean)
    region_academique: Mapped[str | None] = mapped_column(String(3), index=True)
    ville_siege: Mapped[str | None] = mapped_column(String(200))
    code_commune_siege: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    date_debut_label: Mapped[date | None] = mapped_column(Date)
    date_fin_label: Mapped[date | None] = mapped_column(Date)
    reference_arrete: Mapped[str | None] = mapped_column(Text)
    site_web: Mapped[str | None] = mapped_column(Text)
    uai_support: Mapped[str | None] = mapped_column(String(8))
    description: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source_nom: Mapped[str | None] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(Text)
    date_recuperation: Mapped[date | None] = mapped_column(Date)


class CampusAcademieTable(Base):
    __tablename__ = "campus_academies"

    campus_id: Mapped[str] = mapped_column(ForeignKey("campus.id", ondelete="CASCADE"), primary_key=True)
    academie: Mapped[str] = mapped_column(String(2), primary_key=True)

    __table_args__ = (Index("ix_campus_academies_academie", "academie"),)


class EtablissementTable(Base):
    __tablename__ = "etablissements"

    uai: Mapped[str] = mapped_column(String(8), primary_key=True)
    nom: Mapped[str] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(String(80))
    secteur: Mapped[str | None] = mapped_column(String(20))
    code_commune: Mapped[str | None] = mapped_column(String(5))
    nom_commune: Mapped[str | None] = mapped_column(String(200))
    code_postal: Mapped[str | None] = mapped_column(String(5))
    departement: Mapped[str | None] = mapped_column(String(3), index=True)
    academie: Mapped[str | None] = mapped_column(String(2), index=True)
    region_academique: Mapped[str | None] = mapped_column(String(3), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    # Revision 0003_index_types: the lycée count per territory (`indicateurs.lycees_par_territoire`)
    # reads only this index (distinct types by seeks, then the lycée types' ranges, in group order).
    __table_args__ = (Index(INDEX_TYPES, "type", "departement", "academie", "region_academique"),)


class MembreTable(Base):
    __tablename__ = "membres"

    campus_id: Mapped[str] = mapped_column(ForeignKey("campus.id", ondelete="CASCADE"), primary_key=True)
    uai: Mapped[str] = mapped_column(String(8), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="membre")
    libelle_role: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_membres_uai", "uai"),)


class MembreNommeTable(Base):
    """Members without a UAI, known by their name (revision 0002_membres)."""

    __tablename__ = "membres_nommes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campus_id: Mapped[str] = mapped_column(ForeignKey("campus.id", ondelete="CASCADE"), index=True)
    nom: Mapped[str] = mapped_column(Text)
    nature: Mapped[str] = mapped_column(String(20), default="autre")
    role: Mapped[str] = mapped_column(String(20), default="membre")
    libelle_role: Mapped[str | None] = mapped_column(Text)
    commune: Mapped[str | None] = mapped_column(String(200))
    code_commune: Mapped[str | None] = mapped_column(String(5))
    source_url: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("campus_id", "nom", name="uq_membres_nommes_campus_nom"),)


class PartenaireTable(Base):
    __tablename__ = "partenaires"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campus_id: Mapped[str] = mapped_column(ForeignKey("campus.id", ondelete="CASCADE"), index=True)
    nom: Mapped[str] = mapped_column(Text)
    nature: Mapped[str] = mapped_column(String(20), default="autre")
    siret: Mapped[str | None] = mapped_column(String(14))

    __table_args__ = (UniqueConstraint("campus_id", "nom", name="uq_partenaires_campus_nom"),)


class AliasTable(Base):
    __tablename__ = "alias"

    texte: Mapped[str] = mapped_column(String(300), primary_key=True)  # normalised mention
    campus_id: Mapped[str] = mapped_column(ForeignKey("campus.id", ondelete="CASCADE"), index=True)
    cree_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportTable(Base):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(Text)
    type_import: Mapped[str] = mapped_column(String(40))
    debut: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fin: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lignes_lues: Mapped[int] = mapped_column(Integer, default=0)
    inserees: Mapped[int] = mapped_column(Integer, default=0)
    mises_a_jour: Mapped[int] = mapped_column(Integer, default=0)
    rejetees: Mapped[int] = mapped_column(Integer, default=0)
    somme_controle: Mapped[str | None] = mapped_column(String(64))
    statut: Mapped[str] = mapped_column(String(10), default="ok")
    message: Mapped[str | None] = mapped_column(Text)


# --- Curation (revision 0004_curation): users, scopes, history of every change -----------------


class UtilisateurTable(Base):
    """A person who may write: an administrator or an editor, within scopes (`perimetres`).

    The token is `cmq_<prefixe>_<secret>`: `prefixe` finds the row, `empreinte` is the Argon2 hash
    of the whole token (never the token itself).
    """

    __tablename__ = "utilisateurs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nom: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # administrateur / editeur
    relecture: Mapped[bool] = mapped_column(Boolean, default=False)  # changes wait « à valider »
    prefixe: Mapped[str] = mapped_column(String(16), unique=True)
    empreinte: Mapped[str] = mapped_column(Text)
    cree_le: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expire_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoque_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PerimetreTable(Base):
    """One scope of a user: `france`, `region_academique:CODE`, `academie:CODE` or `campus:ID`."""

    __tablename__ = "utilisateurs_perimetres"

    utilisateur_id: Mapped[int] = mapped_column(ForeignKey("utilisateurs.id", ondelete="CASCADE"), primary_key=True)
    perimetre: Mapped[str] = mapped_column(String(140), primary_key=True)


class ChangementTable(Base):
    """One change of one object (a campus, a member, a partner, an alias), applied or waiting review.

    `campus_id` has no foreign key: the history outlives a deleted campus. The values before and
    after are in `ChampChangeTable`, one row per field that changed.
    """

    __tablename__ = "changements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    quand: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    auteur: Mapped[str] = mapped_column(String(200))  # user name, or who acted (import, jeton du serveur)
    utilisateur_id: Mapped[int | None] = mapped_column(ForeignKey("utilisateurs.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(Text)  # URL or document the change rests on (required)
    operation: Mapped[str] = mapped_column(String(20))  # import / edition / restauration / alias
    objet: Mapped[str] = mapped_column(String(20))  # campus / membre / membre_nomme / partenaire / alias
    action: Mapped[str] = mapped_column(String(12))  # creation / modification / suppression
    campus_id: Mapped[str | None] = mapped_column(String(120), index=True)
    cle: Mapped[str | None] = mapped_column(Text)  # the object within its campus: UAI, name, alias text
    statut: Mapped[str] = mapped_column(String(12), default="applique")  # applique / a_valider / rejete
    import_id: Mapped[int | None] = mapped_column(Integer)
    decide_par: Mapped[str | None] = mapped_column(String(200))
    decide_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    motif: Mapped[str | None] = mapped_column(Text)  # reason of a rejection

    __table_args__ = (Index("ix_changements_statut", "statut"),)


class ChampChangeTable(Base):
    """A field's value before and after a change, JSON-encoded (null: absent / not set)."""

    __tablename__ = "changements_champs"

    changement_id: Mapped[int] = mapped_column(ForeignKey("changements.id", ondelete="CASCADE"), primary_key=True)
    champ: Mapped[str] = mapped_column(String(80), primary_key=True)
    avant: Mapped[str | None] = mapped_column(Text)
    apres: Mapped[str | None] = mapped_column(Text)


# --- Restores (revision 0005_restaurations): a fact about this database, never backed up ---------


class RestaurationTable(Base):
    """One successful restore into this database (`cmq restaurer`), written in the restore's own
    transaction: when, by whom, from which bundle (file name, SHA-256 of the file, its `cree_le` and
    schema revision), whether the base was replaced, how many rows were loaded.

    Not part of a backup (`store.sauvegarde.TABLES_LOCALES`): backup → restore → backup stays
    byte-identical, and the restores of a database outlive a later `--remplacer`.
    """

    __tablename__ = "restaurations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    quand: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    auteur: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)  # file name of the bundle
    sha256: Mapped[str] = mapped_column(String(64))  # of the bundle file as read
    cree_le: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the bundle's manifest
    revision: Mapped[str | None] = mapped_column(String(32))  # the bundle's schema revision
    remplacer: Mapped[bool] = mapped_column(Boolean)
    lignes: Mapped[int] = mapped_column(Integer)  # rows restored, every table
