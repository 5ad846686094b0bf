"""The import pipeline shared by every source: map columns, validate, write all-or-nothing, record.

1. the header is matched to the fields of a kind of rows (`colonnes.correspondre`);
2. every row is converted (`conversion`); a rejected row keeps its line number and reason.
   Establishments read from a file (`importer_tableau`: the annuaire, 65,000 rows) are converted
   in bulk on the polars frame (`conversion_bloc`), to the same rows and reasons;
   duplicates of one campus/member/partner in a file are all rejected (line numbers given);
   an establishment listed twice (multi-site rows of the annuaire) keeps its first row;
3. by default any rejected row refuses the whole import: nothing is written, ErreurImport says
   why. With `partiel=True`, valid rows are written and rejected ones go to a CSV report;
4. the rows are upserted in ONE transaction together with the history entry (`imports`).
   Given an `acteur` (`OptionsImport`), each batch is written only if they may change every campus
   it touches (`cmq.droits`), and establishments need an administrator of France: Interdit else,
   the transaction rolled back (nothing written, nothing recorded).

Rows are read, converted and written by batches (a large CSV file is read by batches too:
`tableau.lire_par_lots`), all inside that one transaction, so that memory stays bounded at a
million rows. Across batches: an establishment keeps its first row (a bitmap of the UAIs kept);
the keys of the other kinds are collected (one compact frame) and checked once every batch is
read: a repeated key makes a partial import start again, rolled back, knowing the repeated keys
(every occurrence rejected, in line order), and refuses a full one. Rejected rows are counted,
the first REJETS_GARDES kept in the Rapport, and in partial mode every one is spooled to a
temporary file, the report being written at the end. Once a full import has a rejected row,
the later batches are only checked (nothing more is written: it will be refused). A file that
must be read another way after batches were written (`tableau.Relecture`) starts the import
again, the transaction rolled back.

The schema is created or upgraded first (`schema.mettre_a_jour`, as `cmq init` does, without
loading the embedded data), so an import works on a new database.

Changes: every campus, member, named member and partner an import creates or modifies is recorded
in the history of changes (`store.historique`) in the same transaction, with its values before and
after (`upsert(suivi=…)`), source = the import's source, import_id = its log entry. An import never
removes a row (a campus's previous support becomes a plain member: a modification). The annuaire's
establishments (up to 1,000,000 rows, an external reference) are not: the `imports` log below is
their history.

History: a successful import is recorded with statut "ok" or "partiel"; an import refused
after its rows were read (rejected rows, missing column, unclear kind) is recorded with statut
"echec" in a separate transaction, the directory tables staying unchanged. A failure before the
rows are read (unreadable file, network) leaves no trace in the history.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from cmq import droits
from cmq.ecrivain import ecrire_tableau
from cmq.errors import CmqError, EntreeInvalide, ErreurImport
from cmq.importation import conversion
from cmq.importation.colonnes import charger_correspondance, correspondre
from cmq.models import Acteur, ImportEnregistre, Provenance
from cmq.store import db, ecriture, historique, masse, schema, verrou
from cmq.store.tables import CampusTable, EtablissementTable
from cmq.tableau import Lot, Relecture, Tableau, TableauEnLots

if TYPE_CHECKING:
    import polars as pl  # imported lazily: only the bulk path needs it

# (étape, fait, total): étapes "validation" then "ecriture".
Progression = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class OptionsImport:
    """How rows are imported, the same for files, portals and embedded data.

    `correspondance`: {"Colonne": "champ"}; `rapport_rejets`: where the CSV of rejected rows goes
    in partial mode (required then if some rows are rejected); `url`: the database;
    `sans_mise_a_jour`: stored establishments are never modified (seed data: new UAIs only).
    `acteur`: who imports, whose scopes are checked (`_verifier_droits`) and who is recorded in the
    history; None: no check (the library called directly, the embedded data), recorded as
    `historique.ACTEUR_LOCAL`.
    """

    type_import: str | None = None
    correspondance: dict[str, str] | None = None
    partiel: bool = False
    rapport_rejets: Path | None = None
    url: str | None = None
    inclure_fermes: bool = False
    provenance: Provenance | None = None
    sans_mise_a_jour: bool = False
    progression: Progression | None = None
    acteur: Acteur | None = None  # who imports (history); default: the local command

    @classmethod
    def de(cls, options: OptionsImport | None = None, **reglages: Any) -> OptionsImport:
        """`options` (default: the defaults) with `reglages` replaced; a correspondence given as a
        JSON/YAML file is loaded, a report path given as text becomes a Path."""
        if reglages.get("correspondance") is not None and not isinstance(reglages["correspondance"], dict):
            reglages["correspondance"] = charger_correspondance(reglages["correspondance"])
        if reglages.get("rapport_rejets") is not None:
            reglages["rapport_rejets"] = Path(reglages["rapport_rejets"])
        return replace(options or cls(), **reglages)


NB_RAISONS_MESSAGE = 5
CONSEIL_PARTIEL = "utilisez --partiel pour importer les lignes valides"
LIGNES_PAR_CONVERSION = 10_000  # rows converted one by one (campus, members, partners), then written, at a time
REJETS_GARDES = 100  # rejected rows kept in Rapport.rejets (all of them: the report; their number: rejetees)


@dataclass
class Rejet:
    """A rejected row: its line number in the source, the reason, the original cells."""

    numero: int
    raison: str
    ligne: dict[str, Any]


@dataclass
class Rapport:
    """What an import did."""

    source: str
    type_import: str
    statut: str = "ok"
    lues: int = 0
    inserees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    rejetees: int = 0
    ignorees: int = 0  # closed establishments skipped, repeated establishment rows
    colonnes_ignorees: list[str] = field(default_factory=list)
    rejets: list[Rejet] = field(default_factory=list)  # the first REJETS_GARDES, in line order
    details: dict[str, ecriture.Bilan] = field(default_factory=dict)
    somme_controle: str | None = None
    chemin_rapport: Path | None = None
    import_id: int | None = None
    propositions: int = 0  # candidate UAIs of named lycées queued for review (`cmq relecture`)


ETAPES = ("campus", "etablissements", "etablissements_support", "membres", "membres_nommes", "partenaires")


@dataclass
class _Valides:
    """Objects of the valid rows of a batch, by destination table (establishments: dicts or a polars frame)."""

    campus: list = field(default_factory=list)
    etablissements: list | pl.DataFrame = field(default_factory=list)
    etablissements_support: list = field(default_factory=list)
    membres: list = field(default_factory=list)
    membres_nommes: list = field(default_factory=list)
    partenaires: list = field(default_factory=list)

    def ajouter(self, r: conversion.Resultat) -> None:
        for nom, valeur in (
            ("campus", r.campus),
            ("etablissements", r.etablissement),
            ("etablissements_support", r.etablissement_support),
            ("membres", r.membre),
            ("membres_nommes", r.membre_nomme),
            ("partenaires", r.partenaire),
        ):
            if valeur is not None:
                getattr(self, nom).append(valeur)

    def nombre(self) -> int:
        """Rows (objects of the main table of the kind) to write."""
        return max(len(getattr(self, nom)) for nom in ETAPES)


class _Rejets:
    """The rejected rows of one pass, in line order, in bounded memory: their number, the first
    REJETS_GARDES and, in partial mode, every one spooled (pickled) to a temporary file."""

    def __init__(self, colonnes: Sequence[str], partiel: bool):
        self.colonnes = list(colonnes)
        self.partiel = partiel
        self.nombre = 0
        self.premiers: list[Rejet] = []
        self.reserve = None

    def ajouter(self, numero: int, raison: str, ligne: dict[str, Any]) -> None:
        self.nombre += 1
        if len(self.premiers) < REJETS_GARDES:
            self.premiers.append(Rejet(numero, raison, ligne))
        if self.partiel:
            import pickle  # imported lazily: only for the rejects of a partial import

            if self.reserve is None:
                import tempfile

                self.reserve = tempfile.TemporaryFile()  # closed by `fermer`, deleted by the system
            pickle.dump([numero, raison, *(_cellule(ligne.get(c)) for c in self.colonnes)], self.reserve)

    def fusionner(self, nombre: int, premiers: list[Rejet]) -> None:
        """Add `nombre` rejects known at the end of the pass, of which the first ones (line order)."""
        self.nombre += nombre
        self.premiers = sorted(self.premiers + premiers, key=lambda r: r.numero)[:REJETS_GARDES]

    def ecrire(self, chemin: Path) -> None:
        """The report of every rejected row, from the spool (`ecrire_rejets`)."""
        ecrire_rejets(chemin, self._relire(), self.colonnes)

    def _relire(self) -> Iterator[list]:
        import pickle

        if self.reserve is None:
            return
        self.reserve.seek(0)
        while True:
            try:
                yield pickle.load(self.reserve)
            except EOFError:
                return

    def fermer(self) -> None:
        if self.reserve is not None:
            self.reserve.close()


class _UaiGardees:
    """The UAIs of the establishments an import kept so far: a bitmap of their 7 digits (a valid
    UAI's letter follows from them), a set for any other form; built at the second batch (an
    import of one batch pays nothing)."""

    def __init__(self) -> None:
        self.bits = None
        self.autres: set[str] = set()
        self.attente: pl.Series | None = None  # the UAIs kept by the first batch

    def nouvelles(self, uai: pl.Series) -> pl.Series:
        """Rows whose UAI is kept now: the first of the batch, not kept by an earlier batch."""
        garder = uai.is_first_distinct()
        if self.bits is None and self.attente is None:
            self.attente = uai.filter(garder)
            return garder
        if self.attente is not None:
            attente, self.attente = self.attente, None
            self._retenir(attente, attente.is_first_distinct())
        import polars as pl

        forme, chiffres = _forme_uai(uai)
        deja = self.bits[chiffres] & forme.to_numpy()
        for i in (~forme).arg_true().to_list():
            deja[i] = uai[i] in self.autres
        garder = garder & ~pl.Series(deja)
        self._retenir(uai, garder, forme, chiffres)
        return garder

    def _retenir(self, uai: pl.Series, garder: pl.Series, forme=None, chiffres=None) -> None:
        """Remember the UAIs of `uai` where `garder`; `forme`, `chiffres`: `_forme_uai(uai)` if known."""
        import numpy as np

        if self.bits is None:
            self.bits = np.zeros(10**7, dtype=bool)  # 10 MB, only the pages touched count
        if forme is None:
            forme, chiffres = _forme_uai(uai)
        self.bits[chiffres[(garder & forme).to_numpy()]] = True
        self.autres.update(uai.filter(garder & ~forme).to_list())


def _forme_uai(uai: pl.Series) -> tuple[pl.Series, Any]:
    """(whether each UAI has the 7 digits + letter form, its 7 digits as a numpy array of ints)."""
    import polars as pl

    forme = uai.str.contains(r"^[0-9]{7}[A-Z]$").fill_null(False)
    return forme, uai.str.slice(0, 7).cast(pl.Int64, strict=False).fill_null(0).to_numpy()


@dataclass
class _Passe:
    """What one pass of an import carries from one batch to the next (bounded in memory)."""

    rejets: _Rejets
    type_import: str
    doublons: pl.DataFrame | None = None  # second pass: (cle, message) of the repeated keys
    lues: int = 0
    ignorees: int = 0
    valides: int = 0
    ecrire: bool = True
    details: dict[str, ecriture.Bilan] = field(default_factory=dict)
    uai: _UaiGardees = field(default_factory=_UaiGardees)
    cles: list = field(default_factory=list)  # first pass: frames of (cle, numero) of the valid rows
    cles_composees: bool = False
    supports_vus: set = field(default_factory=set)
    supports_inseres: set = field(default_factory=set)
    lots: masse.Lots = field(default_factory=masse.Lots)
    nommes: list = field(default_factory=list)  # named members written (candidates: `propositions`)
    suivi: dict[str, list] = field(default_factory=dict)  # objet -> (before, after) of the batch's rows written
    source: str = ""  # the import's source, recorded with its changes
    changements: list = field(default_factory=list)  # (first, last) id of the changes of each batch


class _Doublons(Exception):
    """A first pass found repeated keys: a partial import starts again, knowing them."""

    def __init__(self, doublons: pl.DataFrame):
        super().__init__("clés en double")
        self.doublons = doublons


class _Refus(Exception):
    """A refusal decided by the pipeline, recorded in the history (statut "echec") once rolled back."""

    def __init__(self, erreur: CmqError):
        super().__init__(str(erreur))
        self.erreur = erreur


def _maintenant() -> datetime:
    return datetime.now(UTC)


def _contexte(url: str, type_import: str) -> conversion.Contexte:
    """Known campus: member and partner rows refer to them by id or name; campus rows keep their id."""
    if type_import == "etablissements":
        return conversion.Contexte()
    with db.session(url) as s:
        return conversion.Contexte(dict(s.execute(select(CampusTable.id, CampusTable.nom)).all()))


def _valider_en_bloc(lot: Lot, conv, passe: _Passe) -> _Valides:
    """Establishments of a batch converted in bulk; an establishment listed twice keeps its first row."""
    from cmq.importation.conversion_bloc import convertir_etablissements

    resultat = convertir_etablissements(lot.cadre, conv)
    for rang, ligne, raison in resultat.rejets:
        passe.rejets.ajouter(lot.numeros[rang], raison, ligne)
    premieres = passe.uai.nouvelles(resultat.valides.get_column("uai"))
    passe.ignorees += resultat.ignorees + premieres.len() - premieres.sum()
    return _Valides(etablissements=resultat.valides.filter(premieres).drop("_rang"))


def _texte_cle(cle: Any) -> str:
    return cle if isinstance(cle, str) else json.dumps(list(cle), ensure_ascii=False, default=str)


def _valider_par_ligne(lignes: Sequence[dict[str, Any]], numeros: Sequence[int], conv, passe: _Passe) -> _Valides:
    """Rows converted one by one; repeated keys: an establishment keeps its first row (`lignes` is
    then the whole source), any other key is rejected at every occurrence (see the module doc)."""
    import polars as pl

    rejets: list[tuple[int, str, dict[str, Any]]] = []
    resultats: list[tuple[int, conversion.Resultat, dict[str, Any]]] = []
    for numero, ligne in zip(numeros, lignes, strict=True):
        try:
            resultat = conversion.convertir(conv, ligne)
        except EntreeInvalide as erreur:
            rejets.append((numero, str(erreur), ligne))
            continue
        if resultat is None:
            passe.ignorees += 1
        else:
            resultats.append((numero, resultat, ligne))
    valides = _Valides()
    if passe.type_import == "etablissements":
        vues: set = set()
        for _, r, _ in resultats:
            if r.cle in vues:
                passe.ignorees += 1
            else:
                vues.add(r.cle)
                valides.ajouter(r)
    elif resultats:
        cles = pl.Series("cle", [_texte_cle(r.cle) for _, r, _ in resultats], pl.String)
        passe.cles_composees = not isinstance(resultats[0][1].cle, str)
        if passe.doublons is None:  # first pass: keys collected; a key repeated in the batch written once
            passe.cles.append(pl.DataFrame({"cle": cles, "numero": [n for n, _, _ in resultats]}))
            for (_, r, _), premiere in zip(resultats, cles.is_first_distinct(), strict=True):
                if premiere:
                    valides.ajouter(r)
        else:  # second pass: every occurrence of a repeated key rejected
            doublons = passe.doublons
            messages = cles.replace_strict(doublons["cle"], doublons["message"], default=None, return_dtype=pl.String)
            for (numero, r, ligne), message in zip(resultats, messages, strict=True):
                if message is None:
                    valides.ajouter(r)
                else:
                    rejets.append((numero, message, ligne))
            rejets.sort(key=lambda rejet: rejet[0])
    for numero, raison, ligne in rejets:
        passe.rejets.ajouter(numero, raison, ligne)
    return valides


def _doublons_du_passage(passe: _Passe) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """After a first pass: ((cle, message) of each repeated key, (cle, numero) of every occurrence
    in line order), or None when no key is repeated."""
    import polars as pl

    if not passe.cles:
        return None
    cles = pl.concat(passe.cles)
    passe.cles = []
    occurrences = cles.filter(pl.col("cle").is_duplicated())
    if occurrences.is_empty():
        return None
    occurrences = occurrences.sort("numero")
    groupes = occurrences.group_by("cle", maintain_order=True).agg(pl.col("numero"))
    nom = _NOMS_TYPES[passe.type_import]
    messages = []
    for cle, numeros in groupes.iter_rows():
        montree = " / ".join(map(str, json.loads(cle))) if passe.cles_composees else cle
        messages.append(f"{nom} en double « {montree} » ({liste_lignes(numeros)})")
    return pl.DataFrame({"cle": groupes["cle"], "message": messages}), occurrences


LIGNES_CITEES = 5


def liste_lignes(numeros: Sequence[int]) -> str:
    """ "lignes 2, 3 et 4", or the first LIGNES_CITEES then "… et N autres" (bounded message)."""
    if len(numeros) <= LIGNES_CITEES:
        return "lignes " + ", ".join(map(str, numeros[:-1])) + f" et {numeros[-1]}"
    reste = len(numeros) - LIGNES_CITEES
    return "lignes " + ", ".join(map(str, numeros[:LIGNES_CITEES])) + f" … et {reste} autre{'s' if reste > 1 else ''}"


_NOMS_TYPES = {"campus": "campus", "etablissements": "établissement", "membres": "membre", "partenaires": "partenaire"}


def message_refus(rapport: Rapport) -> str:
    """French summary of a refused import: count, first reasons with line numbers, advice."""
    n = rapport.rejetees
    pluriel = "s" if n > 1 else ""
    lignes = [f"import refusé : {n} ligne{pluriel} rejetée{pluriel} sur {rapport.lues}, rien n'a été écrit"]
    lignes += [f"  ligne {r.numero} : {r.raison}" for r in rapport.rejets[:NB_RAISONS_MESSAGE]]
    if n > NB_RAISONS_MESSAGE:
        lignes.append(f"  … et {n - NB_RAISONS_MESSAGE} autre{'s' if n - NB_RAISONS_MESSAGE > 1 else ''}")
    lignes.append(CONSEIL_PARTIEL)
    return "\n".join(lignes)


def ecrire_rejets(chemin: Path, lignes: Iterable[Sequence[Any]], colonnes: Sequence[str]) -> None:
    """Write the rejected rows to a report (CSV UTF-8 with BOM and `;`, or XLSX): ligne, raison,
    original columns; `lignes`: [numero, raison, *cells] (`_Rejets.ajouter`)."""
    ecrire_tableau(chemin, ["ligne", "raison", *colonnes], lignes, separateur=";", bom=True)


def _cellule(valeur: Any) -> Any:
    if isinstance(valeur, (dict, list)):
        return json.dumps(valeur, ensure_ascii=False)
    return valeur


def _enregistrement(rapport: Rapport, debut: datetime, message: str | None = None) -> ImportEnregistre:
    return ImportEnregistre(
        source=rapport.source,
        type_import=rapport.type_import,
        debut=debut,
        fin=_maintenant(),
        lignes_lues=rapport.lues,
        inserees=rapport.inserees,
        mises_a_jour=rapport.mises_a_jour,
        rejetees=rapport.rejetees,
        somme_controle=rapport.somme_controle,
        statut=rapport.statut,
        message=message,
    )


def _noter_echec(url: str, rapport: Rapport, debut: datetime, message: str) -> None:
    """Record a refused import (best effort: never hides the original error)."""
    rapport.statut = "echec"
    rapport.inserees = rapport.mises_a_jour = 0
    try:
        with db.session(url, ecriture=True) as s:
            rapport.import_id = ecriture.enregistrer_import(s, _enregistrement(rapport, debut, message[:2000]))
    except (CmqError, SQLAlchemyError):
        pass


def _ecrire_supports(s, lignes: list[dict[str, Any]], passe: _Passe) -> ecriture.Bilan:
    """Establishments named as support by campus rows, inserted only if their UAI is unknown; a UAI
    named again by a later batch: counted once, and the last row wins if this import inserted it."""
    par_uai = {ligne["uai"]: ligne for ligne in lignes}  # the last one wins
    nouvelles = [ligne for uai, ligne in par_uai.items() if uai not in passe.supports_vus]
    reprises = [ligne for uai, ligne in par_uai.items() if uai in passe.supports_inseres]
    bilan = ecriture.Bilan()
    if nouvelles:
        uais = [(ligne["uai"],) for ligne in nouvelles]
        stockes = ecriture.existants(s, EtablissementTable, ("uai",), uais, ["uai"], lots=passe.lots)
        bilan = ecriture.ecrire_etablissements(s, nouvelles, inserer_seulement=True, lots=passe.lots)
        passe.supports_inseres.update(uai for (uai,) in uais if (uai,) not in stockes)
        passe.supports_vus.update(uai for (uai,) in uais)
    if reprises:
        ecriture.upsert(s, EtablissementTable, reprises, ("uai",), lots=passe.lots)
    return bilan


def _ecrire_membres(s, valides: _Valides, passe: _Passe) -> ecriture.Bilan:
    """Members; for campus rows, the support they name replaces the campus's previous support."""
    suivi = passe.suivi.setdefault("membre", [])
    bilan = ecriture.ecrire_membres(s, valides.membres, lots=passe.lots, suivi=suivi)
    if valides.campus:
        supports = {m["campus_id"]: m["uai"] for m in valides.membres if m["role"] == "support"}
        bilan.mises_a_jour += ecriture.retrograder_supports(s, supports, suivi=suivi)
    return bilan


def _noter_changements(s, passe: _Passe, options: OptionsImport) -> None:
    """Record the changes of the campuses, members and partners the batch wrote (one bulk insert per
    kind), then forget them: memory stays bounded by a batch. The annuaire's establishments are not
    recorded (module doc); the import's id is set on them at the end (`historique.rattacher`)."""
    for objet, suivi in passe.suivi.items():
        ids = historique.enregistrer(
            s,
            historique.nouveaux(objet, suivi),
            acteur=options.acteur or historique.ACTEUR_LOCAL,
            source=passe.source,
            operation="import",
        )
        if ids:
            passe.changements.append((ids[0], ids[-1]))
    passe.suivi.clear()


def _verifier_droits(s, valides: _Valides, acteur: Acteur | None) -> None:
    """Interdit unless `acteur` may change every campus the batch touches (`cmq.droits`): campus
    rows as stored and as they become, the campus of members and partners."""
    if acteur is None:
        return
    for campus in valides.campus:
        droits.verifier_campus(s, acteur, campus.id, nouveau=campus)
    crees = {campus.id for campus in valides.campus}  # their support member: checked with them
    lignes = chain(valides.membres, valides.membres_nommes, valides.partenaires)
    touches = {ligne["campus_id"] for ligne in lignes}
    droits.verifier_plusieurs(s, acteur, touches - crees)


def _ecrire_lot(s, valides: _Valides, passe: _Passe, restantes: int, options: OptionsImport) -> None:
    """Upsert the valid rows of one batch (inside the import's transaction), once allowed."""
    _verifier_droits(s, valides, options.acteur)
    sans_mise_a_jour = options.sans_mise_a_jour
    lots = passe.lots

    def suivi(objet: str) -> list:
        return passe.suivi.setdefault(objet, [])

    etapes = {
        "campus": lambda: ecriture.ecrire_campus(s, valides.campus, lots=lots, suivi=suivi("campus")),
        "etablissements": lambda: ecriture.ecrire_etablissements(
            s, valides.etablissements, inserer_seulement=sans_mise_a_jour, lots=lots, restantes=restantes
        ),
        "etablissements_support": lambda: _ecrire_supports(s, valides.etablissements_support, passe),
        "membres": lambda: _ecrire_membres(s, valides, passe),
        "membres_nommes": lambda: ecriture.ecrire_membres_nommes(
            s, valides.membres_nommes, lots=lots, suivi=suivi("membre_nomme")
        ),
        "partenaires": lambda: ecriture.ecrire_partenaires(
            s, valides.partenaires, lots=lots, suivi=suivi("partenaire")
        ),
    }
    for nom in ETAPES:
        if len(getattr(valides, nom)):
            passe.details[nom] = passe.details.get(nom, ecriture.Bilan()) + etapes[nom]()
    passe.nommes.extend(valides.membres_nommes)
    _noter_changements(s, passe, options)


@dataclass
class _Lignes:
    """Rows given as dicts (portals, embedded data), already in memory: one batch."""

    colonnes: list[str]
    lignes: Sequence[dict[str, Any]]
    numeros: Sequence[int] | None
    somme_controle: str | None = None

    def lots(self, lignes: int | None = None) -> Iterator[Lot]:
        if len(self.lignes):
            numeros = self.numeros if self.numeros is not None else range(1, len(self.lignes) + 1)
            yield Lot(self.lignes, numeros, 0)  # type: ignore[arg-type]


def importer_lignes(
    lignes: Sequence[dict[str, Any]],
    *,
    colonnes: Sequence[str],
    source: str,
    numeros: Sequence[int] | None = None,
    somme_controle: str | None = None,
    options: OptionsImport | None = None,
    **reglages: Any,
) -> Rapport:
    """Import raw rows (one dict per row, keys = `colonnes`) into the store; see the module doc.

    `numeros`: line numbers of the rows in the source (default 1, 2, …). `options` (OptionsImport),
    or its fields given by name (`reglages`).
    """
    options = OptionsImport.de(options, **reglages)
    return _importer(_Lignes(list(colonnes), lignes, numeros), source, somme_controle, options)


def importer_tableau(
    tableau: Tableau | TableauEnLots,
    *,
    source: str,
    somme_controle: str | None = None,
    options: OptionsImport | None = None,
    **reglages: Any,
) -> Rapport:
    """Import a table read by `lire_tableau` or `lire_par_lots` (by batches; establishments converted
    in bulk); see the module doc. `somme_controle`: default, the table's own (CSV: of its bytes).

    `options` (OptionsImport), or its fields given by name (`reglages`).
    """
    options = OptionsImport.de(options, **reglages)
    return _importer(tableau, source, somme_controle, options)


def _importer(
    source: Tableau | TableauEnLots | _Lignes, nom: str, somme_controle: str | None, options: OptionsImport
) -> Rapport:
    """Import rows (dicts, or a table of text cells read whole or by batches) into the store.

    Raises ErreurImport (nothing written) when rows are rejected and `options.partiel` is False.
    """
    url = db.ouvrir(options.url)
    debut = _maintenant()
    schema.mettre_a_jour(url)
    doublons = None
    while True:
        try:
            return _passe(source, nom, somme_controle, options, url, debut, doublons)
        except Relecture as relecture:  # rolled back: the file is read again another way
            source = relecture.relire()
        except _Doublons as passe:  # rolled back: again, knowing the repeated keys
            doublons = passe.doublons
            if isinstance(source, TableauEnLots):  # its batches were read: from the file's start again
                source = source.relire()


def _passe(
    source: Tableau | TableauEnLots | _Lignes,
    nom: str,
    somme_controle: str | None,
    options: OptionsImport,
    url: str,
    debut: datetime,
    doublons: pl.DataFrame | None,
) -> Rapport:
    """One pass over the rows of `source` (module doc)."""
    rapport = Rapport(source=nom, type_import=options.type_import or "?")
    lots = source.lots()  # a table read whole: one batch (its memory is spent), converted as before
    premier = next(lots, None)
    try:
        if premier is None:
            raise ErreurImport(f"aucune ligne à importer dans « {nom} »")
        corr = correspondre(list(source.colonnes), options.type_import, options.correspondance)
        rapport.type_import = corr.type_import
        rapport.colonnes_ignorees = corr.ignorees
        conv = conversion.convertisseur(
            corr, _contexte(url, corr.type_import), inclure_fermes=options.inclure_fermes, provenance=options.provenance
        )
    except CmqError as erreur:
        # A file that cannot be read says so first, as when it was read whole before anything else.
        rapport.lues = 0 if premier is None else len(premier.cadre) + sum(len(lot.cadre) for lot in lots)
        rapport.somme_controle = somme_controle or source.somme_controle
        _noter_echec(url, rapport, debut, str(erreur))
        raise
    if options.acteur is not None and corr.type_import == "etablissements":  # the annuaire: all of France
        droits.verifier_administrateur(options.acteur)
    passe = _Passe(_Rejets(source.colonnes, options.partiel), corr.type_import, doublons, source=rapport.source)
    try:
        with verrou.session_import(url) as s:  # one import writes at a time (waits, then ErreurImport)
            _lots(s, chain([premier], lots), conv, passe, options)
            _conclure(s, source, somme_controle, passe, rapport, options, debut)
            if passe.nommes:  # named members: their candidate UAIs go to review (loaded only then)
                from cmq.importation import propositions

                rapport.propositions = propositions.proposer(
                    s,
                    url,
                    passe.nommes,
                    source=rapport.source,
                    import_id=rapport.import_id,
                    acteur=options.acteur or historique.ACTEUR_LOCAL,
                )
    except _Refus as refus:
        _noter_echec(url, rapport, debut, str(refus.erreur))
        raise refus.erreur from None
    except SQLAlchemyError as erreur:
        raise db.erreur_stockage(url, erreur) from None
    finally:
        passe.rejets.fermer()
    return rapport


def _lots(s, lots: Iterator[Lot], conv, passe: _Passe, options: OptionsImport) -> None:
    """Convert then write every batch; a full import stops writing at its first rejected row."""
    progression = options.progression
    for lot in lots:
        en_bloc = passe.type_import == "etablissements" and not isinstance(lot.cadre, Sequence)
        pas = len(lot.cadre) if en_bloc or isinstance(lot.cadre, Sequence) else LIGNES_PAR_CONVERSION
        for debut in range(0, len(lot.cadre), pas):
            fin = min(debut + pas, len(lot.cadre))
            if en_bloc:
                valides = _valider_en_bloc(lot, conv, passe)
            elif isinstance(lot.cadre, Sequence):
                valides = _valider_par_ligne(lot.cadre, lot.numeros, conv, passe)
            else:
                morceau = lot.cadre.slice(debut, pas).rows(named=True)
                valides = _valider_par_ligne(morceau, lot.numeros[debut:fin], conv, passe)
            passe.lues += fin - debut
            total = passe.lues + lot.restantes + len(lot.cadre) - fin
            if progression:
                progression("validation", passe.lues, total)
            passe.ecrire = passe.ecrire and (options.partiel or not passe.rejets.nombre)
            passe.valides += valides.nombre()
            if passe.ecrire and valides.nombre():
                restantes = lot.restantes + len(lot.cadre) - fin
                _ecrire_lot(s, valides, passe, restantes, options)
                if progression:
                    progression("ecriture", passe.lues, total)


def _conclure(s, source, somme_controle, passe: _Passe, rapport: Rapport, options: OptionsImport, debut) -> None:
    """After the last batch: repeated keys, refusal or report of the rejects, indexes, history entry."""
    rapport.lues, rapport.ignorees = passe.lues, passe.ignorees
    rapport.somme_controle = somme_controle or source.somme_controle
    if passe.doublons is None and (trouves := _doublons_du_passage(passe)) is not None:
        doublons, occurrences = trouves
        if options.partiel:
            raise _Doublons(doublons)
        premiers = occurrences.head(REJETS_GARDES).join(doublons, on="cle", how="left").sort("numero")
        passe.rejets.fusionner(occurrences.height, [Rejet(n, m, {}) for _, n, m in premiers.iter_rows()])
    rapport.rejetees = passe.rejets.nombre
    rapport.rejets = passe.rejets.premiers
    if rapport.rejetees and not options.partiel:
        raise _Refus(ErreurImport(message_refus(rapport)))
    try:
        if rapport.rejetees:
            if options.rapport_rejets is None:
                raise EntreeInvalide("mode partiel : chemin du rapport des rejets manquant")
            passe.rejets.ecrire(options.rapport_rejets)
            rapport.chemin_rapport = options.rapport_rejets
        if not passe.valides:
            suite = f" ; rapport des rejets : {rapport.chemin_rapport}" if rapport.chemin_rapport else ""
            raise ErreurImport(
                f"aucune ligne valide à importer ({rapport.rejetees} rejetée(s), {rapport.ignorees} ignorée(s)){suite}"
            )
    except CmqError as erreur:
        raise _Refus(erreur) from None
    passe.lots.finir(s)
    rapport.details = {nom: passe.details[nom] for nom in ETAPES if nom in passe.details}
    total = sum(rapport.details.values(), ecriture.Bilan())
    rapport.inserees, rapport.mises_a_jour, rapport.inchangees = total.inserees, total.mises_a_jour, total.inchangees
    rapport.statut = "partiel" if rapport.rejetees else "ok"
    rapport.import_id = ecriture.enregistrer_import(s, _enregistrement(rapport, debut))
    historique.rattacher(s, passe.changements, rapport.import_id)
    if options.progression:
        options.progression("ecriture", passe.lues, passe.lues)
