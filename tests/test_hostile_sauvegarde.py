"""Hostile backup bundles (issue 14, points 3, 4, 5, 8, 10): each one is refused with a French
message, the target database is unchanged (same fingerprint, PRAGMA integrity_check ok, no temporary
file), and a decompression bomb is refused with bounded memory."""

import errno
import hashlib
import json
import secrets
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import OperationalError

from cmq import exports
from cmq.errors import ErreurEcriture, ErreurStockage, FichierIllisible
from cmq.store import db, sauvegarde, schema
from cmq.store.sauvegarde import restaurer, sauvegarder
from tests.hostile import MEMOIRE_MAX_MO, MO, empreinte, integrite, pic_memoire, temporaires, zip_avec
from tests.test_sauvegarde import CAMPUS, T, _ligne_modifiee, bundle_sqlite, cible_remplie, reecrire  # noqa: F401

_CAMPUS_1 = json.loads(json.dumps(CAMPUS[0], default=str))


def _campus(**champs) -> str:
    """The first campus row of the bundle with `champs` changed, as a JSON line (raw text allowed)."""
    texte = json.dumps({**_CAMPUS_1, **{k: v for k, v in champs.items() if not isinstance(v, Brut)}})
    for cle, valeur in champs.items():
        if isinstance(valeur, Brut):
            texte = texte.replace(f'"{cle}": {json.dumps(_CAMPUS_1[cle])}', f'"{cle}": {valeur}')
    return texte


class Brut(str):
    """A JSON value written as is (NaN, Infinity, 1e400, a huge integer)."""


def _refus(chemin: Path, cible: str, message: str, erreur=FichierIllisible) -> None:
    """Restore fails with exactly `message` (after the bundle's name), the target is unchanged."""
    avant = empreinte(cible, historique=True)
    with pytest.raises(erreur) as refus:
        restaurer(chemin, cible, remplacer=True)
    assert str(refus.value) == f"sauvegarde « {chemin.name} » illisible : {message}"
    assert empreinte(cible, historique=True) == avant
    assert integrite(cible) == "ok"
    assert temporaires(chemin.parent, Path(cible.removeprefix("sqlite:///")).parent) == []


# --- Point 4: every row checked by the models, as on import --------------------------------------

LIGNES_INVALIDES = [
    pytest.param(
        _campus(filiere="aeronautique"),
        "« campus.jsonl », ligne 1 : filiere : filière inconnue : « aeronautique ».",
        id="filiere-inconnue",
    ),
    pytest.param(
        _campus(date_debut_label="2024-01-31", date_fin_label="2019-02-01"),
        "« campus.jsonl », ligne 1 : dates du label dans le mauvais ordre : fin 2019-02-01 avant début 2024-01-31",
        id="dates-inversees",
    ),
    pytest.param(
        _campus(latitude=1e308),
        "« campus.jsonl », ligne 1 : latitude : doit être inférieur ou égal à 90.0",
        id="latitude",
    ),
    pytest.param(
        _campus(latitude=Brut("1e400")), "« campus.jsonl », ligne 1 : nombre hors limites : inf", id="infini-1e400"
    ),
    pytest.param(
        _campus(latitude=Brut("NaN")),
        "« campus.jsonl », ligne 1 : valeur « NaN » interdite (nombre fini attendu)",
        id="nan",
    ),
    pytest.param(
        _campus(longitude=Brut("-Infinity")),
        "« campus.jsonl », ligne 1 : valeur « -Infinity » interdite (nombre fini attendu)",
        id="infinity",
    ),
    pytest.param(
        _campus(nom=""), "« campus.jsonl », ligne 1 : nom : au moins 1 caractère(s) attendu(s)", id="nom-vide"
    ),
    pytest.param(
        _campus(site_web="javascript:alert(1)"),
        "« campus.jsonl », ligne 1 : site_web : adresse web « javascript:alert(1) » refusée : "
        "seules les adresses http:// ou https:// sont acceptées",
        id="lien-javascript",
    ),
    pytest.param(
        _campus(source_url="data:text/html,<script>alert(1)</script>"),
        "« campus.jsonl », ligne 1 : provenance.source_url : adresse web « data:text/html,<script>alert(1)</script> » "
        "refusée : seules les adresses http:// ou https:// sont acceptées",
        id="lien-data",
    ),
]


@pytest.mark.parametrize("ligne, message", LIGNES_INVALIDES)
def test_ligne_refusee_par_les_modeles(bundle_sqlite, tmp_path, cible_remplie, ligne, message):
    chemin = reecrire(
        bundle_sqlite, tmp_path / "b.zip", tables={"campus": _ligne_modifiee(bundle_sqlite, "campus", 1, ligne)}
    )
    avant = empreinte(cible_remplie, historique=True)
    with pytest.raises(FichierIllisible) as refus:
        restaurer(chemin, cible_remplie, remplacer=True)
    texte = str(refus.value)
    assert texte.startswith(f"sauvegarde « b.zip » illisible : {message}"), texte
    assert empreinte(cible_remplie, historique=True) == avant and integrite(cible_remplie) == "ok"


# --- Point 5: French errors instead of tracebacks ------------------------------------------------


def test_imbrication_profonde(bundle_sqlite, tmp_path, cible_remplie):
    ligne = '{"campus_id":' + "[" * 200_000 + "]" * 200_000 + ',"uai":"0690001B","role":"membre"}'
    chemin = reecrire(
        bundle_sqlite, tmp_path / "p.zip", tables={"membres": _ligne_modifiee(bundle_sqlite, "membres", 1, ligne)}
    )
    _refus(chemin, cible_remplie, "« membres.jsonl », ligne 1 : imbrication JSON trop profonde")


def test_demi_paire_de_substitution(bundle_sqlite, tmp_path, cible_remplie):
    ligne = (
        '{"campus_id":"cmq-aura-aeronautique","uai":"0690001B","role":"\\ud800","libelle_role":null,"source_url":null}'
    )
    chemin = reecrire(
        bundle_sqlite, tmp_path / "s.zip", tables={"membres": _ligne_modifiee(bundle_sqlite, "membres", 1, ligne)}
    )
    _refus(
        chemin,
        cible_remplie,
        "« membres.jsonl », ligne 1 : caractère invalide : demi-paire de substitution Unicode isolée (\\ud800-\\udfff)",
    )


@pytest.mark.parametrize(
    "entier, message",
    [
        (2**63, "entier hors limites (au plus 2⁶³ - 1 en valeur absolue) : entier de 19 chiffres"),
        (-(2**63) - 1, "entier hors limites (au plus 2⁶³ - 1 en valeur absolue) : entier de 19 chiffres"),
        ("-1" + "0" * 5000, "entier hors limites (au plus 2⁶³ - 1 en valeur absolue) : entier de 5001 chiffres"),
    ],
    ids=["2^63", "-2^63-1", "5000-chiffres"],
)
def test_entier_trop_grand(bundle_sqlite, tmp_path, cible_remplie, entier, message):
    texte = zipfile.ZipFile(bundle_sqlite).read("imports.jsonl").decode().split("\n")[0]
    ligne = texte.replace('"lignes_lues":2', f'"lignes_lues":{entier}')
    assert ligne != texte
    chemin = reecrire(
        bundle_sqlite, tmp_path / "e.zip", tables={"imports": _ligne_modifiee(bundle_sqlite, "imports", 1, ligne)}
    )
    _refus(chemin, cible_remplie, f"« imports.jsonl », ligne 1 : {message}")


def test_entree_chiffree(bundle_sqlite, tmp_path, cible_remplie):
    chemin = zip_avec(bundle_sqlite, tmp_path / "c.zip", "campus.jsonl", flag_bits=0x1)
    _refus(
        chemin,
        cible_remplie,
        "« campus.jsonl » est chiffré (protégé par mot de passe) : cmq n'écrit jamais d'entrée chiffrée",
    )


@pytest.mark.parametrize("methode", [9, 12, 99], ids=["deflate64", "bzip2", "inconnue"])
def test_compression_non_prise_en_charge(bundle_sqlite, tmp_path, cible_remplie, methode):
    chemin = zip_avec(bundle_sqlite, tmp_path / "d.zip", "membres.jsonl", compress_type=methode)
    _refus(
        chemin,
        cible_remplie,
        f"« membres.jsonl » : méthode de compression n° {methode} non prise en charge (attendu : aucune ou deflate)",
    )


def test_disque_plein_a_l_ecriture_de_la_base(bundle_sqlite, tmp_path, cible_remplie, monkeypatch):
    """ENOSPC while the restore writes (simulated at the write boundary): « disque plein », base unchanged."""
    from cmq.store import verrou

    origine = verrou.connexion_import

    def plein(*args, **kwargs):
        import contextlib
        import sqlite3

        @contextlib.contextmanager
        def connexion():
            with origine(*args, **kwargs) as c:
                c.execute(insert(T["campus"]).values(id="x", nom="X", filiere="tourisme-gastronomie"))
                raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
                yield c

        return connexion()

    monkeypatch.setattr(sauvegarde.verrou, "connexion_import", plein)
    avant = empreinte(cible_remplie, historique=True)
    with pytest.raises(ErreurStockage, match=r"^disque plein : la base de données .* n'a pas pu être écrite"):
        restaurer(bundle_sqlite, cible_remplie, remplacer=True)
    assert empreinte(cible_remplie, historique=True) == avant and integrite(cible_remplie) == "ok"


def test_disque_plein_a_l_ecriture_d_une_sauvegarde(cible_remplie, tmp_path, monkeypatch):
    """ENOSPC while the bundle is written: « disque plein », no file and no temporary file left."""
    import zipfile as module_zip

    def ecrire(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(module_zip.ZipFile, "writestr", ecrire)
    cible = tmp_path / "sortie" / "s.zip"
    cible.parent.mkdir()
    with pytest.raises(ErreurEcriture, match=rf"^impossible d'écrire « {cible} » : disque plein$"):
        sauvegarder(cible, cible_remplie)
    assert list(cible.parent.iterdir()) == []


# --- Point 10: impossible manifests --------------------------------------------------------------


@pytest.mark.parametrize(
    "champ, valeur, message",
    [
        ("version_format", True, "version de format True non prise en charge (cette version de cmq lit la version 1)"),
        ("version_format", 1.0, "version de format 1.0 non prise en charge (cette version de cmq lit la version 1)"),
        ("version_format", "1", "version de format '1' non prise en charge (cette version de cmq lit la version 1)"),
        (
            "revision_alembic",
            "9999",
            "révision de schéma « 9999 » inconnue de cette version de cmq (révision actuelle : ",
        ),
        ("revision_alembic", True, "manifeste.json invalide (champ « revision_alembic » : texte attendu)"),
        ("revision_alembic", 1.0, "manifeste.json invalide (champ « revision_alembic » : texte attendu)"),
    ],
    ids=["version-true", "version-1.0", "version-texte", "revision-9999", "revision-true", "revision-1.0"],
)
def test_manifeste_impossible(bundle_sqlite, tmp_path, cible_remplie, champ, valeur, message):
    chemin = reecrire(bundle_sqlite, tmp_path / "m.zip", manifeste=lambda entete: entete.update({champ: valeur}))
    avant = empreinte(cible_remplie, historique=True)
    with pytest.raises(FichierIllisible) as refus:
        restaurer(chemin, cible_remplie, remplacer=True)
    assert str(refus.value).startswith(f"sauvegarde « m.zip » illisible : {message}")
    assert empreinte(cible_remplie, historique=True) == avant and integrite(cible_remplie) == "ok"


# --- Point 3: decompression bombs, streamed and bounded ------------------------------------------


def _bombe(source: Path, cible: Path, table: str, taille: int, *, manifeste_juste: bool = True) -> Path:
    """`source` with `<table>.jsonl` replaced by `taille` bytes of newlines, deflated while streamed."""
    with zipfile.ZipFile(source) as z:
        parties = {n: z.read(n) for n in z.namelist()}
    entete = json.loads(parties.pop("manifeste.json"))
    condense = hashlib.sha256()
    bloc = b"\n" * MO
    for _ in range(taille // MO):
        condense.update(bloc)
    if manifeste_juste:
        entete["tables"][table].update(sha256=condense.hexdigest(), lignes=taille)
    with zipfile.ZipFile(cible, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifeste.json", json.dumps(entete))
        for nom, donnees in parties.items():
            if nom != f"{table}.jsonl":
                z.writestr(nom, donnees)
        with z.open(f"{table}.jsonl", "w", force_zip64=True) as f:
            for _ in range(taille // MO):
                f.write(bloc)
    return cible


def test_bombe_taille_annoncee(bundle_sqlite, tmp_path, cible_remplie):
    """200 MB of newlines in 0.2 MB: refused from the declared size, before decompressing."""
    chemin = _bombe(bundle_sqlite, tmp_path / "bombe.zip", "membres", 200 * MO)
    assert chemin.stat().st_size < 1 * MO
    _refus(chemin, cible_remplie, "« membres.jsonl » dépasse 128 Mo une fois décompressé")


def test_bombe_taux_de_compression(bundle_sqlite, tmp_path, cible_remplie):
    chemin = _bombe(bundle_sqlite, tmp_path / "taux.zip", "alias", 50 * MO)
    _refus(
        chemin,
        cible_remplie,
        "« alias.jsonl » : taux de compression anormal (plus de 100 pour 1) : bombe de décompression ?",
    )


def test_taille_annoncee_mensongere(bundle_sqlite, tmp_path, cible_remplie):
    """An entry holding more bytes than its declared size: decompression stops there (CRC error)."""
    donnees = bytearray(bundle_sqlite.read_bytes())
    with zipfile.ZipFile(bundle_sqlite) as z:
        vraie = z.getinfo("manifeste.json").file_size
    debut = donnees.find(b"PK\x01\x02")  # the central directory entry of manifeste.json (written first)
    assert donnees[debut + 46 : debut + 46 + 14] == b"manifeste.json"
    assert int.from_bytes(donnees[debut + 24 : debut + 28], "little") == vraie
    donnees[debut + 24 : debut + 28] = (100).to_bytes(4, "little")
    chemin = tmp_path / "ment.zip"
    chemin.write_bytes(bytes(donnees))
    _refus(chemin, cible_remplie, "« manifeste.json » corrompu dans l'archive (BadZipFile)")


def test_bombe_memoire_bornee(bundle_sqlite, tmp_path, cible_remplie):
    """The 1.2 MB bundle that took 2.1–3.2 GB: refused in a child process under MEMOIRE_MAX_MO."""
    chemin = _bombe(bundle_sqlite, tmp_path / "bombe.zip", "membres", 500 * MO)
    assert chemin.stat().st_size < 2 * MO
    avant = empreinte(cible_remplie, historique=True)
    sortie, pic = pic_memoire(
        f"""
        from cmq.errors import CmqError
        from cmq.store.sauvegarde import restaurer
        try:
            restaurer({str(chemin)!r}, {cible_remplie!r}, remplacer=True)
        except CmqError as erreur:
            print(erreur)
        """
    )
    assert sortie == "sauvegarde « bombe.zip » illisible : « membres.jsonl » dépasse 128 Mo une fois décompressé"
    assert pic < MEMOIRE_MAX_MO
    assert empreinte(cible_remplie, historique=True) == avant and integrite(cible_remplie) == "ok"


def test_ligne_demesuree_sous_les_limites(bundle_sqlite, tmp_path, cible_remplie):
    """One 5 MB JSON line (under every size limit): refused from its length, not parsed."""
    ligne = '{"texte":"' + secrets.token_hex(5 * MO // 2) + '","campus_id":"cmq-bretagne-mer","cree_le":null}'
    chemin = reecrire(
        bundle_sqlite, tmp_path / "l.zip", tables={"alias": _ligne_modifiee(bundle_sqlite, "alias", 1, ligne)}
    )
    _refus(chemin, cible_remplie, "« alias.jsonl », ligne 1 : ligne de plus de 1 Mo")


@pytest.fixture
def petit_disque(tmp_path) -> Iterator[Path]:
    """A real 512 kB file system (tmpfs), to run out of space for real; skipped when it cannot be mounted."""
    point = tmp_path / "disque"
    point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(point)], capture_output=True).returncode:
        pytest.skip("montage d'un tmpfs impossible (droits root nécessaires)")
    try:
        yield point
    finally:
        db.fermer_tout()
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_vrai_disque_plein(petit_disque, fabrique_bases, tmp_path):
    """ENOSPC for real: restoring 1.5 MB of aliases into a database on a 512 kB disk, then exporting there."""
    source = fabrique_bases("sqlite")
    schema.mettre_a_jour(source)
    with db.moteur(source).begin() as connexion:
        connexion.execute(insert(T["campus"]).values(id="c", nom="C", filiere="tourisme-gastronomie"))
        connexion.execute(
            insert(T["alias"]), [{"texte": f"{i:06d} " + "x" * 250, "campus_id": "c"} for i in range(6000)]
        )
    bundle = tmp_path / "gros.zip"
    sauvegarder(bundle, source)
    cible = f"sqlite:///{petit_disque / 'cmq.db'}"
    schema.mettre_a_jour(cible)
    with db.moteur(cible).begin() as connexion:
        connexion.execute(insert(T["campus"]).values(id="autre", nom="Autre", filiere="tourisme-gastronomie"))
    avant = empreinte(cible, historique=True)
    with pytest.raises(ErreurStockage, match=r"^disque plein : la base de données « .* » n'a pas pu être écrite"):
        restaurer(bundle, cible, remplacer=True)
    assert empreinte(cible, historique=True) == avant and integrite(cible) == "ok"
    remplissage = petit_disque / "remplissage"
    with pytest.raises(ErreurEcriture, match=rf"^impossible d'écrire « {remplissage} » : disque plein$"):
        exports.ecrire(remplissage, b"x" * (1024 * 1024))
    assert not remplissage.exists() and [p.name for p in petit_disque.iterdir() if p.name.startswith(".")] == []
