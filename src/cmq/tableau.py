"""Tabular files (CSV and XLSX) read into a polars frame of text cells (writing: `cmq.ecrivain`).

CSV: encoding detected among UTF-8 (with or without BOM) and Windows-1252, delimiter among `;`, `,`
and tab. XLSX: through openpyxl; a workbook with several sheets needs the sheet name. Every problem
raises FichierIllisible / ColonneManquante with a French message naming the file (and the line).

Python's strict `csv` reader defines what a CSV file means (cells, blank lines skipped, line
numbers, errors). The usual file (no line break inside a cell, well-formed quotes, no lone CR, no
row wider than the header) is parsed by polars instead, 5 to 8 times faster and without one Python
object per cell, to the same result (tested); anything else goes through the `csv` module.

Orion's exports escape a quote inside a quoted cell as `\\"` (backslash) instead of doubling it:
such a file is read as if the quotes were doubled (`_sans_echappements`), with no option. A file
that still does not parse is refused with its line, its column and the reason.

`lire_par_lots` reads a large usual CSV file (above OCTETS_LECTURE_ENTIERE) by batches of about
OCTETS_PAR_LOT bytes, cut at line ends, each parsed by polars with the checks of the whole-file reading, so that
an import never holds the whole file (`cmq.importation.pipeline`). Anything unusual in a batch
(lone CR, quotes the csv module must read, a cell spanning lines, `\\"`, a control character, an
over-long line or cell, a bad header) makes it read the whole file as `lire_tableau` does: by the
same code, to the same result or the same error. A batch that is not UTF-8 makes it read again in
Windows-1252 (still by batches), as the whole-file reading would have decided for the whole file.
Such a change of mind after batches were handed out raises Relecture: the reader of the batches
(an import, in one transaction) drops what it did and starts again from `Relecture.relire()`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cmq.ecrivain import ecrire_tableau  # noqa: F401 (the one writer, still reachable as tableau.ecrire_tableau)
from cmq.errors import ColonneManquante, EntreeInvalide, FichierIllisible
from cmq.texte import normaliser

if TYPE_CHECKING:
    import polars as pl  # imported lazily at run time: slow to import, not needed by every command

EXTENSIONS_CSV = (".csv", ".txt", ".tsv")
EXTENSIONS = (*EXTENSIONS_CSV, ".xlsx")
SEPARATEURS = ";,\t"
# Bytes of the control characters never found in a real text table (same code points in UTF-8 and cp1252).
_CONTROLE = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_SANS_CONTROLE = bytes(b for b in range(256) if b not in _CONTROLE)
_ECHANTILLON = 64 * 1024
_CR_SEUL = re.compile(rb"\r(?!\n)")
_NON_BLANC = re.compile(rb"[^ \t\r\n\xef\xbb\xbf]")
# What str.strip() removes (str.isspace()): polars' own strip_chars() ignores \x1c-\x1f.
ESPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SEPARATEURS_INFORMATION = ["\x1c", "\x1d", "\x1e", "\x1f"]


@dataclass(eq=False)
class Tableau:
    """A table read from a file: header as written (trimmed), rows of strings, file line of each row.

    `cadre` holds the cells (one text column per header column, "" for an empty cell); `lignes`
    gives them as one dict per row, built on first use.
    """

    colonnes: list[str]
    cadre: pl.DataFrame
    numeros: list[int]  # 1-based line (CSV) or row (XLSX) of each row; the header is line 1
    chemin: Path
    encodage: str | None = None  # "utf-8-sig", "utf-8", "cp1252"; None for XLSX
    separateur: str | None = None  # None for XLSX
    feuille: str | None = None  # XLSX sheet read
    somme_controle: str | None = None  # sha256 of the bytes read (CSV)
    echappement: str | None = None  # "\\" when quotes were escaped as in Orion's exports
    nom: str = field(init=False)

    def __post_init__(self) -> None:
        self.nom = self.chemin.name

    @cached_property
    def lignes(self) -> list[dict[str, str]]:
        """One {column: cell} dict per row."""
        return self.cadre.rows(named=True)

    def lots(self, lignes: int | None = None) -> Iterator[Lot]:
        """The rows by batches of at most `lignes` rows (all at once by default); none when there is no row."""
        pas = lignes or max(self.cadre.height, 1)
        for debut in range(0, self.cadre.height, pas):
            fin = min(debut + pas, self.cadre.height)
            yield Lot(self.cadre.slice(debut, pas), self.numeros[debut:fin], self.cadre.height - fin)


@dataclass(eq=False)
class Lot:
    """Consecutive rows of a table: cells (as `Tableau.cadre`), their line numbers, and an estimate
    of the rows still to come after them (exact for a table read whole)."""

    cadre: pl.DataFrame
    numeros: list[int]
    restantes: int = 0


class Relecture(Exception):
    """The file must be read again another way (`relire()`): what was done with its batches must be dropped."""

    def __init__(self, relire: Callable[[], Tableau | TableauEnLots]):
        super().__init__("relecture du fichier")
        self.relire = relire


OCTETS_LECTURE_ENTIERE = 24 * 1024 * 1024  # a CSV file above this size is read by batches (the annuaire: 21 MB)
OCTETS_PAR_LOT = 8 * 1024 * 1024  # bytes of CSV per batch (25,000 annuaire rows)


@dataclass(eq=False)
class TableauEnLots:
    """A CSV file read by batches (`lire_par_lots`): header and reading settings at once, the rows by
    `lots()`, which can be run once. `somme_controle` (sha256 of the file) is known once every batch
    was read; `lots()` raises Relecture when the file must be read another way (module doc)."""

    colonnes: list[str]
    chemin: Path
    encodage: str
    separateur: str
    _lots: Iterator[Lot] = field(repr=False)
    feuille: str | None = None
    somme_controle: str | None = None
    echappement: str | None = None
    nom: str = field(init=False)

    def __post_init__(self) -> None:
        self.nom = self.chemin.name

    def lots(self, lignes: int | None = None) -> Iterator[Lot]:
        """The batches of rows (blank rows skipped; a batch is never empty). `lignes` is ignored: a
        batch holds the rows of about OCTETS_PAR_LOT bytes of the file."""
        yield from self._lots

    def relire(self) -> Tableau | TableauEnLots:
        """The same file read again from its start (as it was read: same encoding)."""
        return _ouvrir_csv_par_lots(self.chemin, cp1252=self.encodage == "cp1252")


def lire_tableau(chemin: Path | str, feuille: str | None = None) -> Tableau:
    """Read a .csv/.txt/.tsv or .xlsx file; FichierIllisible with the reason otherwise."""
    chemin = Path(chemin)
    if not chemin.exists():
        raise FichierIllisible(f"fichier introuvable : « {chemin} »")
    if chemin.is_dir():
        raise FichierIllisible(f"« {chemin} » est un dossier, pas un fichier")
    suffixe = chemin.suffix.lower()
    if suffixe in (".xls", ".xlsm", ".ods"):
        raise FichierIllisible(
            f"{chemin.name} : format {suffixe} non pris en charge ; enregistrez le classeur au format .xlsx "
            "(ou .csv) puis recommencez"
        )
    if suffixe not in EXTENSIONS:
        raise FichierIllisible(
            f"{chemin.name} : extension « {suffixe or '(aucune)'} » non prise en charge "
            f"(attendu : {', '.join(EXTENSIONS)})"
        )
    if suffixe == ".xlsx":
        return _lire_xlsx(chemin, feuille)
    if feuille is not None:
        raise EntreeInvalide(f"{chemin.name} n'est pas un classeur .xlsx : la feuille « {feuille} » ne s'applique pas")
    return _lire_csv(chemin)


def lire_par_lots(chemin: Path | str, feuille: str | None = None) -> Tableau | TableauEnLots:
    """`lire_tableau`, except that a CSV file above OCTETS_LECTURE_ENTIERE bytes is read by batches
    of OCTETS_PAR_LOT bytes (TableauEnLots, see the module doc); the same checks and errors, the same rows."""
    chemin = Path(chemin)
    try:
        taille = chemin.stat().st_size
        grand = chemin.suffix.lower() in EXTENSIONS_CSV and feuille is None and taille > OCTETS_LECTURE_ENTIERE
    except OSError:
        grand = False  # lire_tableau says why
    if not grand or not chemin.is_file():
        return lire_tableau(chemin, feuille)
    return _ouvrir_csv_par_lots(chemin)


def colonne(tableau: Tableau | TableauEnLots, nom: str) -> str:
    """The column of `tableau` named `nom`, ignoring accents, case, spaces and punctuation."""
    cible = _cle(nom)
    for c in tableau.colonnes:
        if _cle(c) == cible:
            return c
    raise ColonneManquante(
        f"{tableau.nom} : colonne « {nom} » absente ; colonnes disponibles : {', '.join(tableau.colonnes)}"
    )


def _cle(nom: str) -> str:
    """Column name compared without accents, case, spaces nor punctuation ("filiereCmq" = "Filière CMQ")."""
    return normaliser(nom).replace(" ", "")


# --- CSV -------------------------------------------------------------------------------------------


def _refuser_binaire(chemin: Path, brut: bytes) -> None:
    """FichierIllisible for UTF-16/32, binary files and control characters (never in a text table)."""
    if brut.startswith((b"\xff\xfe", b"\xfe\xff")) or brut.translate(None, _SANS_CONTROLE):
        raise _illisible(chemin)


def _illisible(chemin: Path) -> FichierIllisible:
    return FichierIllisible(f"{chemin.name} : encodage non reconnu (attendu : UTF-8 ou Windows-1252)")


def _decoder(chemin: Path, brut: bytes) -> tuple[str, str]:
    """(text, encoding) among UTF-8 with BOM, UTF-8, Windows-1252 (after `_refuser_binaire`)."""
    candidats = ("utf-8-sig",) if brut.startswith(b"\xef\xbb\xbf") else ("utf-8", "cp1252")
    for encodage in candidats:
        try:
            return brut.decode(encodage), encodage
        except UnicodeDecodeError:
            continue
    raise _illisible(chemin)


def _debut_utf8(brut: bytes) -> str | None:
    """The file's first _ECHANTILLON characters (whole first line included) if they are UTF-8, else None.

    Enough for `_separateur` to give the same answer as on the whole text.
    """
    try:
        debut = codecs.getincrementaldecoder("utf-8-sig")().decode(brut[: _ECHANTILLON * 4], final=False)
    except UnicodeDecodeError:
        return None
    if len(brut) > _ECHANTILLON * 4 and "\n" not in debut:
        return None  # a first line longer than the sample
    return debut


def _separateur(texte: str) -> str:
    """`;`, `,` or tab: csv.Sniffer on a sample, checked against the header, else counted in the header."""
    fin = texte.find("\n")
    entete = texte if fin < 0 else texte[:fin]
    try:
        trouve = csv.Sniffer().sniff(texte[:_ECHANTILLON], delimiters=SEPARATEURS).delimiter
    except csv.Error:
        trouve = None
    if trouve is not None and trouve in entete:
        return trouve
    comptes = {s: _compter(entete, s) for s in SEPARATEURS}
    meilleur = max(SEPARATEURS, key=lambda s: comptes[s])  # ties: order of SEPARATEURS
    return meilleur if comptes[meilleur] > 1 else ","


def _compter(entete: str, separateur: str) -> int:
    """Cells of the header line with this delimiter; 0 when the csv module cannot even split it (lone CR)."""
    try:
        return len(next(csv.reader([entete], delimiter=separateur), []))
    except csv.Error:
        return 0


LIGNE_MAX = 1024 * 1024  # bytes: a longer line is no table row (checked by windows of half this size)
CELLULE_MAX = 128 * 1024  # bytes or characters of one cell (csv.field_size_limit's default)


def _refuser_lignes_demesurees(chemin: Path, brut: bytes) -> None:
    """FichierIllisible for a line of more than LIGNE_MAX bytes (a line of 2 × LIGNE_MAX is always
    caught, one below LIGNE_MAX / 2 never), found without splitting the file into lines."""
    fenetre = LIGNE_MAX // 2
    for debut in range(0, len(brut) - fenetre + 1, fenetre):
        if brut.find(b"\n", debut, debut + fenetre) < 0:
            ligne = brut.count(b"\n", 0, debut) + 1
            if ligne == 1:
                raise FichierIllisible(
                    f"{chemin.name} : en-tête (ligne 1) de plus de {fenetre // 1024} Ko sans fin de ligne : "
                    "ce n'est pas un tableau lisible"
                )
            raise FichierIllisible(f"{chemin.name} : ligne {ligne} de plus de {fenetre // 1024} Ko : cellule démesurée")


def _cellule_trop_grande(chemin: Path, ligne: int) -> FichierIllisible:
    return FichierIllisible(f"{chemin.name} : ligne {ligne} : cellule de plus de {CELLULE_MAX // 1024} Ko")


def _echappements(brut: bytes) -> bool:
    """True when `brut` holds `\\"` (Orion's escaped quote). A lone backslash is looked for first:
    one byte is found by memchr, 10× faster than a pair in a file without any backslash."""
    return b"\\" in brut and b'\\"' in brut


def _lire_csv(chemin: Path) -> Tableau:
    brut = chemin.read_bytes()
    _refuser_lignes_demesurees(chemin, brut)
    if not _NON_BLANC.search(brut):
        raise FichierIllisible(f"{chemin.name} : fichier vide")
    _refuser_binaire(chemin, brut)
    if not _echappements(brut):
        return _lire_csv_standard(chemin, brut)
    try:
        orion = _lire_csv_orion(chemin, brut)
    except FichierIllisible as erreur:  # read as a standard CSV, else Orion's reading says what is wrong
        try:
            return _lire_csv_standard(chemin, brut)
        except FichierIllisible:
            raise erreur from None
    return orion if orion is not None else _lire_csv_standard(chemin, brut)


def _empreinte(brut: bytes) -> Callable[[], str]:
    """The sha256 (hex) of `brut`, computed by a thread while the caller parses the file (hashlib
    releases the GIL: the 15 ms of a 24 MB file overlap polars' parsing); call the result for it."""
    resultat: list[str] = []
    fil = threading.Thread(target=lambda: resultat.append(hashlib.sha256(brut).hexdigest()), daemon=True)
    fil.start()

    def attendre() -> str:
        fil.join()
        return resultat[0]

    return attendre


def _lire_csv_standard(chemin: Path, brut: bytes) -> Tableau:
    """A CSV file whose quotes, if any, are doubled (RFC 4180)."""
    empreinte = _empreinte(brut)
    tableau, debut = None, _debut_utf8(brut)
    if debut is not None:  # the usual UTF-8 file: polars checks the UTF-8 of the rest as it parses
        separateur = _separateur(debut)
        encodage = "utf-8-sig" if brut.startswith(b"\xef\xbb\xbf") else "utf-8"
        tableau = _lire_csv_polars(chemin, brut, separateur)
    if tableau is None:  # Windows-1252, or a file that needs the csv module
        texte, encodage = _decoder(chemin, brut)
        separateur = _separateur(texte)
        if encodage == "cp1252":  # polars reads UTF-8: the text is handed over re-encoded
            tableau = _lire_csv_polars(chemin, texte.encode("utf-8"), separateur)
        if tableau is None:
            tableau = _lire_csv_module(chemin, texte, separateur)
    tableau.encodage, tableau.separateur = encodage, separateur
    tableau.somme_controle = empreinte()
    return tableau


# A quoted cell of Orion's dialect: `\\"` is an escaped quote, any other backslash is literal.
_CELLULE_ECHAPPEE = re.compile(r'"((?:[^"\\]|\\"|\\(?!"))*)"')


def _sans_echappements(texte: str) -> str:
    """Orion's `\\"` inside quoted cells rewritten as the standard doubled quote `""`."""
    return _CELLULE_ECHAPPEE.sub(lambda m: '"' + m.group(1).replace('\\"', '""') + '"', texte)


def _lire_csv_orion(chemin: Path, brut: bytes) -> Tableau | None:
    """The table read with `\\"` as an escaped quote; None when the file has no such escape inside quotes."""
    texte, encodage = _decoder(chemin, brut)
    converti = _sans_echappements(texte)
    if converti == texte:
        return None
    empreinte = _empreinte(brut)
    separateur = _separateur(converti)
    tableau = _lire_csv_polars(chemin, converti.encode("utf-8"), separateur)
    if tableau is None:
        tableau = _lire_csv_module(chemin, converti, separateur)
    tableau.encodage, tableau.separateur = encodage, separateur
    tableau.somme_controle = empreinte()
    tableau.echappement = "\\"
    return tableau


def _guillemets(separateur: str) -> re.Pattern[bytes]:
    """A well-formed quoted cell: opening quote at the start of a cell, closing quote at its end."""
    s = re.escape(separateur.encode())
    return re.compile(rb"(?<![^" + s + rb'\n])"[^"]*(?:""[^"]*)*"(?=[' + s + rb"\r\n]|\Z)")


def _cadre_polars(donnees: bytes, separateur: str) -> pl.DataFrame | None:
    """Every line of `donnees` (UTF-8, with or without one BOM) as a row of text cells parsed by
    polars ("" when empty, never null), the header included; None when the text needs the `csv`
    module (see module doc)."""
    if b"\r" in donnees and _CR_SEUL.search(donnees):
        return None  # a lone CR ends a row for the csv module, not for polars
    debut = 3 if donnees.startswith(b"\xef\xbb\xbf") else 0
    if b'"' in donnees and b'"' in _guillemets(separateur).sub(b"", memoryview(donnees)[debut:]):
        return None  # a quote outside a well-formed quoted cell: literal or an error for the csv module
    import polars as pl

    try:  # empty cells read as "": no null to fill afterwards (a copy of most columns)
        cadre = pl.read_csv(
            donnees, separator=separateur, has_header=False, infer_schema=False, empty_string_is_null=False
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None  # rows wider than the first one, malformed quotes…
    if cadre.height != donnees.count(b"\n") + (not donnees.endswith(b"\n")):
        return None  # some cell spans several lines: the csv module numbers the lines
    return cadre


def _trop_grande(cadre: pl.DataFrame) -> int | None:
    """Index of the first row of `cadre` holding a cell of more than CELLULE_MAX bytes, or None."""
    import polars as pl

    if all(n is None or n <= CELLULE_MAX for n in cadre.select(pl.all().str.len_bytes().max()).row(0)):
        return None
    trop = cadre.select(pl.any_horizontal(pl.all().str.len_bytes().fill_null(0) > CELLULE_MAX)).to_series()
    return trop.arg_true()[0]


def _lignes_du_cadre(
    cadre: pl.DataFrame, colonnes: list[str], premier_numero: int
) -> tuple[pl.DataFrame, list[int]] | None:
    """The rows of a parsed frame (header row removed) under the names `colonnes`, blank rows
    skipped, with their line numbers; None when a row has extra non-empty cells (csv module)."""
    import polars as pl

    noms = cadre.columns
    cadre = cadre.slice(1)
    if len(noms) > len(colonnes) and _non_vides(cadre, noms[len(colonnes) :]).any():
        return None  # extra non-empty cells: the csv module reports the line
    garder = _non_vides(cadre, noms[: len(colonnes)])  # blank rows are skipped, their numbers kept
    numeros = pl.int_range(premier_numero, premier_numero + cadre.height, eager=True)
    if not garder.all():
        cadre, numeros = cadre.filter(garder), numeros.filter(garder)
    cadre = cadre.select(pl.col(c).alias(nom) for c, nom in zip(noms, colonnes, strict=False))
    return cadre, numeros.to_list()


def _lire_csv_polars(chemin: Path, donnees: bytes, separateur: str) -> Tableau | None:
    """The table parsed by polars, or None when the file needs the `csv` module (see module doc).

    `donnees`: the file in UTF-8, with or without one BOM.
    """
    cadre = _cadre_polars(donnees, separateur)
    if cadre is None:
        return None
    if (rang := _trop_grande(cadre)) is not None:
        raise _cellule_trop_grande(chemin, rang + 1)  # the csv module refuses such a cell too
    entete = list(cadre.row(0))
    if not any(c.strip() for c in entete):
        return None  # blank lines before the header
    colonnes = _colonnes(chemin, entete)
    lignes = _lignes_du_cadre(cadre, colonnes, 2)
    if lignes is None:
        return None
    return Tableau(colonnes, *lignes, chemin)


# --- CSV by batches (module doc) -----------------------------------------------------------------


class _Entier(Exception):
    """This batch needs the whole-file reading (`_lire_csv`)."""


class _Cp1252(Exception):
    """A batch is not UTF-8: the whole file is read as Windows-1252 (if it can be)."""


def _ouvrir_csv_par_lots(chemin: Path, cp1252: bool = False) -> Tableau | TableauEnLots:
    """The CSV file read by batches from its first one, or read whole when it must be."""
    try:
        lecture = _LectureParLots(chemin, cp1252)
    except OSError:
        return _lire_csv(chemin)  # raises what the whole-file reading raises
    try:
        premier = lecture.premier_lot()
    except _Entier:
        lecture.flux.close()
        return _lire_csv(chemin)
    except _Cp1252:
        lecture.flux.close()
        return _ouvrir_csv_par_lots(chemin, cp1252=True)
    except BaseException:
        lecture.flux.close()
        raise
    tableau = TableauEnLots(lecture.colonnes, chemin, lecture.encodage, lecture.separateur, lecture.lots(premier))
    lecture.tableau = tableau
    return tableau


class _LectureParLots:
    """The state of a CSV file read by batches: the file, its checksum so far, the line reached."""

    def __init__(self, chemin: Path, cp1252: bool):
        self.chemin, self.cp1252 = chemin, cp1252
        self.flux = open(chemin, "rb")  # closed by `lots`, or on failure by `_ouvrir_csv_par_lots`
        self.taille = os.fstat(self.flux.fileno()).st_size
        self.empreinte = hashlib.sha256()
        self.tampon = b""  # read, not yet cut into batches; always starts at a line start
        self.fin = False
        self.consommes = 0  # bytes cut into batches
        self.lignes_avant = 0  # lines of the batches already cut
        self.encodage = "cp1252" if cp1252 else "utf-8"
        self.separateur = ","
        self.colonnes: list[str] = []
        self.noms: list[str] = []  # polars' names of the raw columns (width of the header)
        self.entete = b""  # the header line in UTF-8, put before every later batch (same width)
        self.bom = False
        self.tableau: TableauEnLots | None = None
        self.morceaux = self._morceaux()

    def _lire(self, taille: int) -> None:
        bloc = self.flux.read(taille)
        if bloc:
            self.empreinte.update(bloc)
            self.tampon += bloc
        else:
            self.fin = True

    def premier_lot(self) -> Lot:
        """Encoding, delimiter and header, from the file's start; the first batch of rows."""
        self._lire(_ECHANTILLON * 4 + 1)
        echantillon = self.tampon
        if echantillon.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _Entier
        if len(echantillon) > _ECHANTILLON * 4 and b"\n" not in echantillon[: _ECHANTILLON * 4]:
            raise _Entier  # a first line longer than the sample
        self.bom = echantillon.startswith(b"\xef\xbb\xbf")
        if self.cp1252:
            if self.bom:
                raise _Entier
            try:
                debut = echantillon.decode("cp1252")
            except UnicodeDecodeError:
                raise _Entier from None
        else:
            debut = _debut_utf8(echantillon)
            if debut is None:
                if self.bom:
                    raise _Entier
                raise _Cp1252
            self.encodage = "utf-8-sig" if self.bom else "utf-8"
        self.separateur = _separateur(debut)
        morceau = next(self.morceaux, None)
        if morceau is None:
            raise _Entier
        return self._lot(morceau, premier=True)

    def _morceaux(self) -> Iterator[bytes]:
        """The file by pieces of about OCTETS_PAR_LOT bytes cut after a line end (_Entier on a line
        that the whole-file reading might refuse as over-long: any line of LIGNE_MAX / 2 bytes)."""
        taille = max(OCTETS_PAR_LOT, 1)
        besoin = taille
        while True:
            while not self.fin and len(self.tampon) <= besoin:
                self._lire(max(taille, besoin + 1 - len(self.tampon)))
            _verifier_longueurs(self.tampon)
            if not self.tampon:
                return
            coupe = self.tampon.rfind(b"\n", 0, besoin) + 1 or self.tampon.find(b"\n", besoin) + 1
            if self.fin and (coupe == 0 or len(self.tampon) <= besoin):
                coupe = len(self.tampon)  # the last piece, with or without a final line end
            elif coupe == 0:
                besoin = len(self.tampon) + taille  # no line end yet: read on
                continue
            besoin = taille
            morceau, self.tampon = self.tampon[:coupe], self.tampon[coupe:]
            yield morceau

    def _lot(self, morceau: bytes, premier: bool) -> Lot:
        """The rows of one piece, with the checks of the whole-file reading (_Entier, _Cp1252)."""
        if morceau.translate(None, _SANS_CONTROLE) or _echappements(morceau):
            raise _Entier  # a control character, or Orion's escaped quotes
        donnees = morceau
        if self.cp1252:
            try:
                donnees = morceau.decode("cp1252").encode("utf-8")
            except UnicodeDecodeError:
                raise _Entier from None
        cadre = _cadre_polars(donnees if premier else self.entete + donnees, self.separateur)
        if cadre is None:
            if not self.cp1252 and not self.bom and not _est_utf8(morceau):
                raise _Cp1252
            raise _Entier
        if _trop_grande(cadre) is not None:
            raise _Entier  # the whole-file reading gives the error, with its line
        if premier:
            entete = list(cadre.row(0))
            if not any(c.strip() for c in entete):
                raise _Entier  # blank lines before the header
            try:
                self.colonnes = _colonnes(self.chemin, entete)
            except FichierIllisible:
                raise _Entier from None  # unless the rest of the file is refused for another reason
            self.noms = cadre.columns
            debut = 3 if donnees.startswith(b"\xef\xbb\xbf") else 0
            fin = donnees.find(b"\n")  # none: this first batch is the whole file
            self.entete = donnees[debut : fin + 1] if fin >= 0 else donnees[debut:] + b"\n"
        elif cadre.columns != self.noms:
            raise _Entier
        lignes = _lignes_du_cadre(cadre, self.colonnes, 2 if premier else self.lignes_avant + 1)
        if lignes is None:
            raise _Entier
        self.consommes += len(morceau)
        self.lignes_avant += morceau.count(b"\n")
        restantes = (self.taille - self.consommes) * self.lignes_avant // max(self.consommes, 1)
        return Lot(*lignes, restantes)

    def lots(self, premier: Lot) -> Iterator[Lot]:
        """The non-empty batches from the first one; Relecture when the file must be read another way."""
        try:
            if premier.cadre.height:
                yield premier
            while True:
                try:
                    morceau = next(self.morceaux, None)
                    if morceau is None:
                        break
                    lot = self._lot(morceau, premier=False)
                except _Entier:
                    raise Relecture(lambda: _lire_csv(self.chemin)) from None
                except _Cp1252:
                    raise Relecture(lambda: _ouvrir_csv_par_lots(self.chemin, cp1252=True)) from None
                if lot.cadre.height:
                    yield lot
            if self.tableau is not None:
                self.tableau.somme_controle = self.empreinte.hexdigest()
        finally:
            self.flux.close()


def _verifier_longueurs(tampon: bytes) -> None:
    """_Entier when `tampon` (starting at a line start) holds LIGNE_MAX / 4 bytes without a line end
    at a multiple of that size: it then holds no line of LIGNE_MAX / 2 bytes or more, the shortest
    that `_refuser_lignes_demesurees` may refuse."""
    fenetre = LIGNE_MAX // 4
    for debut in range(0, len(tampon) - fenetre + 1, fenetre):
        if tampon.find(b"\n", debut, debut + fenetre) < 0:
            raise _Entier


def _est_utf8(brut: bytes) -> bool:
    try:
        brut.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sans_espaces(cadre: pl.DataFrame, *noms: str) -> list[pl.Expr]:
    """The text columns `noms` of `cadre` trimmed as by str.strip().

    polars' own trim (3× faster) where it is the same: every column is checked for the characters
    it would keep (\x1c-\x1f) in one parallel query.
    """
    import polars as pl

    avec = cadre.select(
        pl.col(nom).str.contains_any(_SEPARATEURS_INFORMATION).any().alias(str(i)) for i, nom in enumerate(noms)
    ).row(0)
    return [
        pl.col(nom).str.strip_chars(ESPACES) if a else pl.col(nom).str.strip_chars()
        for nom, a in zip(noms, avec, strict=True)
    ]


def _non_vides(cadre: pl.DataFrame, noms: Sequence[str]) -> pl.Series:
    """Rows having a non-blank cell among the columns `noms` (the first one decides for most rows)."""
    import polars as pl

    def rempli(nom: str) -> pl.Expr:
        return sans_espaces(cadre, nom)[0].str.len_bytes().fill_null(0) > 0

    garder = cadre.select(rempli(noms[0])).to_series()
    if len(noms) > 1 and not garder.all():
        doute = (~garder).arg_true()
        garder = garder.scatter(doute, cadre[doute].select(pl.any_horizontal(map(rempli, noms[1:]))).to_series())
    return garder


def _lire_csv_module(chemin: Path, texte: str, separateur: str) -> Tableau:
    """The table parsed by Python's strict csv reader (cells spanning lines, odd quotes…)."""
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur, strict=True)
    enregistrements: list[tuple[int, list[str]]] = []
    debut = 1
    try:
        for cellules in lecteur:
            if any(c.strip() for c in cellules):  # blank lines are skipped, their numbers kept
                enregistrements.append((debut, cellules))
            debut = lecteur.line_num + 1
    except csv.Error as erreur:
        if "field larger than field limit" in str(erreur):
            raise _cellule_trop_grande(chemin, debut) from None
        ou = _diagnostic(texte, separateur)
        if ou is None:
            ou = f"ligne {debut} : {erreur}"
        raise FichierIllisible(f"{chemin.name} : fichier tronqué ou mal formé {ou}") from None
    if not enregistrements:
        raise FichierIllisible(f"{chemin.name} : fichier vide")
    (_, entete), *reste = enregistrements
    return _tableau(chemin, _colonnes(chemin, entete), reste, "ligne {}")


def _diagnostic(texte: str, separateur: str) -> str | None:
    """Where and why quotes break the file: « ligne L, colonne n° C (« nom ») : raison »; None if they do not."""
    ligne, debut, cellule, etat, ouverte = 1, 1, 1, "debut", (1, 1)
    entete: list[str] = []
    courante: list[str] = []
    raison = None
    for i, c in enumerate(texte):
        if etat == "guillemets":
            if c == '"':
                etat = "apres"
            else:
                courante.append(c)
                ligne += c == "\n"
            continue
        if etat == "apres" and c == '"':
            etat = "guillemets"
            courante.append(c)
            continue
        if etat == "apres" and c not in (separateur, "\n", "\r"):
            raison = (
                f"caractère « {c} » après le guillemet fermant (un guillemet à l'intérieur d'un texte "
                'entre guillemets s\'écrit "" ou \\")'
            )
            break
        if c == separateur:
            if debut == 1:
                entete.append("".join(courante))
            cellule, etat, courante = cellule + 1, "debut", []
        elif c in "\r\n":
            if c == "\r" and texte[i + 1 : i + 2] == "\n":
                continue
            if debut == 1:
                entete.append("".join(courante))
            ligne += 1
            debut, cellule, etat, courante = ligne, 1, "debut", []
        elif c == '"' and etat == "debut":
            etat, ouverte = "guillemets", (debut, cellule)
        else:
            etat = "champ"
            courante.append(c)
    if raison is None and etat != "guillemets":
        return None
    if raison is None:
        debut, cellule = ouverte
        raison = "guillemet ouvert jamais fermé (fichier tronqué ?)"
    entete = entete or ["".join(courante)]
    nom = ""
    if debut > 1 and cellule <= len(entete):
        nom = f" (« {entete[cellule - 1].replace(chr(0xFEFF), '').strip()} »)"
    return f"ligne {debut}, colonne n° {cellule}{nom} : {raison}"


# --- XLSX ------------------------------------------------------------------------------------------


def _cellule(valeur: object) -> str:
    """A spreadsheet value as text: dates in ISO 8601, whole numbers without '.0'."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, datetime):
        return valeur.date().isoformat() if valeur.time() == time(0) else valeur.isoformat()
    if isinstance(valeur, date | time):
        return valeur.isoformat()
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    return str(valeur)


def feuilles(chemin: Path | str) -> list[str]:
    """Names of the sheets of an .xlsx workbook, in order ([] for any other file or an unreadable one:
    `lire_tableau` then reports the problem)."""
    chemin = Path(chemin)
    if chemin.suffix.lower() != ".xlsx" or not chemin.is_file():
        return []
    from openpyxl import load_workbook

    try:
        classeur = load_workbook(chemin, read_only=True)
    except Exception:
        return []
    try:
        return list(classeur.sheetnames)
    finally:
        classeur.close()


XLSX_ENTREE_MAX = 512 * 1024 * 1024  # uncompressed bytes of one part of the workbook (sheet XML…)
XLSX_TEXTES_MAX = 64 * 1024 * 1024  # uncompressed bytes of the shared strings, loaded whole by openpyxl
XLSX_RATIO_MAX = 200  # uncompressed / compressed, checked on parts beyond XLSX_SEUIL_RATIO
XLSX_SEUIL_RATIO = 8 * 1024 * 1024
XLSX_LIGNES_MAX = 1_048_576  # Excel's own limits
XLSX_CELLULE_MAX = 32_767


def _verifier_parties_xlsx(chemin: Path) -> None:
    """Refuse a decompression bomb before openpyxl reads anything: every part's declared size and
    ratio (zipfile never yields more than the declared size: a lie ends in a CRC error)."""
    import zipfile

    try:
        with zipfile.ZipFile(chemin) as archive:
            parties = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl reports the corrupt workbook
    for partie in parties:
        limite = XLSX_TEXTES_MAX if partie.filename.endswith("sharedStrings.xml") else XLSX_ENTREE_MAX
        trop = partie.file_size > limite
        bombe = partie.file_size > XLSX_SEUIL_RATIO and partie.file_size > XLSX_RATIO_MAX * max(partie.compress_size, 1)
        if trop or bombe:
            raison = (
                f"plus de {limite // (1024 * 1024)} Mo une fois décompressée"
                if trop
                else f"taux de compression anormal (plus de {XLSX_RATIO_MAX} pour 1)"
            )
            raise FichierIllisible(
                f"{chemin.name} : partie « {partie.filename} » du classeur refusée : {raison} "
                "(cellule ou feuille démesurée, bombe de décompression ?)"
            )


def _lignes_xlsx(chemin: Path, feuille, nom: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a read-only sheet, to its real end (a stale `<dimension>` is ignored),
    refused beyond Excel's limits of rows and characters per cell."""
    feuille.reset_dimensions()  # read every row, not the extent the file claims
    lignes = []
    for numero, valeurs in enumerate(feuille.iter_rows(values_only=True), start=1):
        if numero > XLSX_LIGNES_MAX:
            raise FichierIllisible(
                f"{chemin.name} : feuille « {nom} » de plus de {XLSX_LIGNES_MAX} lignes (limite d'Excel)"
            )
        cellules = [_cellule(v) for v in valeurs]
        if any(len(c) > XLSX_CELLULE_MAX for c in cellules):
            raise FichierIllisible(
                f"{chemin.name} : ligne {numero} de la feuille « {nom} » : cellule de plus de "
                f"{XLSX_CELLULE_MAX} caractères (limite d'Excel)"
            )
        if any(c.strip() for c in cellules):
            lignes.append((numero, cellules))
    return lignes


def _lire_xlsx(chemin: Path, feuille: str | None) -> Tableau:
    from openpyxl import load_workbook  # imported lazily: slow to import, only needed here

    corrompu = f"{chemin.name} : classeur .xlsx illisible ou corrompu"
    _verifier_parties_xlsx(chemin)
    try:
        classeur = load_workbook(chemin, read_only=True, data_only=True)
    except Exception:
        raise FichierIllisible(corrompu) from None
    try:
        noms = classeur.sheetnames
        if feuille is None and len(noms) > 1:
            raise FichierIllisible(
                f"{chemin.name} contient {len(noms)} feuilles ({', '.join(noms)}) : "
                "précisez laquelle lire avec --feuille"
            )
        if feuille is not None and feuille not in noms:
            raise FichierIllisible(f"{chemin.name} : feuille « {feuille} » absente ; feuilles : {', '.join(noms)}")
        nom = feuille if feuille is not None else noms[0]
        try:
            lignes = _lignes_xlsx(chemin, classeur[nom], nom)
        except FichierIllisible:
            raise
        except Exception:
            raise FichierIllisible(corrompu) from None
    finally:
        classeur.close()
    if not lignes:
        raise FichierIllisible(f"{chemin.name} : feuille « {nom} » vide")
    (_, entete), *reste = lignes
    tableau = _tableau(chemin, _colonnes(chemin, entete), reste, f"ligne {{}} de la feuille « {nom} »")
    tableau.feuille = nom
    return tableau


# --- Shared checks ---------------------------------------------------------------------------------


def _colonnes(chemin: Path, entete: list[str]) -> list[str]:
    """Header cells trimmed (BOM removed); trailing empty cells dropped; no unnamed nor duplicate column."""
    colonnes = [c.replace("\ufeff", "").strip() for c in entete]
    while colonnes and not colonnes[-1]:
        colonnes.pop()
    if not colonnes:  # only separators and BOMs
        raise FichierIllisible(f"{chemin.name} : aucun nom de colonne dans l'en-tête (ligne 1)")
    vues: dict[str, str] = {}
    for position, nom in enumerate(colonnes, start=1):
        if not nom:
            raise FichierIllisible(f"{chemin.name} : la colonne n° {position} n'a pas d'en-tête (ligne 1)")
        cle = _cle(nom)
        if cle in vues:
            raise FichierIllisible(f"{chemin.name} : colonne en double « {vues[cle]} » / « {nom} » (ligne 1)")
        vues[cle] = nom
    return colonnes


def _tableau(chemin: Path, colonnes: list[str], lignes: list[tuple[int, list[str]]], ou: str) -> Tableau:
    """A Tableau from (line number, cells) rows; short rows are padded, extra non-empty cells are an error."""
    import polars as pl

    n = len(colonnes)
    for numero, cellules in lignes:
        if len(cellules) > n and any(c.strip() for c in cellules[n:]):
            raise FichierIllisible(
                f"{chemin.name} : {ou.format(numero)} : {len(cellules)} cellules pour {n} colonnes "
                "(séparateur ou guillemets incorrects ?)"
            )
    colonnes_cellules = [[c[j] if j < len(c) else "" for _, c in lignes] for j in range(n)]
    cadre = pl.DataFrame(colonnes_cellules, schema=dict.fromkeys(colonnes, pl.String), orient="col")
    return Tableau(colonnes, cadre, [numero for numero, _ in lignes], chemin)


_DECIMALE = re.compile(r"-?\d+,\d+")
_NOMBRE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
_DATE_HEURE = re.compile(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})")


def valeur_typee(valeur: object, nombres: bool = False) -> object:
    """A cell of Orion's dialect as a typed value: true/false -> bool, "2026,00" -> 2026, "14/10/2025 11:34"
    -> datetime; with `nombres`, "2026" and "12.5" (read from an XLSX) too. Anything else is left as is."""
    if not isinstance(valeur, str):
        return valeur
    if valeur in ("true", "false"):
        return valeur == "true"
    if _DECIMALE.fullmatch(valeur) or (nombres and _NOMBRE.fullmatch(valeur)):
        nombre = float(valeur.replace(",", "."))
        return int(nombre) if nombre.is_integer() and abs(nombre) < 2**53 else nombre
    if m := _DATE_HEURE.fullmatch(valeur):
        jour, mois, annee, heure, minute = map(int, m.groups())
        try:
            return datetime(annee, mois, jour, heure, minute)
        except ValueError:
            return valeur
    return valeur
