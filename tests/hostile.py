# ruff: noqa: E501 (the XML parts of a minimal workbook read best unwrapped)
"""Hostile inputs built on the fly (never committed: small generators streaming big files) and the
checks every hostile case shares: French message, nothing written, bounded memory.

`pic_memoire(code)` runs `code` in a fresh interpreter and returns what it printed and its peak
resident memory (VmHWM of the child itself); tests assert it stays below MEMOIRE_MAX_MO.
"""

import hashlib
import io
import re
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from sqlalchemy import text

from cmq.store import db
from cmq.store.tables import Base

MEMOIRE_MAX_MO = 500
MO = 1024 * 1024
BLOC = 4 * MO


# --- Checks -------------------------------------------------------------------------------------


def empreinte(url: str, *, historique: bool = False) -> str:
    """sha256 of every row of every table, sorted: equal before and after means nothing was written.

    The import history is left out unless `historique`: a refused import is recorded there on purpose.
    """
    condense = hashlib.sha256()
    with db.session(url) as s:
        for table in sorted(Base.metadata.tables):
            if table == "imports" and not historique:
                continue
            lignes = sorted(map(repr, s.execute(text(f"SELECT * FROM {table}")).all()))
            condense.update(f"{table}:{len(lignes)}:{lignes}".encode())
    return condense.hexdigest()


def integrite(url: str) -> str:
    """PRAGMA integrity_check of a SQLite database ("ok" when sound)."""
    connexion = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return connexion.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connexion.close()


def temporaires(*dossiers: Path) -> list[Path]:
    """Temporary files left behind by an atomic write or an upload (`.x.tmp`, `cmq-import-*`)."""
    return [
        p
        for d in dossiers
        for p in Path(d).iterdir()
        if p.name.endswith(".tmp") or p.name.startswith("cmq-import-") or p.name.startswith(".")
    ]


def pic_memoire(code: str, *, env: dict[str, str] | None = None, timeout: int = 280) -> tuple[str, float]:
    """(stdout, peak RSS in MB) of `code` run by a new Python process (the test suite's interpreter).

    The peak is the process's own VmHWM: getrusage's ru_maxrss would also carry the high-water mark
    of the parent it was forked from (Linux keeps it across exec), i.e. of the test runner."""
    script = textwrap.dedent(code) + (
        "\nimport re, sys\n"
        "pic = re.search(r'^VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read(), re.M).group(1)\n"
        "sys.stdout.write(f'\\nPIC {pic}\\n')\n"
    )
    fini = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    trouve = re.search(r"^PIC (\d+)$", fini.stdout, re.M)
    assert trouve, f"le processus n'a pas abouti :\n{fini.stdout}\n{fini.stderr}"
    return fini.stdout[: trouve.start()].strip(), int(trouve.group(1)) / 1024  # kB


# --- Generators -----------------------------------------------------------------------------------


def ligne_unique(chemin: Path, taille: int, debut: bytes = b"") -> Path:
    """A file of `taille` bytes without any line end after `debut` (a single-line 200 MB header…)."""
    with open(chemin, "wb") as f:
        f.write(debut)
        reste = taille
        bloc = b"a" * BLOC
        while reste > 0:
            f.write(bloc[: min(BLOC, reste)])
            reste -= BLOC
    return chemin


_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_CLASSEUR = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_CLASSEUR_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def xlsx_cellule_geante(chemin: Path, taille: int) -> Path:
    """A small XLSX whose sheet holds one inline-string cell of `taille` characters (streamed, deflated)."""
    with zipfile.ZipFile(chemin, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _CLASSEUR)
        z.writestr("xl/_rels/workbook.xml.rels", _CLASSEUR_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                b'<row r="1"><c r="A1" t="inlineStr"><is><t>nom</t></is></c></row>'
                b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
            )
            reste, bloc = taille, b"x" * BLOC
            while reste > 0:
                f.write(bloc[: min(BLOC, reste)])
                reste -= BLOC
            f.write(b"</t></is></c></row></sheetData></worksheet>")
    return chemin


def dimension_perimee(source: Path, cible: Path, ref: str) -> Path:
    """A copy of an openpyxl workbook whose sheet's `<dimension ref>` claims `ref` (a stale extent)."""
    with zipfile.ZipFile(source) as z:
        parties = {n: z.read(n) for n in z.namelist()}
    feuille = "xl/worksheets/sheet1.xml"
    parties[feuille], n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), parties[feuille])
    assert n == 1
    with zipfile.ZipFile(cible, "w", zipfile.ZIP_DEFLATED) as z:
        for nom, donnees in parties.items():
            z.writestr(nom, donnees)
    return cible


def zip_avec(source: Path, cible: Path, nom: str, *, donnees: bytes | None = None, **attributs) -> Path:
    """A copy of the ZIP `source` whose entry `nom` gets `donnees` and/or ZipInfo attributes as
    written in the central directory (flag_bits=1: encrypted; compress_type=9: deflate64)."""
    with zipfile.ZipFile(source) as z:
        parties = [(info, z.read(info)) for info in z.infolist()]
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        for info, contenu in parties:
            nouvelle = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            nouvelle.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(nouvelle, donnees if info.filename == nom and donnees is not None else contenu)
            if info.filename == nom:
                for cle, valeur in attributs.items():
                    setattr(nouvelle, cle, valeur)  # changed after the data: only the directory says so
    cible.write_bytes(tampon.getvalue())
    return cible
