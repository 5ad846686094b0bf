"""Open-data releases of the directory (`cmq publier DOSSIER`).

A release is a folder `DOSSIER/vN` holding the campuses, members and partners as CSV (UTF-8,
`,`, the export writer of `cmq.ecrivain`) and JSON, the seats and member establishments as
GeoJSON, a `datapackage.json` (Frictionless Data Package: every field described and typed, each
file's size and SHA-256) and the changelog since the previous release (`CHANGELOG.md` and
`changements.json`), generated from the history of applied changes.

Releases are reproducible: nothing depends on the clock or the machine — the release date is the
date of the last change it includes, N follows the highest release already in DOSSIER — so the
same base publishes the same bytes. Publishing again when neither the data nor the history moved
writes nothing and names the release that is still current.
"""

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cmq import exports, extraction
from cmq.errors import ErreurEcriture
from cmq.models import Changement
from cmq.store import historique, schema
from cmq.store.conversion import utc
from cmq.store.tables import CampusTable, ChangementTable, EtablissementTable

NOM_PAQUET = "cmq-referentiel"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
_VERSION = re.compile(r"v([1-9][0-9]{0,8})")
_TYPES = {"Boolean": "boolean", "Date": "date", "Float": "number", "Integer": "integer"}

# Field -> description (French, for the datapackage); the type comes from the store's column.
DESCRIPTIONS = {
    "id": "Identifiant stable du campus (minuscules, chiffres, tirets).",
    "nom": "Nom du campus, ou de l'organisation (membre sans UAI, partenaire).",
    "sigle": "Sigle ou nom court du campus.",
    "filiere": "Code de la filière (l'une des 12 filières des CMQ).",
    "excellence": "Mention « Excellence » : true, false, ou vide si la source ne le dit pas.",
    "region_academique": "Code de la région académique du campus.",
    "academies": "Codes des académies du campus, séparés par « | » en CSV (liste en JSON).",
    "ville_siege": "Ville du siège du campus.",
    "code_commune_siege": "Code INSEE de la commune du siège.",
    "latitude": "Latitude WGS 84 (siège du campus, ou établissement).",
    "longitude": "Longitude WGS 84 (siège du campus, ou établissement).",
    "date_debut_label": "Début de la période de label (vide : date non publiée).",
    "date_fin_label": "Fin de la période de label (vide : date non publiée).",
    "reference_arrete": "Référence de l'arrêté ministériel de labellisation.",
    "site_web": "Site web du campus.",
    "uai_support": "UAI de l'établissement support du campus.",
    "description": "Présentation du campus.",
    "note": "Note sur la donnée (provenance, réserves).",
    "source_nom": "Nom de la source de la fiche.",
    "source_url": "Page qui établit la donnée (fiche du campus ou adhésion du membre).",
    "date_recuperation": "Date à laquelle la source a été lue.",
    "campus_id": "Identifiant du campus (voir campus.csv).",
    "uai": "UAI de l'établissement membre (vide : membre connu par son nom seulement).",
    "role": "Rôle dans le campus : support, membre ou partenaire.",
    "type": "Type d'établissement selon l'annuaire de l'éducation.",
    "secteur": "Secteur (public, privé) selon l'annuaire de l'éducation.",
    "code_commune": "Code INSEE de la commune de l'établissement.",
    "nom_commune": "Commune de l'établissement.",
    "code_postal": "Code postal de l'établissement.",
    "departement": "Code du département de l'établissement.",
    "academie": "Code de l'académie de l'établissement.",
    "libelle_role": "Rôle tel que la source l'écrit (« chef de file », « siège »…).",
    "nature_membre": "Nature d'un membre connu par son nom (lycee, universite, iut, ecole, greta, cfa…).",
    "nature": "Nature du partenaire (entreprise, laboratoire, association, collectivite, branche, autre).",
    "siret": "SIRET du partenaire (14 chiffres, clé vérifiée).",
}
_COLONNES_STOCKEES = {c.key: c for t in (CampusTable, EtablissementTable) for c in t.__table__.columns}
TABLES = {  # resource -> (title, primary key)
    "campus": ("Campus des métiers et des qualifications", ["id"]),
    "membres": ("Établissements et organisations membres des campus", []),
    "partenaires": ("Partenaires des campus", ["campus_id", "nom"]),
}
CARTES = {  # resource -> (file, title)
    "sieges": ("sieges.geojson", "Sièges des campus (points)"),
    "membres-carte": ("membres.geojson", "Établissements membres des campus (points)"),
}


@dataclass(frozen=True, slots=True)
class Publication:
    """What `publier` did: the release `version` in `dossier` (new or still current)."""

    version: int
    dossier: Path
    nouvelle: bool
    precedente: int | None
    changements: int
    lignes: dict[str, int]


def _type(champ: str) -> str:
    colonne = _COLONNES_STOCKEES.get(champ)
    return _TYPES.get(type(colonne.type).__name__, "string") if colonne is not None else "string"


def _schema(colonnes: Sequence[str], cle: list[str]) -> dict[str, Any]:
    champs = [{"name": c, "type": _type(c), "description": DESCRIPTIONS[c]} for c in colonnes]
    return {"fields": champs, "primaryKey": cle} if cle else {"fields": champs}


def _empreinte(contenu: bytes) -> str:
    return "sha256:" + hashlib.sha256(contenu).hexdigest()


@dataclass(frozen=True, slots=True)
class _Lecture:
    tables: dict[str, extraction.Table]
    cartes: dict[str, bytes]
    dernier: int
    date: str | None
    changements: list[Changement]


def _lire(url: str | None, depuis: int) -> _Lecture:
    with schema.session_lecture(url) as s:
        tables = {
            "campus": extraction.table_campus(s),
            "membres": extraction.table_membres(s),
            "partenaires": extraction.table_partenaires(s),
        }
        points = extraction.points_campus(s)
        dernier = s.scalar(select(func.max(ChangementTable.id)).where(ChangementTable.statut == "applique")) or 0
        changements = sorted(historique.lire(s, depuis=depuis), key=lambda c: c.id) if dernier > depuis else []
        # the UTC date, as the changelog: PostgreSQL returns the instant in its session's time zone
        quand = utc(s.scalar(select(ChangementTable.quand).where(ChangementTable.id == dernier))) if dernier else None
    cartes = {
        "sieges": [p for p in points if p["nature"] == "siege"],
        "membres-carte": [p for p in points if p["nature"] == "membre"],
    }
    return _Lecture(
        tables=tables,
        cartes={nom: exports.geojson_octets(exports.collection_geojson(p)[0]) for nom, p in cartes.items()},
        dernier=dernier,
        date=quand.date().isoformat() if quand is not None else None,
        changements=changements,
    )


def _precedente(dossier: Path) -> tuple[int, dict[str, Any]] | None:
    """The highest release `vN` of `dossier` with a readable datapackage, and that datapackage."""
    versions = sorted(
        (int(m.group(1)), p)
        for p in (dossier.iterdir() if dossier.is_dir() else ())
        if (m := _VERSION.fullmatch(p.name))
    )
    for numero, chemin in reversed(versions):
        try:
            paquet = json.loads((chemin / "datapackage.json").read_text(encoding="utf-8"))
            return numero, (paquet if isinstance(paquet, dict) and isinstance(paquet.get("cmq"), dict) else {})
        except (OSError, ValueError):
            continue
    return None


def _valeur(valeur: Any) -> str:
    if valeur is None:
        return "(vide)"
    return json.dumps(valeur, ensure_ascii=False) if not isinstance(valeur, str) else f"« {valeur} »"


def journal(version: int, date: str | None, precedente: int | None, changements: Sequence[Changement]) -> str:
    """The changelog (Markdown) of release `version`: the applied changes since `precedente`, by campus."""
    titre = f"# {NOM_PAQUET} v{version}" + (f" ({date})" if date else "")
    depuis = f"depuis la version v{precedente}" if precedente else "depuis le début de l'historique"
    lignes = [titre, "", f"{len(changements)} changement(s) {depuis}."]
    par_campus: dict[str, list[Changement]] = {}
    for c in changements:
        par_campus.setdefault(c.campus_id or "(sans campus)", []).append(c)
    for campus_id in sorted(par_campus):
        lignes += ["", f"## {campus_id}", ""]
        for c in par_campus[campus_id]:
            objet = c.objet + (f" {c.cle}" if c.cle else "")
            lignes.append(
                f"- {c.quand:%Y-%m-%d %H:%M} UTC · {c.operation} · {c.action} · {objet} · par {c.auteur}"
                f" · source : {c.source}"
            )
            lignes += [f"  - {v.champ} : {_valeur(v.avant)} → {_valeur(v.apres)}" for v in c.champs]
    return "\n".join(lignes) + "\n"


def _ressource(nom: str, chemin: str, contenu: bytes, titre: str, **autres: Any) -> dict[str, Any]:
    return {"name": nom, "path": chemin, "title": titre, **autres, "bytes": len(contenu), "hash": _empreinte(contenu)}


def _fichiers(lecture: _Lecture, version: int, precedente: int | None) -> dict[str, bytes]:
    """Every file of the release, `datapackage.json` last (it describes the others)."""
    fichiers: dict[str, bytes] = {}
    ressources = []
    for nom, (colonnes, lignes) in lecture.tables.items():
        titre, cle = TABLES[nom]
        fichiers[f"{nom}.csv"] = exports.csv_octets(colonnes, lignes)
        fichiers[f"{nom}.json"] = exports.json_octets(colonnes, lignes)
        ressources.append(
            _ressource(
                nom,
                f"{nom}.csv",
                fichiers[f"{nom}.csv"],
                titre,
                profile="tabular-data-resource",
                format="csv",
                mediatype="text/csv",
                encoding="utf-8",
                dialect={"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True},
                schema=_schema(colonnes, cle),
            )
        )
        ressources.append(
            _ressource(
                f"{nom}-json",
                f"{nom}.json",
                fichiers[f"{nom}.json"],
                titre,
                format="json",
                mediatype="application/json",
                encoding="utf-8",
            )
        )
    for nom, contenu in lecture.cartes.items():
        chemin, titre = CARTES[nom]
        fichiers[chemin] = contenu
        ressources.append(
            _ressource(
                nom, chemin, contenu, titre, format="geojson", mediatype="application/geo+json", encoding="utf-8"
            )
        )
    journal_md = journal(version, lecture.date, precedente, lecture.changements).encode("utf-8")
    changements = [c.model_dump(mode="json") for c in lecture.changements]
    fichiers["CHANGELOG.md"] = journal_md
    fichiers["changements.json"] = (json.dumps(changements, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    ressources.append(
        _ressource(
            "journal",
            "CHANGELOG.md",
            journal_md,
            "Changements depuis la version précédente",
            format="md",
            mediatype="text/markdown",
            encoding="utf-8",
        )
    )
    ressources.append(
        _ressource(
            "changements",
            "changements.json",
            fichiers["changements.json"],
            "Changements depuis la version précédente (champ par champ, avant et après)",
            format="json",
            mediatype="application/json",
            encoding="utf-8",
        )
    )
    paquet = {
        "profile": "data-package",
        "name": NOM_PAQUET,
        "title": "Référentiel des Campus des métiers et des qualifications",
        "description": (
            "Campus, membres et partenaires tels qu'enregistrés dans cmq. Une cellule vide signifie "
            "« non publié par la source », jamais zéro ni non. En CSV, un texte commençant par =, +, -, @ "
            "est précédé d'une apostrophe (protection des tableurs) ; le JSON garde les valeurs telles quelles."
        ),
        "version": str(version),
        **({"created": lecture.date} if lecture.date else {}),
        "licenses": [LICENCE],
        "resources": ressources,
        "cmq": {"version": version, "precedente": precedente, "dernier_changement": lecture.dernier},
    }
    fichiers["datapackage.json"] = (json.dumps(paquet, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return fichiers


def _inchangee(lecture: _Lecture, paquet: dict[str, Any]) -> bool:
    """True if the release described by `paquet` holds the same data and history as `lecture`."""
    if paquet.get("cmq", {}).get("dernier_changement") != lecture.dernier:
        return False
    empreintes = {r.get("path"): r.get("hash") for r in paquet.get("resources", ())}
    donnees = {f"{nom}.csv": exports.csv_octets(*table) for nom, table in lecture.tables.items()}
    donnees |= {CARTES[nom][0]: contenu for nom, contenu in lecture.cartes.items()}
    return all(empreintes.get(chemin) == _empreinte(contenu) for chemin, contenu in donnees.items())


def _ecrire(cible: Path, fichiers: dict[str, bytes]) -> None:
    """Write the release folder whole or not at all (temporary folder, then one rename)."""
    try:
        cible.parent.mkdir(parents=True, exist_ok=True)
        provisoire = Path(tempfile.mkdtemp(prefix=f".{cible.name}-", dir=cible.parent))
    except OSError as erreur:
        raise ErreurEcriture(
            f"dossier de publication impossible à créer : {cible.parent} ({erreur.strerror})"
        ) from None
    try:
        for nom, contenu in fichiers.items():
            (provisoire / nom).write_bytes(contenu)
        os.chmod(provisoire, 0o755)
        os.rename(provisoire, cible)
    except OSError as erreur:
        shutil.rmtree(provisoire, ignore_errors=True)
        raise ErreurEcriture(f"publication impossible à écrire dans {cible} : {erreur.strerror or erreur}") from None


def publier(dossier: Path | str, url: str | None = None) -> Publication:
    """Write the next release `vN` into `dossier`, or name the current one if nothing moved."""
    dossier = Path(dossier)
    if dossier.exists() and not dossier.is_dir():
        raise ErreurEcriture(f"« {dossier} » existe et n'est pas un dossier")
    precedente = _precedente(dossier)
    depuis = precedente[1].get("cmq", {}).get("dernier_changement") if precedente else None
    lecture = _lire(url, depuis if isinstance(depuis, int) else 0)
    lignes = {nom: len(table[1]) for nom, table in lecture.tables.items()}
    if precedente is not None and _inchangee(lecture, precedente[1]):
        numero = precedente[0]
        return Publication(numero, dossier / f"v{numero}", False, None, 0, lignes)
    numero = (precedente[0] if precedente else 0) + 1
    anterieure = precedente[0] if precedente else None
    _ecrire(dossier / f"v{numero}", _fichiers(lecture, numero, anterieure))
    return Publication(numero, dossier / f"v{numero}", True, anterieure, len(lecture.changements), lignes)
