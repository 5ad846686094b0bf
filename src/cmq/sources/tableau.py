"""Tabular files (CSV and XLSX) read into plain string cells, and written back atomically.

CSV: encoding detected among UTF-8 (with or without BOM) and Windows-1252, delimiter among `;`, `,`
and tab. XLSX: through openpyxl; a workbook with several sheets needs the sheet name. Every problem
raises FichierIllisible / ColonneManquante with a French message naming the file (and the line).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from cmq.errors import ColonneManquante, EntreeInvalide, ErreurEcriture, FichierIllisible
from cmq.fichiers import ecriture_atomique
from cmq.texte import normaliser

EXTENSIONS_CSV = (".csv", ".txt", ".tsv")
EXTENSIONS = (*EXTENSIONS_CSV, ".xlsx")
SEPARATEURS = ";,\t"
_CONTROLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # never in a real text table
_ECHANTILLON = 64 * 1024


@dataclass
class Tableau:
    """A table read from a file: header as written (trimmed), rows of strings, file line of each row."""

    colonnes: list[str]
    lignes: list[dict[str, str]]
    numeros: list[int]  # 1-based line (CSV) or row (XLSX) of each row; the header is line 1
    chemin: Path
    encodage: str | None = None  # "utf-8-sig", "utf-8", "cp1252"; None for XLSX
    separateur: str | None = None  # None for XLSX
    feuille: str | None = None  # XLSX sheet read
    nom: str = field(init=False)

    def __post_init__(self) -> None:
        self.nom = self.chemin.name


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
        raise EntreeInvalide(
            f"{chemin.name} n'est pas un classeur .xlsx : la feuille « {feuille} » ne s'applique pas"
        )
    return _lire_csv(chemin)


def colonne(tableau: Tableau, nom: str) -> str:
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


def _decoder(chemin: Path, brut: bytes) -> tuple[str, str]:
    """(text, encoding) among UTF-8 with BOM, UTF-8, Windows-1252."""
    illisible = FichierIllisible(f"{chemin.name} : encodage non reconnu (attendu : UTF-8 ou Windows-1252)")
    if brut.startswith(b"\xef\xbb\xbf"):
        candidats = ("utf-8-sig",)
    elif brut.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in brut:  # UTF-16/32 or binary
        raise illisible
    else:
        candidats = ("utf-8", "cp1252")
    for encodage in candidats:
        try:
            texte = brut.decode(encodage)
        except UnicodeDecodeError:
            continue
        if _CONTROLE.search(texte):
            raise illisible
        return texte, encodage
    raise illisible


def _separateur(texte: str) -> str:
    """`;`, `,` or tab: csv.Sniffer on a sample, checked against the header, else counted in the header."""
    entete = texte.split("\n", 1)[0]
    try:
        trouve = csv.Sniffer().sniff(texte[:_ECHANTILLON], delimiters=SEPARATEURS).delimiter
    except csv.Error:
        trouve = None
    if trouve is not None and trouve in entete:
        return trouve
    comptes = {s: len(next(csv.reader([entete], delimiter=s), [])) for s in SEPARATEURS}
    meilleur = max(SEPARATEURS, key=lambda s: comptes[s])  # ties: order of SEPARATEURS
    return meilleur if comptes[meilleur] > 1 else ","


def _lire_csv(chemin: Path) -> Tableau:
    brut = chemin.read_bytes()
    if not brut.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FichierIllisible(f"{chemin.name} : fichier vide")
    texte, encodage = _decoder(chemin, brut)
    separateur = _separateur(texte)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur, strict=True)
    enregistrements: list[tuple[int, list[str]]] = []
    debut = 1
    try:
        for cellules in lecteur:
            if any(c.strip() for c in cellules):  # blank lines are skipped, their numbers kept
                enregistrements.append((debut, cellules))
            debut = lecteur.line_num + 1
    except csv.Error:
        raise FichierIllisible(f"{chemin.name} : fichier tronqué ou mal formé ligne {debut}") from None
    if not enregistrements:
        raise FichierIllisible(f"{chemin.name} : fichier vide")
    (_, entete), *reste = enregistrements
    colonnes = _colonnes(chemin, entete)
    tableau = Tableau(colonnes, [], [], chemin, encodage=encodage, separateur=separateur)
    for numero, cellules in reste:
        _ajouter(tableau, numero, cellules, f"ligne {numero}")
    return tableau


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


def _lire_xlsx(chemin: Path, feuille: str | None) -> Tableau:
    from openpyxl import load_workbook  # imported lazily: slow to import, only needed here

    corrompu = f"{chemin.name} : classeur .xlsx illisible ou corrompu"
    try:
        classeur = load_workbook(chemin, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - zip, XML and openpyxl errors all mean a damaged workbook
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
            lignes = [
                (numero, [_cellule(v) for v in valeurs])
                for numero, valeurs in enumerate(classeur[nom].iter_rows(values_only=True), start=1)
                if any(v is not None and str(v).strip() for v in valeurs)
            ]
        except Exception:  # noqa: BLE001 - damaged sheet XML
            raise FichierIllisible(corrompu) from None
    finally:
        classeur.close()
    if not lignes:
        raise FichierIllisible(f"{chemin.name} : feuille « {nom} » vide")
    (_, entete), *reste = lignes
    tableau = Tableau(_colonnes(chemin, entete), [], [], chemin, feuille=nom)
    for numero, cellules in reste:
        _ajouter(tableau, numero, cellules, f"ligne {numero} de la feuille « {nom} »")
    return tableau


# --- Shared checks ---------------------------------------------------------------------------------


def _colonnes(chemin: Path, entete: list[str]) -> list[str]:
    """Header cells trimmed (BOM removed); trailing empty cells dropped; no unnamed nor duplicate column."""
    colonnes = [c.replace("\ufeff", "").strip() for c in entete]
    while colonnes and not colonnes[-1]:
        colonnes.pop()
    vues: dict[str, str] = {}
    for position, nom in enumerate(colonnes, start=1):
        if not nom:
            raise FichierIllisible(f"{chemin.name} : la colonne n° {position} n'a pas d'en-tête (ligne 1)")
        cle = _cle(nom)
        if cle in vues:
            raise FichierIllisible(f"{chemin.name} : colonne en double « {vues[cle]} » / « {nom} » (ligne 1)")
        vues[cle] = nom
    return colonnes


def _ajouter(tableau: Tableau, numero: int, cellules: list[str], ou: str) -> None:
    """Append one row; short rows are padded, extra non-empty cells are an error."""
    n = len(tableau.colonnes)
    if len(cellules) > n and any(c.strip() for c in cellules[n:]):
        raise FichierIllisible(
            f"{tableau.nom} : {ou} : {len(cellules)} cellules pour {n} colonnes "
            "(séparateur ou guillemets incorrects ?)"
        )
    cellules = cellules[:n] + [""] * (n - len(cellules))
    tableau.lignes.append(dict(zip(tableau.colonnes, cellules, strict=True)))
    tableau.numeros.append(numero)


# --- Writing ---------------------------------------------------------------------------------------


def _valeurs(colonnes: Sequence[str], ligne: Mapping[str, object] | Sequence[object]) -> list[object]:
    valeurs = [ligne.get(c) for c in colonnes] if isinstance(ligne, Mapping) else list(ligne)
    return ["" if v is None else v for v in valeurs]


def ecrire_tableau(
    chemin: Path | str,
    colonnes: Sequence[str],
    lignes: Iterable[Mapping[str, object] | Sequence[object]],
    *,
    separateur: str = ",",
    bom: bool = False,
) -> Path:
    """Write a CSV (UTF-8, optional BOM) or XLSX (bold frozen header) file atomically; returns its path."""
    chemin = Path(chemin)
    suffixe = chemin.suffix.lower()
    if suffixe == ".xlsx":
        _ecrire_xlsx(chemin, colonnes, lignes)
    elif suffixe in EXTENSIONS_CSV:
        if separateur not in SEPARATEURS:
            raise EntreeInvalide(
                f"séparateur « {separateur} » non pris en charge (attendu : « ; », « , » ou tabulation)"
            )
        encodage = "utf-8-sig" if bom else "utf-8"
        with ecriture_atomique(chemin, "w", encoding=encodage, newline="") as flux:
            ecrivain = csv.writer(flux, delimiter=separateur)
            ecrivain.writerow(colonnes)
            ecrivain.writerows(_valeurs(colonnes, ligne) for ligne in lignes)
    else:
        raise ErreurEcriture(
            f"{chemin.name} : extension « {suffixe or '(aucune)'} » non prise en charge pour l'écriture "
            f"(attendu : {', '.join(EXTENSIONS)})"
        )
    return chemin


def _ecrire_xlsx(chemin: Path, colonnes: Sequence[str], lignes: Iterable) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classeur = Workbook()
    feuille = classeur.active
    feuille.title = "Données"
    gras = Font(bold=True)
    for j, nom in enumerate(colonnes, start=1):
        feuille.cell(row=1, column=j, value=nom).font = gras
    for i, ligne in enumerate(lignes, start=2):
        for j, valeur in enumerate(_valeurs(colonnes, ligne), start=1):
            cellule = feuille.cell(row=i, column=j, value=valeur)
            if isinstance(valeur, str) and valeur.startswith("="):
                cellule.data_type = "s"  # text, never a formula
    feuille.freeze_panes = "A2"
    with ecriture_atomique(chemin, "wb") as flux:
        classeur.save(flux)
