"""Bulk writes: dialect-aware upserts that count inserted, updated and unchanged rows.

`upsert` first reads the rows already stored under the incoming keys, then writes only the new
and the changed ones with `INSERT … ON CONFLICT DO UPDATE` (SQLite and PostgreSQL), in batches
of `LOT` rows (executemany). Identical rows are neither written nor counted as updates, so
re-importing the same data reports 0 inserted, 0 updated. `upsert_cadre` does the same for rows
held in a polars frame (the annuaire's 65,000 establishments): stored rows are fetched as tuples
and compared in bulk, rows are written sorted by key (faster B-tree inserts) by `masse.ecrire`,
each database's bulk path (multi-row VALUES on SQLite, COPY on PostgreSQL). Every function
works inside the caller's Session: the caller's transaction makes the whole import all-or-nothing.

An import read by batches calls them once per batch with the same `masse.Lots`: stored rows are
then read by their keys in one query per batch (a JSON array of the keys on SQLite, arrays on
PostgreSQL) unless the table is small next to the batch (one scan then), never by a scan of a
large table per batch.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, DateTime, Table, bindparam, delete, insert, select, text, tuple_, update
from sqlalchemy.orm import Session

from cmq.models import Campus, ImportEnregistre
from cmq.store import masse
from cmq.store.conversion import academies_depuis_campus, campus_depuis_ligne, campus_vers_dict, import_vers_dict
from cmq.store.tables import (
    CampusAcademieTable,
    CampusTable,
    EtablissementTable,
    ImportTable,
    MembreNommeTable,
    MembreTable,
    PartenaireTable,
)

if TYPE_CHECKING:
    import polars as pl  # imported lazily: only the bulk path needs it

LOT = 500  # rows per executemany batch and per IN (…) key look-up
BALAYAGE = 5_000  # above this many keys, existing rows are read by one full scan (or one query, see module doc)
TABLE_PAR_CLE = 4  # in an import by batches: a table of more than this many rows per key is read by key


@dataclass
class Bilan:
    """Counts of one write."""

    inserees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0

    def __add__(self, autre: Bilan) -> Bilan:
        return Bilan(
            self.inserees + autre.inserees, self.mises_a_jour + autre.mises_a_jour, self.inchangees + autre.inchangees
        )


def _table(table) -> Table:
    return getattr(table, "__table__", table)


def _insertion(session: Session, table: Table):
    """`INSERT` construct of the session's dialect, with ON CONFLICT support."""
    if masse.dialecte(session) == "sqlite":  # dialects imported lazily: the other one is never loaded
        from sqlalchemy.dialects.sqlite import insert as inserer_sqlite

        return inserer_sqlite(table)
    from sqlalchemy.dialects.postgresql import insert as inserer_postgresql

    return inserer_postgresql(table)


def _paquets(elements: Sequence, taille: int = LOT) -> Iterable[Sequence]:
    for debut in range(0, len(elements), taille):
        yield elements[debut : debut + taille]


def _balayer(session: Session, table: Table, cles: int, lots: masse.Lots | None) -> bool:
    """Read the stored rows by one scan of the table rather than by key: many keys and, in an
    import by batches, a table of at most TABLE_PAR_CLE rows per key."""
    return cles > BALAYAGE and (lots is None or lots.compter(session, table) <= TABLE_PAR_CLE * cles)


def _filtre_cles(session: Session, cles: Sequence[str], valeurs: Sequence[tuple], pilote: bool):
    """(WHERE clause, parameters) selecting the rows whose key is among `valeurs` in one query, or
    None when a key is not text. `pilote`: in the driver's parameter style, else SQLAlchemy's `:nom`."""
    if not all(isinstance(v, str) for valeur in valeurs for v in valeur):
        return None
    preparateur = session.get_bind().dialect.identifier_preparer
    noms = [preparateur.quote(c) for c in cles]
    if masse.dialecte(session) == "sqlite":
        marque = "?" if pilote else ":cles"
        if len(cles) == 1:
            filtre, donnees = f"{noms[0]} IN (SELECT value FROM json_each({marque}))", [v[0] for v in valeurs]
        else:
            extraits = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(cles)))
            filtre = f"({', '.join(noms)}) IN (SELECT {extraits} FROM json_each({marque}))"
            donnees = [list(v) for v in valeurs]
        texte = json.dumps(donnees)
        return filtre, ((texte,) if pilote else {"cles": texte})
    listes = {f"cles{i}": [v[i] for v in valeurs] for i in range(len(cles))}
    marques = ["%s" if pilote else f"CAST(:cles{i} AS text[])" for i in range(len(cles))]
    if len(cles) == 1:
        filtre = f"{noms[0]} = ANY({marques[0]})"
    else:
        filtre = f"({', '.join(noms)}) IN (SELECT * FROM unnest({', '.join(marques)}))"
    return filtre, (tuple(listes.values()) if pilote else listes)


def _par_cles(session: Session, table: Table, colonnes: Sequence, cles: Sequence[str], valeurs, pilote: bool):
    """(SELECT of `colonnes` (table columns) of the rows whose key is among `valeurs`, its
    parameters), one query (`_filtre_cles`); None when a key is not text."""
    filtre = _filtre_cles(session, cles, valeurs, pilote)
    if filtre is None:
        return None
    preparateur = session.get_bind().dialect.identifier_preparer
    noms = ", ".join(preparateur.quote(c.name) for c in colonnes)
    return f"SELECT {noms} FROM {preparateur.format_table(table)} WHERE {filtre[0]}", filtre[1]


def _en_ordre(valeurs: list[tuple]) -> list[tuple]:
    """The keys sorted when they can be (look-ups in key order read fewer pages), else as they are."""
    try:
        return sorted(valeurs)
    except TypeError:
        return valeurs


def existants(
    session: Session,
    table,
    cles: Sequence[str],
    valeurs: Iterable[tuple],
    colonnes: Sequence[str] | None = None,
    *,
    lots: masse.Lots | None = None,
) -> dict[tuple, dict[str, Any]]:
    """Stored rows whose key (tuple of `cles`) is in `valeurs`: key -> {column: value}.

    `lots`: one batch of an import by batches (module doc)."""
    table = _table(table)
    colonnes = list(colonnes or [c.key for c in table.columns])
    cols_cles = [table.c[c] for c in cles]
    expression = cols_cles[0] if len(cles) == 1 else tuple_(*cols_cles)
    trouves: dict[tuple, dict[str, Any]] = {}
    voulues = list(dict.fromkeys(valeurs))
    if _balayer(session, table, len(voulues), lots):  # many keys: one scan of the table beats hundreds of IN (…)
        voulu = set(voulues)
        for ligne in session.execute(select(*(table.c[c] for c in colonnes))).mappings():
            cle = tuple(ligne[c] for c in cles)
            if cle in voulu:
                trouves[cle] = dict(ligne)
        return trouves
    selection = [table.c[c] for c in colonnes]
    if len(voulues) > BALAYAGE and (
        par_cles := _par_cles(session, table, selection, cles, _en_ordre(voulues), pilote=False)
    ):
        sql, parametres = par_cles
        for ligne in session.execute(text(sql).columns(*selection), parametres).mappings():
            trouves[tuple(ligne[c] for c in cles)] = dict(ligne)
        return trouves
    for paquet in _paquets(voulues):
        filtre = [v[0] for v in paquet] if len(cles) == 1 else list(paquet)
        requete = select(*(table.c[c] for c in colonnes)).where(expression.in_(filtre))
        for ligne in session.execute(requete).mappings():
            trouves[tuple(ligne[c] for c in cles)] = dict(ligne)
    return trouves


def upsert(
    session: Session,
    table,
    lignes: Sequence[dict[str, Any]],
    cles: Sequence[str],
    *,
    inserer_seulement: bool = False,
    lots: masse.Lots | None = None,
    suivi: list[tuple[dict[str, Any] | None, dict[str, Any]]] | None = None,
) -> Bilan:
    """Insert new rows, update changed ones (by `cles`), skip identical ones; return the counts.

    `inserer_seulement`: never touch a stored row (ON CONFLICT DO NOTHING).
    All rows must have the same keys. Duplicate keys in `lignes`: the last one wins.
    `lots`: one batch of an import by batches (module doc). `suivi`: receives (stored row or None,
    new row) of every row written (the history's values before and after).
    """
    table = _table(table)
    par_cle = {tuple(ligne[c] for c in cles): ligne for ligne in lignes}
    if not par_cle:
        return Bilan()
    colonnes = list(next(iter(par_cle.values())))
    stockees = existants(session, table, cles, par_cle, colonnes, lots=lots)
    nouvelles, changees, inchangees = [], [], 0
    for cle, ligne in par_cle.items():
        ancienne = stockees.get(cle)
        if ancienne is None:
            nouvelles.append(ligne)
        elif inserer_seulement or all(ancienne[c] == ligne[c] for c in colonnes):
            inchangees += 1
        else:
            changees.append(ligne)
    a_ecrire = nouvelles + changees
    if suivi is not None:
        suivi.extend((stockees.get(tuple(ligne[c] for c in cles)), ligne) for ligne in a_ecrire)
    if a_ecrire:
        instruction = masse.sur_conflit(_insertion(session, table), colonnes, cles, inserer_seulement)
        executer(session, instruction, a_ecrire)
    if lots is not None and table.name in lots.lignes:
        lots.lignes[table.name] += len(nouvelles)
    return Bilan(len(nouvelles), len(changees), inchangees)


def executer(session: Session, instruction, lignes: Sequence[dict[str, Any]]) -> None:
    """executemany of `instruction` over `lignes` (dicts with the same keys), in batches.

    Tables without date columns go straight to the driver (`exec_driver_sql` with the compiled
    SQL): the values are plain str/float/bool/None, which both drivers take as is, and this
    skips SQLAlchemy's per-row parameter processing.
    """
    table = instruction.table
    noms = list(lignes[0])
    if any(isinstance(c.type, (Date, DateTime)) for c in table.columns if c.key in noms):
        for paquet in _paquets(lignes):
            session.execute(instruction, list(paquet))
        return
    connexion = session.connection()
    compile = instruction.compile(dialect=connexion.dialect, column_keys=noms)
    sql = str(compile)
    for paquet in _paquets(lignes, LOT * 10):
        if compile.positional:
            parametres = [tuple(ligne[c] for c in compile.positiontup) for ligne in paquet]
        else:
            parametres = [{c: ligne[c] for c in compile.params} for ligne in paquet]
        connexion.exec_driver_sql(sql, parametres)


def _stockees_cadre(
    session: Session, table: Table, cles: Sequence[str], cadre: pl.DataFrame, lots: masse.Lots | None = None
) -> pl.DataFrame:
    """Stored rows whose key is in `cadre`, as a frame of `cadre`'s columns and types."""
    import polars as pl

    colonnes = [table.c[c] for c in cadre.columns]
    morceaux = []
    requete = None
    if _balayer(session, table, cadre.height, lots):  # many keys: one scan of the table beats hundreds of IN (…)
        requete = (str(select(*colonnes).compile(dialect=session.get_bind().dialect)), ())
    elif cadre.height > BALAYAGE:
        # Keys in order: the look-ups walk the key's B-tree forward (far fewer pages read).
        requete = _par_cles(session, table, colonnes, cles, cadre.select(cles).sort(cles).rows(), pilote=True)
    if requete is not None:
        connexion = session.connection()
        curseur = connexion.connection.cursor()  # the driver's plain tuples: 2× faster than Rows
        try:
            curseur.execute(*requete)
            while lignes := curseur.fetchmany(LOT * 10):  # by batches: a lower memory peak
                morceaux.append(pl.DataFrame(lignes, schema=cadre.schema, orient="row", strict=False))
        finally:
            curseur.close()
    else:
        cols_cles = [table.c[c] for c in cles]
        expression = cols_cles[0] if len(cles) == 1 else tuple_(*cols_cles)
        for paquet in _paquets(cadre.select(cles).rows()):
            filtre = [v[0] for v in paquet] if len(cles) == 1 else list(paquet)
            lignes = session.execute(select(*colonnes).where(expression.in_(filtre))).all()
            morceaux.append(pl.DataFrame(lignes, schema=cadre.schema, orient="row", strict=False))
    if not morceaux:  # nothing stored (a new table): nothing to filter by a join
        return cadre.clear()
    stockees = pl.concat(morceaux)
    return stockees.join(cadre.select(cles), on=list(cles), how="semi") if requete is not None else stockees


def upsert_cadre(
    session: Session,
    table,
    cadre: pl.DataFrame,
    cles: Sequence[str],
    *,
    inserer_seulement: bool = False,
    lots: masse.Lots | None = None,
    restantes: int = 0,
) -> Bilan:
    """`upsert` for the rows of a polars frame (columns named as the table's): same counts, same writes.

    `lots`: one batch of an import by batches (module doc), with an estimate of the `restantes`
    rows that later batches will bring (which decides whether SQLite's indexes are rebuilt).
    """
    import polars as pl

    table = _table(table)
    if cadre.select(cles).is_duplicated().any():
        cadre = cadre.unique(subset=list(cles), keep="last", maintain_order=True)  # the last one wins
    if cadre.is_empty():
        return Bilan()
    stockees = _stockees_cadre(session, table, cles, cadre, lots)
    if stockees.is_empty():
        nouvelles, changees, inchangees = cadre, cadre.clear(), 0
    else:
        autres = [c for c in cadre.columns if c not in cles]
        joint = cadre.join(
            stockees.select(
                *cles, *(pl.col(c).alias(f"{c}__stockee") for c in autres), pl.lit(True).alias("__stockee")
            ),
            on=list(cles),
            how="left",
        )
        stockee = pl.col("__stockee").fill_null(False)
        identique = pl.all_horizontal(pl.lit(True), *(pl.col(c).eq_missing(pl.col(f"{c}__stockee")) for c in autres))
        nouvelles = joint.filter(~stockee).select(cadre.columns)
        if inserer_seulement:
            changees = cadre.clear()
        else:
            changees = joint.filter(stockee & ~identique).select(cadre.columns)
        inchangees = joint.height - nouvelles.height - changees.height
    a_ecrire = nouvelles.height + changees.height
    masse.ecrire(
        session,
        table,
        pl.concat([nouvelles, changees]).sort(list(cles)),
        cles,
        inserer_seulement=inserer_seulement,
        lots=lots,
        attendues=a_ecrire + restantes * a_ecrire // cadre.height,
    )
    if lots is not None and table.name in lots.lignes:
        lots.lignes[table.name] += nouvelles.height
    return Bilan(nouvelles.height, changees.height, inchangees)


def ecrire_etablissements(
    session: Session,
    lignes: Sequence[dict[str, Any]] | pl.DataFrame,
    *,
    inserer_seulement: bool = False,
    lots: masse.Lots | None = None,
    restantes: int = 0,
) -> Bilan:
    """Upsert `etablissements` rows (dicts, or a polars frame of the table's columns) by UAI.

    `lots`, `restantes`: one batch of an import by batches (`upsert_cadre`)."""
    if not isinstance(lignes, Sequence):
        return upsert_cadre(
            session,
            EtablissementTable,
            lignes,
            ("uai",),
            inserer_seulement=inserer_seulement,
            lots=lots,
            restantes=restantes,
        )
    return upsert(session, EtablissementTable, lignes, ("uai",), inserer_seulement=inserer_seulement, lots=lots)


def ecrire_membres(
    session: Session, lignes: Sequence[dict[str, Any]], *, lots: masse.Lots | None = None, suivi: list | None = None
) -> Bilan:
    """Upsert `membres` rows by (campus_id, uai); `suivi`: see `upsert`."""
    return upsert(session, MembreTable, lignes, ("campus_id", "uai"), lots=lots, suivi=suivi)


def ecrire_membres_nommes(
    session: Session, lignes: Sequence[dict[str, Any]], *, lots: masse.Lots | None = None, suivi: list | None = None
) -> Bilan:
    """Upsert `membres_nommes` rows (members without a UAI) by (campus_id, nom); `suivi`: see `upsert`."""
    return upsert(session, MembreNommeTable, lignes, ("campus_id", "nom"), lots=lots, suivi=suivi)


def retrograder_supports(session: Session, supports: dict[str, str], *, suivi: list | None = None) -> int:
    """Make every other `support` member of these campuses a plain `membre` ({campus_id: support UAI}).

    A campus has one support establishment: when a campus list names a new one, the old one stays
    a member. Returns the number of rows changed. `suivi`: see `upsert` (rows before and after).
    """
    if not supports:
        return 0
    table = MembreTable.__table__
    if suivi is not None:
        for paquet in _paquets(list(supports)):
            requete = select(table).where(table.c.campus_id.in_(paquet), table.c.role == "support")
            for ligne in session.execute(requete).mappings():
                if ligne["uai"] != supports[ligne["campus_id"]]:
                    suivi.append((dict(ligne), {**ligne, "role": "membre"}))
    instruction = (
        update(table)
        .where(table.c.campus_id == bindparam("b_campus"), table.c.role == "support", table.c.uai != bindparam("b_uai"))
        .values(role="membre")
    )
    parametres = [{"b_campus": campus_id, "b_uai": uai} for campus_id, uai in supports.items()]
    resultat = session.connection().execute(instruction, parametres)  # one executemany (Core: no ORM evaluation)
    return resultat.rowcount or 0


def ecrire_partenaires(
    session: Session, lignes: Sequence[dict[str, Any]], *, lots: masse.Lots | None = None, suivi: list | None = None
) -> Bilan:
    """Upsert `partenaires` rows by (campus_id, nom); `suivi`: see `upsert`."""
    return upsert(session, PartenaireTable, lignes, ("campus_id", "nom"), lots=lots, suivi=suivi)


def ecrire_campus(
    session: Session, campus: Sequence[Campus], *, lots: masse.Lots | None = None, suivi: list | None = None
) -> Bilan:
    """Upsert campus rows by id with their académies; a campus whose académies changed is updated.

    `suivi`: receives (stored Campus or None, new Campus) of every campus written."""
    if not campus:
        return Bilan()
    ids = [(c.id,) for c in campus]
    stockes = existants(session, CampusTable, ("id",), ids, lots=lots)
    academies: dict[str, set[str]] = defaultdict(set)
    for paquet in _paquets([i for (i,) in ids]):
        requete = select(CampusAcademieTable.campus_id, CampusAcademieTable.academie).where(
            CampusAcademieTable.campus_id.in_(paquet)
        )
        for campus_id, academie in session.execute(requete):
            academies[campus_id].add(academie)
    bilan = Bilan()
    lignes, a_remplacer = [], []
    for c in campus:
        ligne = campus_vers_dict(c)
        ancienne = stockes.get((c.id,))
        if ancienne is None:
            bilan.inserees += 1
        elif ancienne == ligne and academies[c.id] == set(c.academies):
            bilan.inchangees += 1
            continue
        else:
            bilan.mises_a_jour += 1
        lignes.append(ligne)
        a_remplacer.append(c)
        if suivi is not None:
            suivi.append((ancienne and campus_depuis_ligne(SimpleNamespace(**ancienne), academies[c.id]), c))
    if lignes:
        instruction = masse.sur_conflit(_insertion(session, CampusTable.__table__), list(lignes[0]), ("id",))
        for paquet in _paquets(lignes):
            session.execute(instruction, list(paquet))
        for paquet in _paquets([c.id for c in a_remplacer]):
            session.execute(delete(CampusAcademieTable).where(CampusAcademieTable.campus_id.in_(paquet)))
        rangs = [r for c in a_remplacer for r in academies_depuis_campus(c)]
        for paquet in _paquets(rangs):
            session.execute(insert(CampusAcademieTable), list(paquet))
    if lots is not None and CampusTable.__tablename__ in lots.lignes:
        lots.lignes[CampusTable.__tablename__] += bilan.inserees
    return bilan


def enregistrer_import(session: Session, enregistrement: ImportEnregistre) -> int:
    """Add one entry to the import history; return its id. A Core insert: the ORM's mappers need not
    be configured for it (a few ms of an import's start-up)."""
    imports = ImportTable.__table__
    instruction = insert(imports).values(import_vers_dict(enregistrement)).returning(imports.c.id)
    return session.execute(instruction).scalar_one()
