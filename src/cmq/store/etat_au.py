"""The directory as it stood at the end of a day (`?au=AAAA-MM-JJ`, `--au`), rebuilt from the history.

State at the end of day D (Europe/Paris) = the current campuses, members, named members,
partners and aliases with every applied change made after that instant undone, newest first
(`etat_au`): a creation is removed, a removal is put back from its values before, a modification
gets its values before. The result is written to an in-memory SQLite database with the same
tables (`base_au`), so that every read query and the indicators run on it unchanged; it holds the
establishments its members name as the annuaire has them NOW (the annuaire has no history).

The history only starts when it starts: a day ending before the first recorded change (a base
upgraded from revision 0003 whose rows predate it, a base without any change) is refused
(« historique tenu depuis le … »), as is a day after today. Today is the current state itself.
A restore (`restaurations`) is not a change and is never undone: a restored base carries the
bundle's history, so a day before the restore is rebuilt from it, as in the base backed up.
Rebuilt databases are cached per (database, data version, day), the TAILLE_CACHE latest. One
pushed out of the cache is closed only RETRAITES_MAX evictions later: a request still reading it
(another thread) is not cut off by others asking for new days.
"""

import itertools
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from cmq.errors import EntreeInvalide
from cmq.models import CONTEXTE_STOCKE, Campus
from cmq.store import db, schema, version
from cmq.store.conversion import academies_depuis_campus, campus_depuis_ligne, campus_vers_dict, utc
from cmq.store.ecriture import existants
from cmq.store.historique import CLES, OBJETS, decrire_campus
from cmq.store.tables import (
    AliasTable,
    CampusAcademieTable,
    CampusTable,
    ChampChangeTable,
    ChangementTable,
    EtablissementTable,
    MembreNommeTable,
    MembreTable,
    PartenaireTable,
)

ZONE = ZoneInfo("Europe/Paris")  # the directory's days are French days
TAILLE_CACHE = 8
RETRAITES_MAX = 16  # evicted databases kept open a while (see the module docstring)
TABLES = {"membre": MembreTable, "membre_nomme": MembreNommeTable, "partenaire": PartenaireTable}
NOTE_ANNUAIRE = (
    "campus et membres tels qu'au {jour} (reconstitués depuis l'historique) ; établissements de "
    "l'annuaire tels que chargés aujourd'hui (l'annuaire n'est pas historisé)"
)

Cle = tuple[str, str | None, str]  # (objet, campus_id — None for an alias, cle)


def aujourd_hui() -> date:
    """Today in France."""
    return datetime.now(ZONE).date()


def fin_du_jour(jour: date) -> datetime:
    """The instant (UTC) the day `jour` ends in France: changes from then on are undone."""
    return datetime.combine(jour + timedelta(days=1), time(), ZONE).astimezone(UTC)


def debut(s: Session) -> datetime | None:
    """When the history starts: its first applied change (None without any)."""
    return utc(s.scalar(select(func.min(ChangementTable.quand)).where(ChangementTable.statut == "applique")))


def instant(s: Session, jour: date) -> datetime | None:
    """The end of `jour` to rebuild, None for today (the current state); EntreeInvalide for a day
    after today or before the history starts."""
    maintenant = aujourd_hui()
    if jour > maintenant:
        raise EntreeInvalide(f"date « {jour} » dans le futur : l'état de l'annuaire est connu jusqu'à aujourd'hui")
    if jour == maintenant:
        return None
    fin, depuis = fin_du_jour(jour), debut(s)
    if depuis is None:
        raise EntreeInvalide(
            f"état au {jour} inconnu : aucun changement n'est enregistré dans cette base "
            "(historique non tenu, état antérieur inconnu)"
        )
    if fin <= depuis:
        raise EntreeInvalide(
            f"état au {jour} inconnu : historique tenu depuis le {depuis.astimezone(ZONE):%Y-%m-%d} "
            "(état antérieur inconnu)"
        )
    return fin


# --- Rebuilding the state -------------------------------------------------------------------------


def _cle(objet: str, valeurs: dict[str, Any]) -> Cle:
    campus_id = None if objet == "alias" else valeurs.get("id" if objet == "campus" else "campus_id")
    return objet, campus_id, valeurs.get(CLES[objet])


def etat_courant(s: Session) -> dict[Cle, dict[str, Any]]:
    """Every curated object now, as the history describes it (`historique` module doc)."""
    academies: dict[str, list[str]] = {}
    for campus_id, academie in s.execute(select(CampusAcademieTable.campus_id, CampusAcademieTable.academie)):
        academies.setdefault(campus_id, []).append(academie)
    etat: dict[Cle, dict[str, Any]] = {}
    for ligne in s.scalars(select(CampusTable)):
        valeurs = decrire_campus(campus_depuis_ligne(ligne, academies.get(ligne.id, ())))
        etat[_cle("campus", valeurs)] = valeurs
    for objet, table in TABLES.items():
        colonnes = [c for c in table.__table__.columns if c.key != "id"]
        for ligne in s.execute(select(*colonnes)).mappings():
            etat[_cle(objet, dict(ligne))] = dict(ligne)
    for texte, campus_id, cree_le in s.execute(select(AliasTable.texte, AliasTable.campus_id, AliasTable.cree_le)):
        valeurs = {"texte": texte, "campus_id": campus_id, "cree_le": cree_le and utc(cree_le).isoformat()}
        etat[_cle("alias", valeurs)] = valeurs
    return etat


def _defaire(etat: dict[Cle, dict[str, Any]], objet: str, campus_id, cle, action: str, avant: dict) -> None:
    """Undo one change on `etat`."""
    garde = (objet, None if objet == "alias" else campus_id, cle)
    if action == "creation":
        etat.pop(garde, None)
        return
    valeurs = dict(avant) if action == "suppression" else {**etat.pop(garde, {}), **avant}
    etat[_cle(objet, valeurs)] = valeurs  # a renamed object goes back under its former key


def etat_au(s: Session, fin: datetime) -> dict[Cle, dict[str, Any]]:
    """The curated objects at the instant `fin`: the current ones, every applied change made from
    `fin` on undone, newest first."""
    etat = etat_courant(s)
    changements = s.execute(
        select(ChangementTable.id, ChangementTable.objet, ChangementTable.campus_id, ChangementTable.cle)
        .add_columns(ChangementTable.action)
        .where(
            ChangementTable.statut == "applique",
            ChangementTable.quand >= fin,
            ChangementTable.objet.in_(OBJETS),
        )
        .order_by(ChangementTable.id.desc())
    ).all()
    avant: dict[int, dict[str, Any]] = {c.id: {} for c in changements}
    ids = list(avant)
    for debut_lot in range(0, len(ids), 5000):
        lot = ids[debut_lot : debut_lot + 5000]
        requete = select(ChampChangeTable.changement_id, ChampChangeTable.champ, ChampChangeTable.avant).where(
            ChampChangeTable.changement_id.in_(lot)
        )
        for changement_id, champ, valeur in s.execute(requete):
            avant[changement_id][champ] = None if valeur is None else json.loads(valeur)
    for c in changements:
        _defaire(etat, c.objet, c.campus_id, c.cle, c.action, avant[c.id])
    return etat


def _lignes(etat: dict[Cle, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows of each table for `etat` (objects of a campus absent at that date are left out)."""
    par_objet: dict[str, list[dict[str, Any]]] = {objet: [] for objet in OBJETS}
    for (objet, _campus, _cle), valeurs in sorted(etat.items(), key=lambda e: (e[0][0], e[0][1] or "", e[0][2])):
        par_objet[objet].append(valeurs)
    campus = [Campus.model_validate(v, context=CONTEXTE_STOCKE) for v in par_objet["campus"]]
    ids = {c.id for c in campus}
    lignes = {
        "campus": [campus_vers_dict(c) for c in campus],
        "campus_academies": [r for c in campus for r in academies_depuis_campus(c)],
        "alias": [
            {**v, "cree_le": v.get("cree_le") and datetime.fromisoformat(v["cree_le"])}
            for v in par_objet["alias"]
            if v.get("campus_id") in ids
        ],
    }
    for objet, table in TABLES.items():
        colonnes = [c.key for c in table.__table__.columns if c.key != "id"]
        lignes[table.__tablename__] = [
            {c: v.get(c) for c in colonnes} for v in par_objet[objet] if v.get("campus_id") in ids
        ]
    return lignes


# --- The rebuilt database ---------------------------------------------------------------------------


@dataclass
class BaseAu:
    """An in-memory database holding the directory at the end of `jour`; `memo`: what upper layers
    derive from it (the indicators' snapshot), dropped with it."""

    url: db.BaseDeDonnees
    jour: date
    gardien: sqlite3.Connection  # keeps the shared in-memory database alive
    memo: dict[str, Any] = field(default_factory=dict)

    def fermer(self) -> None:
        db.oublier(self.url)
        self.gardien.close()


_cache: OrderedDict[tuple, BaseAu] = OrderedDict()
_retraites: list[BaseAu] = []  # evicted, closed when RETRAITES_MAX newer ones follow
_verrou = threading.Lock()
_numeros = itertools.count(1)


def _etablissements(s: Session, lignes: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    uais: Iterable[str] = {m["uai"] for m in lignes["membres"]} | {
        c["uai_support"] for c in lignes["campus"] if c["uai_support"]
    }
    return list(existants(s, EtablissementTable, ("uai",), [(u,) for u in sorted(uais)]).values())


def _construire(url: str, fin: datetime, jour: date) -> BaseAu:
    with db.session(url) as s:
        lignes = _lignes(etat_au(s, fin))
        lignes["etablissements"] = _etablissements(s, lignes)
    nom = f"file:cmq-au-{next(_numeros)}-{jour}?mode=memory&cache=shared"
    gardien = sqlite3.connect(nom, uri=True, check_same_thread=False)
    base = BaseAu(db.ouvrir(f"sqlite:///{nom}&uri=true"), jour, gardien)
    try:
        with db.moteur(base.url).begin() as connexion:
            schema.creer_tables(connexion)
            for table in ("campus", "campus_academies", "etablissements", *(t.__tablename__ for t in TABLES.values())):
                if lignes[table]:
                    connexion.execute(insert(CampusTable.metadata.tables[table]), lignes[table])
            if lignes["alias"]:
                connexion.execute(insert(AliasTable), lignes["alias"])
    except BaseException:
        base.fermer()
        raise
    return base


def base_au(url: str | None, jour: date) -> BaseAu | None:
    """The directory at the end of `jour` as an in-memory database (cached); None for today (read
    `url` itself). EntreeInvalide for a future day or a day before the history starts."""
    url = db.ouvrir(url, creer=False)
    schema.exiger_initialisee(url)
    with db.session(url) as s:
        fin = instant(s, jour)
    if fin is None:
        return None
    cle = (str(url), version.version(url), jour)
    with _verrou:
        if (deja := _cache.get(cle)) is not None:
            _cache.move_to_end(cle)
            return deja
    nouvelle = _construire(url, fin, jour)
    with _verrou:
        if (deja := _cache.get(cle)) is not None:
            nouvelle.fermer()
            return deja
        _cache[cle] = nouvelle
        while len(_cache) > TAILLE_CACHE:
            _retraites.append(_cache.popitem(last=False)[1])
        while len(_retraites) > RETRAITES_MAX:
            _retraites.pop(0).fermer()
    return nouvelle


def url_au(url: str | None, jour: date | None) -> db.BaseDeDonnees:
    """The database to read for `jour` (None or today: `url` itself)."""
    base = base_au(url, jour) if jour is not None else None
    return base.url if base is not None else db.ouvrir(url, creer=False)


def vider() -> None:
    """Forget every rebuilt database (tests)."""
    with _verrou:
        while _cache:
            _cache.popitem()[1].fermer()
        while _retraites:
            _retraites.pop().fermer()
