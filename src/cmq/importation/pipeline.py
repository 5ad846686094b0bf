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

The schema is created or upgraded first (`schema.mettre_a_jour`, as `cmq init` does, without
loading the embedded data), so an import works on a new database.

History: a successful import is recorded with statut "ok" or "partiel"; an import refused
after its rows were read (rejected rows, missing column, unclear kind) is recorded with statut
"echec" in a separate transaction, the directory tables staying unchanged. A failure before the
rows are read (unreadable file, network) leaves no trace in the history.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from cmq.ecrivain import ecrire_tableau
from cmq.errors import CmqError, EntreeInvalide, ErreurImport
from cmq.importation import conversion
from cmq.importation.colonnes import charger_correspondance, correspondre
from cmq.models import ImportEnregistre, Provenance
from cmq.store import db, ecriture, schema, verrou
from cmq.store.tables import CampusTable
from cmq.tableau import Tableau

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
PAS_PROGRESSION = 2000


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
    rejets: list[Rejet] = field(default_factory=list)
    details: dict[str, ecriture.Bilan] = field(default_factory=dict)
    somme_controle: str | None = None
    chemin_rapport: Path | None = None
    import_id: int | None = None


@dataclass
class _Valides:
    """Objects of the valid rows, by destination table (establishments: dicts or a polars frame)."""

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

    def vide(self) -> bool:
        return not any(
            len(getattr(self, nom))
            for nom in (
                "campus",
                "etablissements",
                "etablissements_support",
                "membres",
                "membres_nommes",
                "partenaires",
            )
        )


def _maintenant() -> datetime:
    return datetime.now(UTC)


def _contexte(url: str, type_import: str) -> conversion.Contexte:
    """Known campus: member and partner rows refer to them by id or name; campus rows keep their id."""
    if type_import == "etablissements":
        return conversion.Contexte()
    with db.session(url) as s:
        return conversion.Contexte(dict(s.execute(select(CampusTable.id, CampusTable.nom)).all()))


def _valider(lignes, numeros, conv, rapport: Rapport, progression: Progression | None):
    """Convert every row: valid results with their line number; rejects and skips go to `rapport`."""
    resultats: list[tuple[int, conversion.Resultat]] = []
    total = len(lignes)
    for i, ligne in enumerate(lignes):
        numero = numeros[i] if numeros is not None else i + 1
        try:
            resultat = conversion.convertir(conv, ligne)
        except EntreeInvalide as erreur:
            rapport.rejets.append(Rejet(numero, str(erreur), ligne))
        else:
            if resultat is None:
                rapport.ignorees += 1
            else:
                resultats.append((numero, resultat))
        if progression and (i + 1) % PAS_PROGRESSION == 0:
            progression("validation", i + 1, total)
    if progression:
        progression("validation", total, total)
    return resultats


def _valider_en_bloc(
    cadre: pl.DataFrame, numeros: Sequence[int], conv, rapport: Rapport, progression: Progression | None
) -> _Valides:
    """Establishments of a frame converted in bulk; an establishment listed twice keeps its first row."""
    from cmq.importation.conversion_bloc import convertir_etablissements

    if progression:
        progression("validation", 0, cadre.height)
    resultat = convertir_etablissements(cadre, conv)
    rapport.rejets += [Rejet(numeros[rang], raison, ligne) for rang, ligne, raison in resultat.rejets]
    premieres = resultat.valides.get_column("uai").is_first_distinct()
    rapport.ignorees += resultat.ignorees + premieres.len() - premieres.sum()
    valides = _Valides(etablissements=resultat.valides.filter(premieres).drop("_rang"))
    if progression:
        progression("validation", cadre.height, cadre.height)
    return valides


def _valider_par_ligne(
    lignes, numeros, conv, type_import: str, rapport: Rapport, progression: Progression | None
) -> _Valides:
    """Rows converted one by one, repeated keys handled (`_doublons`)."""
    resultats = _valider(lignes, numeros, conv, rapport, progression)
    numeros_lignes = numeros if numeros is not None else range(1, len(lignes) + 1)
    valides = _Valides()
    for r in _doublons(resultats, lignes, numeros_lignes, type_import, rapport):
        valides.ajouter(r)
    return valides


def _doublons(resultats, lignes, numeros, type_import: str, rapport: Rapport) -> list[conversion.Resultat]:
    """Reject every occurrence of a repeated key (establishments: keep the first one).

    Linear work: one message per key, shared by its occurrences, naming at most LIGNES_CITEES lines.
    """
    if len({r.cle for _, r in resultats}) == len(resultats):
        return [r for _, r in resultats]
    lignes_par_numero = dict(zip(numeros, lignes))
    numeros_par_cle: dict[Any, list[int]] = defaultdict(list)
    for numero, r in resultats:
        numeros_par_cle[r.cle].append(numero)
    messages: dict[Any, str] = {}
    gardes = []
    for numero, r in resultats:
        occurrences = numeros_par_cle[r.cle]
        if len(occurrences) == 1:
            gardes.append(r)
        elif type_import == "etablissements":
            if numero == occurrences[0]:
                gardes.append(r)
            else:
                rapport.ignorees += 1
        else:
            if r.cle not in messages:
                cle = r.cle if isinstance(r.cle, str) else " / ".join(map(str, r.cle))
                messages[r.cle] = f"{_NOMS_TYPES[type_import]} en double « {cle} » ({liste_lignes(occurrences)})"
            rapport.rejets.append(Rejet(numero, messages[r.cle], lignes_par_numero[numero]))
    rapport.rejets.sort(key=lambda rejet: rejet.numero)
    return gardes


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
    n = len(rapport.rejets)
    pluriel = "s" if n > 1 else ""
    lignes = [f"import refusé : {n} ligne{pluriel} rejetée{pluriel} sur {rapport.lues}, rien n'a été écrit"]
    lignes += [f"  ligne {r.numero} : {r.raison}" for r in rapport.rejets[:NB_RAISONS_MESSAGE]]
    if n > NB_RAISONS_MESSAGE:
        lignes.append(f"  … et {n - NB_RAISONS_MESSAGE} autre{'s' if n - NB_RAISONS_MESSAGE > 1 else ''}")
    lignes.append(CONSEIL_PARTIEL)
    return "\n".join(lignes)


def ecrire_rejets(chemin: Path, rejets: Sequence[Rejet], colonnes: Sequence[str]) -> None:
    """Write the rejected rows to a report (CSV UTF-8 with BOM and `;`, or XLSX): ligne, raison, original columns."""
    ecrire_tableau(
        chemin,
        ["ligne", "raison", *colonnes],
        ([r.numero, r.raison, *(_cellule(r.ligne.get(c)) for c in colonnes)] for r in rejets),
        separateur=";",
        bom=True,
    )


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
        rejetees=len(rapport.rejets),
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


def _ecrire_membres(s, valides: _Valides) -> ecriture.Bilan:
    """Members; for campus rows, the support they name replaces the campus's previous support."""
    bilan = ecriture.ecrire_membres(s, valides.membres)
    if valides.campus:
        supports = {m["campus_id"]: m["uai"] for m in valides.membres if m["role"] == "support"}
        bilan.mises_a_jour += ecriture.retrograder_supports(s, supports)
    return bilan


def _ecrire(
    url: str,
    valides: _Valides,
    rapport: Rapport,
    debut: datetime,
    progression: Progression | None,
    sans_mise_a_jour: bool = False,
) -> None:
    """Every upsert and the history entry in one transaction."""
    etapes = [
        ("campus", lambda s: ecriture.ecrire_campus(s, valides.campus)),
        (
            "etablissements",
            lambda s: ecriture.ecrire_etablissements(s, valides.etablissements, inserer_seulement=sans_mise_a_jour),
        ),
        (
            "etablissements_support",
            lambda s: ecriture.ecrire_etablissements(s, valides.etablissements_support, inserer_seulement=True),
        ),
        ("membres", lambda s: _ecrire_membres(s, valides)),
        ("membres_nommes", lambda s: ecriture.ecrire_membres_nommes(s, valides.membres_nommes)),
        ("partenaires", lambda s: ecriture.ecrire_partenaires(s, valides.partenaires)),
    ]
    etapes = [(nom, f) for nom, f in etapes if len(getattr(valides, nom))]
    try:
        with verrou.session_import(url) as s:  # one import writes at a time (waits, then ErreurImport)
            for i, (nom, fonction) in enumerate(etapes):
                if progression:
                    progression("ecriture", i, len(etapes))
                rapport.details[nom] = fonction(s)
            total = sum(rapport.details.values(), ecriture.Bilan())
            rapport.inserees, rapport.mises_a_jour, rapport.inchangees = (
                total.inserees,
                total.mises_a_jour,
                total.inchangees,
            )
            rapport.statut = "partiel" if rapport.rejets else "ok"
            rapport.import_id = ecriture.enregistrer_import(s, _enregistrement(rapport, debut))
    except SQLAlchemyError as erreur:
        raise db.erreur_stockage(url, erreur) from None
    if progression:
        progression("ecriture", len(etapes), len(etapes))


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
    return _importer(lignes, colonnes, source, numeros, somme_controle, options)


def importer_tableau(
    tableau: Tableau,
    *,
    source: str,
    somme_controle: str | None = None,
    options: OptionsImport | None = None,
    **reglages: Any,
) -> Rapport:
    """Import a table read by `lire_tableau` (establishments converted in bulk); see the module doc.

    `options` (OptionsImport), or its fields given by name (`reglages`).
    """
    options = OptionsImport.de(options, **reglages)
    return _importer(tableau.cadre, tableau.colonnes, source, tableau.numeros, somme_controle, options)


def _importer(
    lignes: Sequence[dict[str, Any]] | pl.DataFrame,
    colonnes: Sequence[str],
    source: str,
    numeros: Sequence[int] | None,
    somme_controle: str | None,
    options: OptionsImport,
) -> Rapport:
    """Import rows (dicts, or a frame of text cells) into the store.

    Raises ErreurImport (nothing written) when rows are rejected and `options.partiel` is False.
    """
    type_import, partiel, rapport_rejets, progression = (
        options.type_import,
        options.partiel,
        options.rapport_rejets,
        options.progression,
    )
    url = db.ouvrir(options.url)
    debut = _maintenant()
    schema.mettre_a_jour(url)
    rapport = Rapport(source=source, type_import=type_import or "?", lues=len(lignes), somme_controle=somme_controle)
    try:
        if not len(lignes):
            raise ErreurImport(f"aucune ligne à importer dans « {source} »")
        corr = correspondre(list(colonnes), type_import, options.correspondance)
        rapport.type_import = corr.type_import
        rapport.colonnes_ignorees = corr.ignorees
        conv = conversion.convertisseur(
            corr, _contexte(url, corr.type_import), inclure_fermes=options.inclure_fermes, provenance=options.provenance
        )
        if isinstance(lignes, Sequence):
            valides = _valider_par_ligne(lignes, numeros, conv, corr.type_import, rapport, progression)
        elif corr.type_import == "etablissements":
            valides = _valider_en_bloc(lignes, numeros or range(1, len(lignes) + 1), conv, rapport, progression)
        else:  # campus, members, partners: small tables
            valides = _valider_par_ligne(lignes.rows(named=True), numeros, conv, corr.type_import, rapport, progression)
        rapport.rejetees = len(rapport.rejets)
        if rapport.rejets and not partiel:
            raise ErreurImport(message_refus(rapport))
        if rapport.rejets:
            if rapport_rejets is None:
                raise EntreeInvalide("mode partiel : chemin du rapport des rejets manquant")
            ecrire_rejets(rapport_rejets, rapport.rejets, list(colonnes))
            rapport.chemin_rapport = rapport_rejets
        if valides.vide():
            suite = f" ; rapport des rejets : {rapport.chemin_rapport}" if rapport.chemin_rapport else ""
            raise ErreurImport(
                f"aucune ligne valide à importer ({rapport.rejetees} rejetée(s), {rapport.ignorees} ignorée(s)){suite}"
            )
    except CmqError as erreur:
        _noter_echec(url, rapport, debut, str(erreur))
        raise
    _ecrire(url, valides, rapport, debut, progression, options.sans_mise_a_jour)
    return rapport
