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
