"""Imports read, converted and written by batches (issue 15): the same results as in one go.

Tiny batches (`tableau.OCTETS_PAR_LOT` bytes of CSV, `pipeline.LIGNES_PAR_CONVERSION` rows) put
batch boundaries everywhere in small files; each import is compared with the same file imported
in one batch into another database (counts, messages, line numbers, report, stored rows).
"""

import csv
import hashlib
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from cmq import tableau
from cmq.errors import CmqError, ErreurImport
from cmq.importation import pipeline
from cmq.importation.fichier import importer_fichier
from cmq.store import db, masse, schema
from cmq.tableau import Relecture, TableauEnLots, lire_par_lots, lire_tableau
from tests.hostile import MEMOIRE_MAX_MO, empreinte, pic_memoire
from tests.import_outils import historique, instantane
from tests.test_import_en_bloc import ENTETE, annuaire, ecrire

PETIT_LOT = 700  # bytes: a batch of a few rows


@pytest.fixture
def petits_lots(monkeypatch):
    """Batches of a few rows for the reading (CSV bytes) and the per-row conversion."""
    monkeypatch.setattr(tableau, "OCTETS_LECTURE_ENTIERE", 0)
    monkeypatch.setattr(tableau, "OCTETS_PAR_LOT", PETIT_LOT)
    monkeypatch.setattr(pipeline, "LIGNES_PAR_CONVERSION", 7)


def par_lots(chemin: Path):
    """(colonnes, rows, line numbers, encoding, delimiter, checksum, batches) read by `lire_par_lots`, or the error."""
    try:
        t = lire_par_lots(chemin)
        while True:
            try:
                lots = list(t.lots())
                break
            except Relecture as relecture:
                t = relecture.relire()
    except CmqError as erreur:
        return str(erreur)
    lignes = [ligne for lot in lots for ligne in lot.cadre.rows()]
    numeros = [n for lot in lots for n in lot.numeros]
    return t.colonnes, lignes, numeros, t.encodage, t.separateur, t.somme_controle


def en_entier(chemin: Path):
    try:
        t = lire_tableau(chemin)
    except CmqError as erreur:
        return str(erreur)
    return t.colonnes, t.cadre.rows(), t.numeros, t.encodage, t.separateur, t.somme_controle


# --- Reading by batches --------------------------------------------------------------------------

CELLULES = ["a", "", " ", "é", "’x", '"q;uo""te"', '"a\nb"', "1", "\u3000", "x y", '\\"', "\r", "\x07"]
POIDS = [30, 10, 5, 3, 2, 0.5, 0.3, 5, 0.3, 3, 0.1, 0.1, 0.05]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graine=st.integers(0, 2**32), octets=st.sampled_from([1, 5, 17, 40, 100]))
def test_lecture_par_lots_identique_a_la_lecture_entiere(tmp_path, monkeypatch, graine, octets):
    """Random tables (quoted cells, cells over two lines, lone CR, Orion's `\\"`, short and long rows,
    control characters, UTF-8 with or without BOM, Windows-1252, a mix): same rows or same error."""
    monkeypatch.setattr(tableau, "OCTETS_LECTURE_ENTIERE", 0)
    monkeypatch.setattr(tableau, "OCTETS_PAR_LOT", octets)
    alea = random.Random(graine)
    separateur = alea.choice(";,\t")
    largeur = alea.randint(1, 4)
    lignes = [separateur.join(f"c{j}" for j in range(largeur))]
    for _ in range(alea.randint(0, 30)):
        n = alea.choice([largeur] * 4 + [largeur - 1, largeur + 1, 0])
        lignes.append(separateur.join(alea.choices(CELLULES, POIDS)[0] for _ in range(max(n, 0))))
    fin = alea.choice(["\n", "\r\n"])
    texte = fin.join(lignes) + alea.choice([fin, ""])
    encodage = alea.choice(["utf-8", "utf-8-sig", "cp1252", "melange"])
    try:
        brut = texte.encode("utf-8") + "é;è\n".encode("cp1252") if encodage == "melange" else texte.encode(encodage)
    except UnicodeEncodeError:
        brut = texte.encode("utf-8")
    chemin = tmp_path / "d.csv"
    chemin.write_bytes(brut)
    assert par_lots(chemin) == en_entier(chemin)


def test_gros_fichier_lu_par_lots_sans_tout_lire(tmp_path, petits_lots):
    lignes = annuaire(300)
    chemin = ecrire(tmp_path / "a.csv", lignes)
    t = lire_par_lots(chemin)
    assert isinstance(t, TableauEnLots) and (t.encodage, t.separateur) == ("utf-8-sig", ";")
    assert t.somme_controle is None  # known once every batch is read
    lots = list(t.lots())
    assert len(lots) > 20 and all(0 < lot.cadre.height < 10 for lot in lots)
    assert [n for lot in lots for n in lot.numeros] == list(range(2, 302))
    assert [r for lot in lots for r in lot.cadre.rows()] == [tuple(ligne) for ligne in lignes]
    assert t.somme_controle == hashlib.sha256(chemin.read_bytes()).hexdigest()
    assert sum(lot.restantes for lot in lots[:1]) > 250  # estimated from the bytes left


@pytest.mark.parametrize(
    "milieu",
    [
        '"cellule ; avec séparateur"',  # quotes, no line end: still read by batches
        '"cellule sur\ndeux lignes"',  # a line end inside quotes: the whole file, by the csv module
        '"dit ""oui"" ; vraiment"',
    ],
)
def test_guillemets_a_cheval_sur_la_coupure(tmp_path, monkeypatch, milieu):
    """A quoted cell over every possible cut point: same rows, same line numbers."""
    corps = [f"{i};Lycée {i}" for i in range(40)]
    texte = "UAI;Nom\n" + "\n".join(corps[:20]) + f"\n20;{milieu}\n" + "\n".join(corps[21:]) + "\n"
    chemin = tmp_path / "d.csv"
    chemin.write_text(texte, encoding="utf-8")
    attendu = en_entier(chemin)
    debut = texte.index(milieu)
    monkeypatch.setattr(tableau, "OCTETS_LECTURE_ENTIERE", 0)
    for octets in range(debut - 30, debut + len(milieu) + 5, 3):
        monkeypatch.setattr(tableau, "OCTETS_PAR_LOT", octets)
        assert par_lots(chemin) == attendu


def test_windows_1252_apres_le_premier_lot(tmp_path, petits_lots):
    """ASCII batches (past the 256 kB sample that chooses the encoding), then one byte of Windows-1252:
    the whole file read as Windows-1252 (still by batches)."""
    lignes = ["UAI;Nom"] + [f"{i};Lycee {i}" for i in range(20_000)]
    lignes[19_000] = "18999;Lycée « cp1252 »"
    chemin = tmp_path / "d.csv"
    chemin.write_bytes("\n".join(lignes).encode("cp1252") + b"\n")
    t = lire_par_lots(chemin)
    assert isinstance(t, TableauEnLots) and t.encodage == "utf-8"  # the first batches are UTF-8
    with pytest.raises(Relecture) as relecture:
        list(t.lots())
    t = relecture.value.relire()
    assert isinstance(t, TableauEnLots) and t.encodage == "cp1252"
    lues = par_lots(chemin)
    assert lues == en_entier(chemin)
    assert lues[3] == "cp1252" and ("18999", "Lycée « cp1252 »") in lues[1]


def test_erreur_d_un_lot_tardif_comme_en_lecture_entiere(tmp_path, petits_lots):
    """A problem far in the file (cell too long, control character): the whole-file message, with its line."""
    corps = "".join(f"{i};Lycée {i}\n" for i in range(300))
    cas = {
        "long.csv": (
            "UAI;Nom\n" + corps + "1;" + "x" * 200_000 + "\n",
            "long.csv : ligne 302 : cellule de plus de 128 Ko",
        ),
        "binaire.csv": ("UAI;Nom\n" + corps + "1;a\x00b\n", "binaire.csv : encodage non reconnu"),
        "large.csv": ("UAI;Nom\n" + corps + "1;a;b\n", "large.csv : ligne 302 : 3 cellules pour 2 colonnes"),
    }
    for nom, (contenu, message) in cas.items():
        chemin = tmp_path / nom
        chemin.write_text(contenu, encoding="utf-8")
        assert par_lots(chemin) == en_entier(chemin)
        assert par_lots(chemin).startswith(message)


# --- Imports by batches, compared with imports in one batch ---------------------------------------


def resume(rapport):
    return (
        rapport.statut,
        rapport.type_import,
        rapport.lues,
        rapport.inserees,
        rapport.mises_a_jour,
        rapport.inchangees,
        rapport.rejetees,
        rapport.ignorees,
        {nom: (b.inserees, b.mises_a_jour, b.inchangees) for nom, b in rapport.details.items()},
        [(r.numero, r.raison, r.ligne) for r in rapport.rejets],
        rapport.somme_controle,
    )


def lire_rapport(chemin: Path) -> list[list[str]]:
    with open(chemin, encoding="utf-8-sig", newline="") as flux:
        return list(csv.reader(flux, delimiter=";"))


def importer(chemin, url, **options):
    """(summary of the report, or the error message)."""
    try:
        return resume(importer_fichier(chemin, url=url, **options))
    except CmqError as erreur:
        return str(erreur)


@pytest.fixture
def reference(fabrique_bases, genre_base):
    """A second migrated database of the same kind: the import in one batch."""
    url = fabrique_bases(genre_base)
    schema.mettre_a_jour(url)
    return url


def comparer(chemin, url, url_reference, monkeypatch, tmp_path, octets_par_lot=PETIT_LOT, **options):
    """Import `chemin` by tiny batches into `url` and in one batch into `url_reference`: same
    report, same report of rejects, same stored rows. Returns the summary."""
    rapports = {}
    for cible, octets in ((url_reference, 1 << 30), (url, octets_par_lot)):
        monkeypatch.setattr(tableau, "OCTETS_LECTURE_ENTIERE", octets)
        monkeypatch.setattr(tableau, "OCTETS_PAR_LOT", octets)
        monkeypatch.setattr(pipeline, "LIGNES_PAR_CONVERSION", 7 if octets < 1 << 30 else 10_000)
        rapport = tmp_path / f"rejets_{octets}.csv"
        if options.get("partiel"):
            options["rapport"] = rapport
        rapports[cible] = (importer(chemin, cible, **options), rapport.read_bytes() if rapport.exists() else None)
    assert rapports[url] == rapports[url_reference]
    assert instantane(url) == instantane(url_reference)
    return rapports[url][0]


def test_etablissements_par_lots_comme_en_un_lot(base_vide, reference, tmp_path, monkeypatch):
    """Repeated UAIs across batches keep their first row; closed ones skipped; partial, then full imports."""
    lignes = annuaire(400, defauts=25)
    for i in (5, 120, 330):  # a UAI seen in an early batch and again in a late one
        lignes.insert(i * 1 + 300, list(lignes[i]))
    chemin = ecrire(tmp_path / "annuaire.csv", lignes)
    premier = comparer(chemin, base_vide, reference, monkeypatch, tmp_path, partiel=True)
    assert premier[0] == "partiel" and premier[6] > 0 and premier[7] > 20 and premier[3] > 300
    second = comparer(chemin, base_vide, reference, monkeypatch, tmp_path, partiel=True)
    assert second[3:5] == (0, 0) and second[5] == premier[3]
    change = [ligne for ligne in annuaire(400) if ligne[-1] != "FERME"]
    for ligne in change[::40]:
        ligne[1] += " (nouveau nom)"
    ecrire(chemin, change)
    troisieme = comparer(chemin, base_vide, reference, monkeypatch, tmp_path)
    assert troisieme[0] == "ok" and troisieme[4] >= 10
    assert [h.statut for h in historique(base_vide)] == ["partiel", "partiel", "ok"]
    assert {h.somme_controle for h in historique(base_vide)[-1:]} == {hashlib.sha256(chemin.read_bytes()).hexdigest()}


ENTETE_CAMPUS = "nom_du_campus;filiere;label_excellence;region_academique;academie;uai_etablissement_support\n"


def campus(n: int, doublons: dict[int, int] | None = None, invalides: tuple[int, ...] = ()) -> str:
    """`n` campus rows (unique names), row i copying row j for {i: j}, invalid filière at `invalides`."""
    lignes = []
    for i in range(n):
        j = (doublons or {}).get(i, i)
        filiere = "Astrologie" if i in invalides else "Numérique, télécommunications"
        uai = ("0592926K", "0690026D", "")[j % 3]
        lignes.append(f"Campus numéro {j};{filiere};{'Oui' if j % 2 else 'Non'};Hauts-de-France;Lille;{uai}\n")
    return ENTETE_CAMPUS + "".join(lignes)


def test_campus_doublons_a_cheval_sur_les_lots(base_vide, reference, tmp_path, monkeypatch):
    """Every occurrence of a repeated campus rejected, across batches, with all its lines: refused in
    full mode, rejected in partial mode (the other rows written), as in one batch."""
    chemin = tmp_path / "campus.csv"
    chemin.write_text(campus(150, {40: 3, 90: 3, 149: 3, 100: 60}, invalides=(7, 120)), encoding="utf-8")
    refus = comparer(chemin, base_vide, reference, monkeypatch, tmp_path, type_import="campus").splitlines()
    assert refus[0] == "import refusé : 8 lignes rejetées sur 150, rien n'a été écrit"
    assert refus[1] == "  ligne 5 : campus en double « numero-3 » (lignes 5, 42, 92 et 151)"
    assert refus[2].startswith("  ligne 9 : filière inconnue « Astrologie »")
    assert refus[4] == "  ligne 62 : campus en double « numero-60 » (lignes 62 et 102)"
    assert instantane(base_vide)["campus"] == []
    partiel = comparer(chemin, base_vide, reference, monkeypatch, tmp_path, type_import="campus", partiel=True)
    assert partiel[0] == "partiel" and partiel[6] == 8 and partiel[8]["campus"] == (142, 0, 0)
    rejets = lire_rapport(tmp_path / f"rejets_{PETIT_LOT}.csv")
    assert [r[0] for r in rejets[1:]] == ["5", "9", "42", "62", "92", "102", "122", "151"]
    assert rejets[1][1] == rejets[3][1] == rejets[8][1]
    assert re.fullmatch(r"campus en double « .+ » \(lignes 5, 42, 92 et 151\)", rejets[1][1])


def test_historique_ecrit_lot_par_lot(base_vide, reference, tmp_path, monkeypatch):
    """The changes of a campus import read by tiny batches are recorded batch by batch (memory bounded
    by a batch), all tied to the import's id, the same as in one batch."""
    from cmq.store import historique as historique_store

    chemin = tmp_path / "campus.csv"
    chemin.write_text(campus(60), encoding="utf-8")
    comparer(chemin, base_vide, reference, monkeypatch, tmp_path, type_import="campus")

    def changements(url: str):
        with db.session(url) as s:
            lus = historique_store.lire(s)
        [import_] = historique(url)
        assert {c.import_id for c in lus} == {import_.id} and {c.operation for c in lus} == {"import"}
        return sorted((c.objet, c.action, c.cle, [(v.champ, v.avant, v.apres) for v in c.champs]) for c in lus)

    par_lots, en_un = changements(base_vide), changements(reference)
    supports = sum(1 for j in range(60) if j % 3 != 2)  # rows with a support establishment: a member each
    assert len(par_lots) == 60 + supports and par_lots == en_un


def test_membres_doublons_par_lots(base_vide, reference, tmp_path, monkeypatch):
    """Members (key campus + UAI) repeated across batches: all rejected, as in one batch."""
    campus_ = tmp_path / "campus.csv"
    campus_.write_text(campus(3), encoding="utf-8")
    for url in (base_vide, reference):
        importer_fichier(campus_, url=url, type_import="campus")
    lignes = ["campus;uai;role\n"]
    for i in range(120):
        chiffres = f"069{i:04d}"
        lignes.append(f"Campus numéro {i % 3};{chiffres}{'ABCDEFGHJKLMNPRSTUVWXYZ'[int(chiffres) % 23]};membre\n")
    lignes.append(lignes[10])
    lignes.append(lignes[100])
    chemin = tmp_path / "membres.csv"
    chemin.write_text("".join(lignes), encoding="utf-8")
    comparer(chemin, base_vide, reference, monkeypatch, tmp_path, type_import="membres")
    partiel = comparer(chemin, base_vide, reference, monkeypatch, tmp_path, type_import="membres", partiel=True)
    assert partiel[6] == 4 and partiel[3] == 118


def test_rejet_dans_le_dernier_lot_refuse_tout(base_vide, tmp_path, petits_lots, monkeypatch):
    """Batches written, then a rejected row in the last one: nothing stays, indexes included."""
    monkeypatch.setattr(masse, "SEUIL_INDEX", 10)  # SQLite: indexes dropped at the first batch
    lignes = annuaire(300)
    lignes[-1][0] = "0690004A"  # wrong check letter, last row
    chemin = ecrire(tmp_path / "annuaire.csv", lignes)
    avant = empreinte(base_vide)
    with db.session(base_vide) as s:
        index_avant = _index(s)
    with pytest.raises(ErreurImport) as erreur:
        importer_fichier(chemin, url=base_vide)
    assert str(erreur.value).splitlines()[:2] == [
        "import refusé : 1 ligne rejetée sur 300, rien n'a été écrit",
        "  ligne 301 : UAI invalide « 0690004A » : lettre de contrôle « A », « E » attendue",
    ]
    assert empreinte(base_vide) == avant
    with db.session(base_vide) as s:
        assert _index(s) == index_avant
    assert historique(base_vide)[-1].statut == "echec" and historique(base_vide)[-1].rejetees == 1
    # The same file, valid: written by batches, indexes rebuilt once, at the end.
    lignes[-1][0] = "0690299X"
    lignes[-1][0] = lignes[-1][0][:7] + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(lignes[-1][0][:7]) % 23]
    ecrire(chemin, lignes)
    rapport = importer_fichier(chemin, url=base_vide)
    assert (rapport.inserees, rapport.rejetees) == (len({ligne[0] for ligne in lignes if ligne[-1] != "FERME"}), 0)
    with db.session(base_vide) as s:
        assert _index(s) == index_avant


def _index(session) -> list:
    if session.get_bind().dialect.name == "sqlite":
        requete = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'etablissements'"
    else:
        requete = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'etablissements'"
    return sorted(session.execute(text(requete)).all())


def test_mode_partiel_rapport_par_lots(base_vide, reference, tmp_path, monkeypatch):
    """Rejects of many batches: the report lists them all, in line order, after a quoted cell too."""
    lignes = annuaire(200)
    for i in range(0, 200, 9):
        lignes[i][5], lignes[i][-1] = "099", "OUVERT"
    lignes[50][1] = 'École "des ; guillemets"'
    chemin = ecrire(tmp_path / "annuaire.csv", lignes)
    resume_ = comparer(chemin, base_vide, reference, monkeypatch, tmp_path, partiel=True)
    assert resume_[6] == 23
    rejets = lire_rapport(tmp_path / f"rejets_{PETIT_LOT}.csv")
    assert [int(r[0]) for r in rejets[1:]] == list(range(2, 202, 9))
    assert all(r[1].startswith("territoire inconnu (département) : « 099 »") for r in rejets[1:])
    assert rejets[7][2:4] == [lignes[54][0], lignes[54][1]] and lignes[50][1] in {r[1] for r in lignes}


def test_numeros_de_ligne_apres_une_cellule_sur_deux_lignes(base_vide, reference, tmp_path, monkeypatch):
    """A cell over two lines (read whole, by the csv module), then a rejected row: its real line."""
    lignes = annuaire(100)
    lignes[10][1] = "École\nsur deux lignes"
    lignes[60][5], lignes[60][-1] = "099", "OUVERT"
    chemin = ecrire(tmp_path / "annuaire.csv", lignes)
    refus = comparer(chemin, base_vide, reference, monkeypatch, tmp_path)
    assert refus.splitlines()[1].startswith("  ligne 63 : territoire inconnu (département) : « 099 »")


def test_windows_1252_apres_des_lots_ecrits(base_vide, reference, tmp_path, monkeypatch):
    """Batches written, then a Windows-1252 byte past the 256 kB sample: the import starts again,
    rolled back, and ends as the import in one go (names decoded from Windows-1252, history once)."""
    lignes = [[c.replace("É", "E").replace("é", "e") for c in ligne] for ligne in annuaire(4000)]
    lignes[3800][1], lignes[3800][-1] = "Lycée Récamier", "OUVERT"
    brut = (";".join(ENTETE) + "\n" + "".join(";".join(ligne) + "\n" for ligne in lignes)).encode("cp1252")
    assert brut.index(b"\xe9") > 270_000
    chemin = tmp_path / "annuaire.csv"
    chemin.write_bytes(brut)
    ouvertures = []
    ouvrir = tableau._ouvrir_csv_par_lots
    monkeypatch.setattr(
        tableau, "_ouvrir_csv_par_lots", lambda c, cp1252=False: ouvertures.append(cp1252) or ouvrir(c, cp1252)
    )
    resume_ = comparer(chemin, base_vide, reference, monkeypatch, tmp_path, octets_par_lot=20_000)
    assert ouvertures == [False, True]  # by batches in UTF-8, then again in Windows-1252
    assert resume_[0] == "ok" and resume_[-1] == hashlib.sha256(brut).hexdigest()
    with db.session(base_vide) as s:
        noms = s.execute(text("SELECT nom FROM etablissements WHERE nom LIKE 'Lyc%'")).scalars().all()
    assert noms == ["Lycée Récamier"]
    assert len(historique(base_vide)) == 1


# --- Bounded memory ---------------------------------------------------------------------------------


def test_memoire_bornee_a_300000_lignes(tmp_path):
    """300,000 annuaire rows (87 MB, 520 MB as one polars frame of text): the import process's
    peak memory stays below MEMOIRE_MAX_MO, as at 1,000,000 rows (`bench/import_memoire.py`)."""
    chemin = tmp_path / "annuaire.csv"
    adresse = "12 rue de la République, bâtiment B, escalier 3 ; " * 4
    with open(chemin, "w", encoding="utf-8-sig", newline="") as flux:
        flux.write(";".join([*ENTETE, "adresse"]) + "\n")
        for i in range(300_000):
            chiffres = f"{69 + i // 10_000:03d}{i % 10_000:04d}"
            uai = chiffres + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(chiffres) % 23]
            flux.write(f'{uai};École {i};Public;69001;69123;069;10;84;45.{i:06d};4.{i:06d};OUVERT;"{adresse}"\n')
    assert chemin.stat().st_size > 80 * 1024 * 1024
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    sortie, pic = pic_memoire(f"""
        from cmq.importation.annuaire import importer_annuaire
        r = importer_annuaire({str(chemin)!r}, url={url!r})
        print(r.lues, r.inserees, r.rejetees)
    """)
    assert sortie.split()[:3] == ["300000", "300000", "0"]
    assert pic < MEMOIRE_MAX_MO


def test_rejets_bornes_en_memoire_tous_dans_le_rapport(base_vide, tmp_path, petits_lots, monkeypatch):
    """The Rapport keeps the first REJETS_GARDES rejects (line order) and their number; the report has them all."""
    monkeypatch.setattr(pipeline, "REJETS_GARDES", 3)
    lignes = annuaire(120)
    for i in range(0, 120, 10):
        lignes[i][5], lignes[i][-1] = "099", "OUVERT"
    chemin = ecrire(tmp_path / "annuaire.csv", lignes)
    rapport = importer_fichier(chemin, url=base_vide, partiel=True, rapport=tmp_path / "r.csv")
    assert rapport.rejetees == 12 and [r.numero for r in rapport.rejets] == [2, 12, 22]
    assert rapport.rejets[0].ligne["identifiant_de_l_etablissement"] == lignes[0][0]
    assert [int(r[0]) for r in lire_rapport(tmp_path / "r.csv")[1:]] == list(range(2, 122, 10))
    assert historique(base_vide)[-1].rejetees == 12


def test_masse_index_supprimes_une_fois_pour_tout_l_import(base_vide):
    """masse.Lots: SQLite indexes dropped at the first batch (rows expected > rows stored), kept
    dropped for the next batches, rebuilt identical by `finir`; PostgreSQL keeps them."""
    import polars as pl

    from cmq.store.tables import EtablissementTable

    def cadre(debut: int, n: int) -> pl.DataFrame:
        uai = []
        for i in range(debut, debut + n):
            chiffres = f"{690_0000 + i:07d}"
            uai.append(chiffres + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(chiffres) % 23])
        return pl.DataFrame({"uai": uai, "nom": [f"Lycée {i}" for i in range(n)], "departement": ["69"] * n})

    with db.session(base_vide) as s:
        avant = _index(s)
    lots = masse.Lots()
    with db.session(base_vide, ecriture=True) as s:
        table = EtablissementTable.__table__
        masse.ecrire(s, table, cadre(0, 500), ("uai",), lots=lots, attendues=masse.SEUIL_INDEX * 2)
        sqlite = s.get_bind().dialect.name == "sqlite"
        assert (_index(s) != avant) is sqlite and bool(lots.supprimes) is sqlite
        masse.ecrire(s, table, cadre(500, 500), ("uai",), lots=lots, attendues=10)
        assert (_index(s) != avant) is sqlite
        lots.finir(s)
        assert _index(s) == avant and not lots.supprimes
        assert s.execute(text("SELECT count(*) FROM etablissements")).scalar_one() == 1000
