"""History of every change to the directory's curated objects: who, when, on which source, and per
field the value before and after (JSON text, as `model_dump(mode="json")` gives it).

What describes each object (`decrire`), and its key `cle` within its campus (`campus_id`):

| objet          | dict                                                      | cle                 |
|----------------|-----------------------------------------------------------|---------------------|
| `campus`       | `Campus.model_dump(mode="json")`, académies sorted once   | the campus id       |
| `membre`       | `Membre.model_dump(mode="json")` (= the `membres` row)     | the UAI             |
| `membre_nomme` | `MembreNomme.model_dump(mode="json")`                      | the name            |
| `partenaire`   | `Partenaire.model_dump(mode="json")`                       | the name            |
| `alias`        | `Alias.model_dump(mode="json")` (texte, campus_id, cree_le) | the normalised text |

An alias moved to another campus is two changes: its removal from the old campus, its creation
in the new one (each campus's history shows it). The `cle` of a change is the object's key after
the change (before it for a removal). The annuaire's establishments are an external reference:
they have no history (the `imports` log records each annuaire import).

Objects are described by plain dicts of their fields (a model's JSON dump): `None` for "before"
means the object was created, `None` for "after" that it was removed; only fields whose value
differs are kept, and a change that changes nothing is not recorded. Changes are inserted in
bulk (`_inserer` for the changes, one executemany for their fields), so an import of thousands of
rows records its history in a few statements.

A restore (`store.sauvegarde.restaurer`) replaces the whole base, history included: it is not a
change (the restored `changements` are exactly the bundle's) but a row of `restaurations`, which
no bundle carries. `du_campus` shows each restore in every campus's history as a change-like entry
(`operation` and `action` « restauration », `objet` « base », `id` its number in `restaurations`,
the bundle's date, schema revision, SHA-256 and rows as fields with no value before), at its
time among the campus's changes. Rebuilding a past state (`store.etat_au`) reads `changements`
only: a restore is never undone, the restored history is.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from cmq.models import Acteur, Campus, Changement, ValeurChangee
from cmq.store.conversion import utc
from cmq.store.tables import ChampChangeTable, ChangementTable, RestaurationTable

OPERATIONS = ("import", "edition", "restauration", "alias")
OBJETS = ("campus", "membre", "membre_nomme", "partenaire", "alias")
OBJET_BASE = "base"  # the object of a restore: the whole base
RESTAURATION = "restauration"
STATUTS = ("applique", "a_valider", "rejete")
# Who writes when no user is known: a local command (it holds the database).
ACTEUR_LOCAL = Acteur(nom="ligne de commande", role="administrateur")
CLES = {"campus": "id", "membre": "uai", "membre_nomme": "nom", "partenaire": "nom", "alias": "texte"}


def decrire_campus(campus: Campus) -> dict[str, Any]:
    """The dict of a campus in the history (`model_dump(mode="json")`, académies sorted, no duplicate)."""
    return campus.model_dump(mode="json") | {"academies": sorted(set(campus.academies))}


def decrire_ligne(ligne: dict[str, Any]) -> dict[str, Any]:
    """The dict of a member, named member or partner from its row (`store.conversion.*_vers_dict`,
    without `id`): the same values as its model's JSON dump."""
    return {k: v for k, v in ligne.items() if k != "id"}


def nouveaux(objet: str, suivi: Iterable[tuple[Any, Any]]) -> list["Nouveau"]:
    """The changes of rows written by `store.ecriture` with `suivi` (campus: (Campus | None, Campus);
    others: (stored row | None, new row))."""
    if objet == "campus":
        return [Nouveau("campus", c.id, c.id, avant and decrire_campus(avant), decrire_campus(c)) for avant, c in suivi]
    return [
        Nouveau(objet, apres["campus_id"], apres[CLES[objet]], avant and decrire_ligne(avant), decrire_ligne(apres))
        for avant, apres in suivi
    ]


def _json(valeur: Any) -> str | None:
    if valeur is None:
        return None
    if type(valeur) is str:  # the usual case, as json.dumps writes it (C encoder, no setup per call)
        return encode_basestring(valeur)
    return json.dumps(valeur, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def differences(avant: dict[str, Any] | None, apres: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """Field -> (before, after) for every field whose value differs (all fields of a creation or removal)."""
    avant, apres = avant or {}, apres or {}
    return {
        champ: (avant.get(champ), apres.get(champ))
        for champ in sorted(avant.keys() | apres.keys())
        if avant.get(champ) != apres.get(champ)
    }


@dataclass(frozen=True, slots=True)
class Nouveau:
    """A change to record: the object (`objet`, `campus_id`, `cle`) and its fields before/after."""

    objet: str
    campus_id: str | None
    cle: str | None
    avant: dict[str, Any] | None
    apres: dict[str, Any] | None

    @property
    def action(self) -> str:
        return "creation" if self.avant is None else ("suppression" if self.apres is None else "modification")


def enregistrer(
    s: Session,
    changements: Iterable[Nouveau],
    *,
    acteur: Acteur,
    source: str,
    operation: str,
    statut: str = "applique",
    import_id: int | None = None,
    quand: datetime | None = None,
) -> list[int]:
    """Record `changements` (those that change something) in one bulk insert; their ids, in order."""
    if operation not in OPERATIONS or statut not in STATUTS:
        raise ValueError(f"opération ou statut inconnu : {operation}, {statut}")
    if not source or not source.strip():
        raise ValueError("source obligatoire pour tout changement")
    quand = quand or datetime.now(UTC)
    retenus = [(c, d) for c in changements if (d := differences(c.avant, c.apres)) or c.action != "modification"]
    if not retenus:
        return []
    commun = {
        "quand": quand,
        "auteur": acteur.nom,
        "utilisateur_id": acteur.utilisateur_id,
        "source": source.strip(),
        "operation": operation,
        "statut": statut,
        "import_id": import_id,
    }
    lignes = [
        {**commun, "objet": c.objet, "action": c.action, "campus_id": c.campus_id, "cle": c.cle} for c, _ in retenus
    ]
    ids = _inserer(s, lignes)
    connexion = s.connection()
    champs = [
        {"changement_id": i, "champ": champ, "avant": _json(a), "apres": _json(b)}
        for i, (_, difference) in zip(ids, retenus)
        for champ, (a, b) in difference.items()
    ]
    if champs:
        connexion.execute(insert(ChampChangeTable.__table__), champs)
    return ids


def _inserer(s: Session, lignes: list[dict[str, Any]]) -> list[int]:
    """Insert the changes (Core executemany); their ids in order. SQLite: ids given from max(id) + 1,
    safe since every writer holds the write lock for its whole transaction (`db.session(ecriture=True)`),
    and one multi-row statement instead of one INSERT … RETURNING per row; PostgreSQL: batched
    INSERT … RETURNING in parameter order."""
    table, connexion = ChangementTable.__table__, s.connection()
    if connexion.dialect.name == "sqlite":
        premier = (connexion.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        ids = list(range(premier, premier + len(lignes)))
        connexion.execute(insert(table), [{**ligne, "id": i} for i, ligne in zip(ids, lignes, strict=True)])
        return ids
    return list(connexion.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), lignes).scalars())


def rattacher(s: Session, plages: Sequence[tuple[int, int]], import_id: int | None) -> None:
    """Set `import_id` on the changes an import recorded batch by batch, given as (first, last) id
    ranges (one per bulk insert; the import lock keeps other imports out of them)."""
    if import_id is None or not plages:
        return
    table = ChangementTable
    for premier, dernier in plages:
        s.execute(
            update(table)
            .where(table.id.between(premier, dernier), table.operation == "import", table.import_id.is_(None))
            .values(import_id=import_id)
        )


def _modeles(s: Session, lignes: Sequence[ChangementTable]) -> list[Changement]:
    par_id: dict[int, list[ValeurChangee]] = {ligne.id: [] for ligne in lignes}
    if par_id:
        for c in s.scalars(
            select(ChampChangeTable)
            .where(ChampChangeTable.changement_id.in_(list(par_id)))
            .order_by(ChampChangeTable.changement_id, ChampChangeTable.champ)
        ):
            par_id[c.changement_id].append(
                ValeurChangee(
                    champ=c.champ,
                    avant=None if c.avant is None else json.loads(c.avant),
                    apres=None if c.apres is None else json.loads(c.apres),
                )
            )
    colonnes = [c.key for c in ChangementTable.__table__.columns if c.key != "utilisateur_id"]  # `auteur` is public
    return [
        Changement(
            **{k: getattr(ligne, k) for k in colonnes},
            champs=par_id[ligne.id],
        ).model_copy(update={"quand": utc(ligne.quand), "decide_le": utc(ligne.decide_le)})
        for ligne in lignes
    ]


def lire(
    s: Session,
    *,
    campus_id: str | None = None,
    statuts: Sequence[str] = ("applique",),
    depuis: int | None = None,
    jusqu_a: datetime | None = None,
    limite: int | None = None,
    decalage: int = 0,
) -> list[Changement]:
    """Changes, newest first: of one campus, with these statuses, after change id `depuis`,
    made at or before `jusqu_a`; `limite` of them after skipping `decalage`."""
    requete = _filtre(campus_id, statuts).with_only_columns(ChangementTable)
    if depuis is not None:
        requete = requete.where(ChangementTable.id > depuis)
    if jusqu_a is not None:
        requete = requete.where(ChangementTable.quand <= jusqu_a)
    requete = requete.order_by(ChangementTable.id.desc())
    if limite is not None:
        requete = requete.limit(limite)
    if decalage:
        requete = requete.offset(decalage)
    return _modeles(s, list(s.scalars(requete)))


def _filtre(campus_id: str | None, statuts: Sequence[str]):
    requete = select(func.count()).select_from(ChangementTable).where(ChangementTable.statut.in_(list(statuts)))
    return requete if campus_id is None else requete.where(ChangementTable.campus_id == campus_id)


def du_campus(
    s: Session, campus_id: str, *, limite: int | None = None, decalage: int = 0
) -> tuple[list[Changement], int]:
    """(a page of the applied changes of a campus and of the base's restores, newest first; their
    total). A campus removed since keeps its history; IntrouvableError (« campus inconnu », close
    ids) for a campus neither stored nor in the history.

    Each restore sits after the campus's changes made later than it (`quand`), restores newest
    first: the k-th restore is at position (changes after it) + k, the changes fill the other
    positions in their order, so a page reads only its own slice of the changes."""
    identifiant = (campus_id or "").strip().lower()
    total = s.scalar(_filtre(identifiant, ("applique",)))
    if not total:
        from cmq.store import lecture  # here only: imports record history without loading the readers

        lecture.campus(s, identifiant)  # IntrouvableError when unknown
    plus_recents = (
        _filtre(identifiant, ("applique",)).where(ChangementTable.quand > RestaurationTable.quand).scalar_subquery()
    )
    restaurations = s.execute(
        select(RestaurationTable, plus_recents).order_by(RestaurationTable.quand.desc(), RestaurationTable.id.desc())
    ).all()
    places = {n + k: ligne for k, (ligne, n) in enumerate(restaurations)}
    tout = total + len(restaurations)
    fin = tout if limite is None else min(tout, decalage + limite)
    if decalage >= fin:
        return [], tout
    avant = sum(1 for p in places if p < decalage)
    dans_la_page = sum(1 for p in places if decalage <= p < fin)
    nombre = fin - decalage - dans_la_page
    suite = iter(lire(s, campus_id=identifiant, limite=nombre, decalage=decalage - avant) if nombre else [])
    return [restauration(places[p]) if p in places else next(suite) for p in range(decalage, fin)], tout


def restauration(ligne: RestaurationTable) -> Changement:
    """A restore as a change of the whole base, its bundle described by fields with no value before."""
    valeurs = {
        "cree_le": utc(ligne.cree_le).isoformat(),
        "lignes": ligne.lignes,
        "remplacer": ligne.remplacer,
        "revision": ligne.revision,
        "sha256": ligne.sha256,
    }
    return Changement(
        id=ligne.id,
        quand=utc(ligne.quand),
        auteur=ligne.auteur,
        source=ligne.source,
        operation=RESTAURATION,
        objet=OBJET_BASE,
        action=RESTAURATION,
        champs=[ValeurChangee(champ=champ, apres=valeur) for champ, valeur in valeurs.items()],
    )


def restaurations(s: Session) -> list[Changement]:
    """Every restore of this base, newest first (`restauration`)."""
    requete = select(RestaurationTable).order_by(RestaurationTable.quand.desc(), RestaurationTable.id.desc())
    return [restauration(ligne) for ligne in s.scalars(requete)]


# --- Review queue (`cmq.relecture`): changes read by id, decided ---------------------------------


def par_ids(s: Session, ids: Sequence[int]) -> list[Changement]:
    """The changes of these ids, in id order (unknown ids are left out)."""
    if not ids:
        return []
    requete = select(ChangementTable).where(ChangementTable.id.in_(list(ids))).order_by(ChangementTable.id)
    return _modeles(s, list(s.scalars(requete)))


def decider(s: Session, ids: Sequence[int], statut: str, *, par: str, motif: str | None = None) -> int:
    """Mark pending changes `applique` or `rejete` (who, when, why); the number of rows decided
    (fewer than `ids` when another reviewer decided first)."""
    if statut not in ("applique", "rejete"):
        raise ValueError(f"décision inconnue : {statut}")
    instruction = (
        update(ChangementTable)
        .where(ChangementTable.id.in_(list(ids)), ChangementTable.statut == "a_valider")
        .values(statut=statut, decide_par=par, decide_le=datetime.now(UTC), motif=motif)
    )
    return s.execute(instruction).rowcount or 0


def existe(s: Session, *, objet: str, campus_id: str, cle: str, statuts: Sequence[str]) -> bool:
    """True when a change of this object with one of these statuses is recorded."""
    requete = select(ChangementTable.id).where(
        ChangementTable.objet == objet,
        ChangementTable.campus_id == campus_id,
        ChangementTable.cle == cle,
        ChangementTable.statut.in_(list(statuts)),
    )
    return s.scalars(requete.limit(1)).first() is not None
