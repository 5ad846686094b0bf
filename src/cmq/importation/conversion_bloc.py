"""Establishment rows of a polars frame converted in bulk, with the result of the per-row converter.

`ConvertisseurEtablissement.convertir` stays the definition. Here each field is checked with
polars expressions, and the few distinct territory codes go through `valeurs` once each. A row
whose every value is in a form whose conversion is known for sure (UAI of 7 ASCII digits and
the right letter, INSEE commune code already canonical, decimal point coordinates within bounds,
known département/académie/région…) is converted in bulk; any other row (rejected, odd spelling,
geo point needed) goes through the per-row converter itself, which gives its value or its reason.
Same output row for row (tested on generated rows), 20× faster on the annuaire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from cmq.codes import LETTRES_UAI
from cmq.errors import EntreeInvalide
from cmq.importation import conversion, valeurs
from cmq.tableau import sans_espaces

CHAINE = pl.String
SCHEMA = {
    **dict.fromkeys(conversion.COLONNES_ETABLISSEMENT, CHAINE),
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "_rang": pl.Int64,
}
# Canonical forms: their conversion is the identity (uppercase aside for the UAI letter).
_UAI = r"^[0-9]{7}[A-Za-z]$"
_COMMUNE = r"^(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5])[0-9]{3}$|^97[1-6][0-9]{2}$"
_NOMBRE = r"^[+-]?[0-9]+(?:\.[0-9]+)?$"
_ASCII = r"^[\x00-\x7F]*$"


@dataclass
class Conversion:
    """Valid rows (table columns + `_rang`, the row's index in the frame, in frame order),
    rejected rows (index, original cells, reason) and the count of skipped closed establishments."""

    valides: pl.DataFrame
    rejets: list[tuple[int, dict[str, Any], str]]
    ignorees: int


def _textes(cadre: pl.DataFrame, noms: dict[str, str | None]) -> list[pl.Expr]:
    """valeurs.texte on text columns ({output: column}): trimmed as by str.strip(), None when empty or no column."""
    presentes = [c for c in dict.fromkeys(noms.values()) if c is not None]
    nettoyees = dict(zip(presentes, sans_espaces(cadre, *presentes), strict=True))
    return [
        pl.lit(None, CHAINE).alias(sortie)
        if c is None
        else pl.when(nettoyees[c].str.len_bytes() > 0).then(nettoyees[c]).alias(sortie)
        for sortie, c in noms.items()
    ]


def _par_valeur(serie: pl.Series, fonction: Callable[[str], Any]) -> tuple[dict[str, Any], list[str]]:
    """`fonction` on each distinct non-null value: {value: result}, and the values it refused."""
    resultats, refusees = {}, []
    for valeur in serie.drop_nulls().unique().to_list():
        try:
            resultats[valeur] = fonction(valeur)
        except Exception:
            refusees.append(valeur)
    return resultats, refusees


def _parmi(colonne: str, valeurs_: list[str]) -> pl.Expr:
    """True where the column holds one of `valeurs_` (False for null)."""
    return pl.col(colonne).is_in(valeurs_).fill_null(False)


def _remplacer(colonne: str | pl.Expr, resultats: dict[str, Any], rang: int | None = None) -> pl.Expr:
    """The column's values mapped through `resultats` (element `rang` of tuple results); null otherwise."""
    cles = list(resultats)
    valeurs = [v if rang is None else v[rang] for v in resultats.values()]
    expression = pl.col(colonne) if isinstance(colonne, str) else colonne
    return expression.replace_strict(cles, valeurs, default=None, return_dtype=CHAINE)


def _coordonnee(colonne: str, limite: float) -> tuple[pl.Expr, pl.Expr]:
    """(value, sure): plain decimal numbers within bounds are sure; float() reads them the same way."""
    nombre = pl.col(colonne).cast(pl.Float64, strict=False)
    sure = pl.col(colonne).is_null() | (pl.col(colonne).str.contains(_NOMBRE) & nombre.is_between(-limite, limite))
    return nombre, sure


def convertir_etablissements(cadre: pl.DataFrame, conv: conversion.ConvertisseurEtablissement) -> Conversion:
    """Convert every row of `cadre` (text cells) as `conversion.convertir(conv, ligne)` would."""
    champs = conv.champs
    textes = cadre.select(_textes(cadre, {**{c: champs.get(c) for c in conv.CHAMPS}, "geo": champs.get("geo_point")}))
    textes = textes.with_row_index("_rang").cast({"_rang": pl.Int64})
    doutes: list[pl.Expr] = []

    ferme = pl.lit(False)
    if not conv.inclure_fermes:
        etats, refuses = _par_valeur(textes["etat"], conversion.est_ferme)
        ferme = _parmi("etat", [e for e, f in etats.items() if f])
        doutes.append(_parmi("etat", refuses))

    territoires = {}
    for champ, fonction in (
        ("departement", valeurs.departement),
        ("academie", valeurs.academie),
        ("region_academique", valeurs.region_academique),
        ("secteur", valeurs.secteur),
    ):
        territoires[champ], refuses = _par_valeur(textes[champ], fonction)
        doutes.append(_parmi(champ, refuses))
    deps, acads, regs = territoires["departement"], territoires["academie"], territoires["region_academique"]
    commune = pl.col("code_commune")  # its département stands in for a missing one
    prefixe = pl.when(commune.str.starts_with("97")).then(commune.str.slice(0, 3)).otherwise(commune.str.slice(0, 2))
    deps_communes, refuses = _par_valeur(textes.select(prefixe).to_series(), valeurs.departement)
    doutes.append(prefixe.is_in(refuses).fill_null(False))

    uai = pl.col("uai").str.to_uppercase()
    lettre = (pl.col("uai").str.slice(0, 7).cast(pl.Int64, strict=False) % 23).replace_strict(
        list(range(23)), list(LETTRES_UAI), default=None, return_dtype=CHAINE
    )
    latitude, latitude_sure = _coordonnee("latitude", 90)
    longitude, longitude_sure = _coordonnee("longitude", 180)
    code_postal = pl.col("code_postal")
    doutes += [
        ~(pl.col("uai").str.contains(_UAI) & (uai.str.slice(7, 1) == lettre)).fill_null(False),
        pl.col("nom").is_null(),
        ~(code_postal.is_null() | code_postal.str.contains(_ASCII)),
        ~latitude_sure,
        ~longitude_sure,
        pl.col("latitude").is_null() & pl.col("longitude").is_null() & pl.col("geo").is_not_null(),
        ~(pl.col("code_commune").is_null() | pl.col("code_commune").str.contains(_COMMUNE)),
    ]
    marques = textes.select(
        "_rang",
        ferme.alias("_ferme"),
        pl.any_horizontal(doutes).fill_null(True).alias("_doute"),
        uai.alias("uai"),
        "nom",
        "type",
        _remplacer("secteur", territoires["secteur"]).alias("secteur"),
        "code_commune",
        "nom_commune",
        pl.when(code_postal.str.contains(r"^[0-9]{4}$"))
        .then("0" + code_postal)
        .otherwise(code_postal)
        .alias("code_postal"),
        pl.coalesce(_remplacer("departement", deps, 0), _remplacer(prefixe, deps_communes, 0)).alias("departement"),
        pl.coalesce(
            _remplacer("academie", acads, 0), _remplacer("departement", deps, 1), _remplacer(prefixe, deps_communes, 1)
        ).alias("academie"),
        pl.coalesce(
            _remplacer("region_academique", regs),
            _remplacer("departement", deps, 2),
            _remplacer("academie", acads, 1),
            _remplacer(prefixe, deps_communes, 2),
        ).alias("region_academique"),
        latitude.alias("latitude"),
        longitude.alias("longitude"),
    ).filter(~pl.col("_ferme"))
    ignorees = cadre.height - marques.height
    valides = marques.filter(~pl.col("_doute")).select(list(SCHEMA))
    rangs = marques.filter(pl.col("_doute")).get_column("_rang")
    if rangs.is_empty():
        return Conversion(valides, [], ignorees)
    lents, rejets, ignorees_lentes = une_a_une(conv, zip(rangs.to_list(), cadre[rangs].rows(named=True), strict=True))
    ignorees += ignorees_lentes
    if lents:
        valides = pl.concat([valides, pl.DataFrame(lents, schema=SCHEMA)]).sort("_rang")
    return Conversion(valides, rejets, ignorees)


def une_a_une(conv, lignes) -> tuple[list[dict], list[tuple[int, dict, str]], int]:
    """The per-row converter over `(rang, ligne)` pairs: (valid rows with `_rang`, rejects, skipped)."""
    valides, rejets, ignorees = [], [], 0
    for rang, ligne in lignes:
        try:
            resultat = conversion.convertir(conv, ligne)
        except EntreeInvalide as erreur:
            rejets.append((rang, ligne, str(erreur)))
            continue
        if resultat is None:
            ignorees += 1
        else:
            valides.append({**resultat.etablissement, "_rang": rang})
    return valides, rejets, ignorees
