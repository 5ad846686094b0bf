"""Users and tokens: `cmq utilisateurs ajouter|liste|revoquer`, Argon2id hashes, authentication,
CMQ_JETON for the command line (scopes of alias and import commands), backup and restore
(SQLite and PostgreSQL). Every refusal writes nothing."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from cmq.cli import app
from cmq.errors import EntreeInvalide, IntrouvableError
from cmq.models import Campus, Role
from cmq.store import db, ecriture, utilisateurs
from cmq.store.tables import PerimetreTable, UtilisateurTable
from tests.postgres import empreinte_base

runner = CliRunner()
FORME_JETON = re.compile(r"cmq_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")
BTP = "infrastructures-batiment-eco-construction"
LYON = Campus(id="cmq-lyon", nom="Campus de Lyon", filiere=BTP, region_academique="84", academies=["10"])
BESANCON = Campus(id="cmq-besancon", nom="Campus de Besançon", filiere=BTP, region_academique="27", academies=["03"])


def cmq(*arguments: str, jeton: str | None = None):
    return runner.invoke(app, list(arguments), env={"CMQ_JETON": jeton or ""})


def creer(url: str, nom: str, role: str = "editeur", *perimetres: str, **options) -> str:
    with db.session(url, ecriture=True) as s:
        return utilisateurs.creer(s, nom, role, perimetres or ("academie:10",), **options)[1]


def acteur_de(url: str, jeton: str, **options):
    with db.session(url) as s:
        return utilisateurs.authentifier(s, jeton, **options)


def nombre(url: str) -> int:
    with db.session(url) as s:
        return s.scalar(select(func.count()).select_from(UtilisateurTable))


@pytest.fixture
def base(base_vide) -> str:
    with db.session(base_vide, ecriture=True) as s:
        ecriture.ecrire_campus(s, [LYON, BESANCON])
    utilisateurs.oublier()
    return base_vide


# --- cmq utilisateurs ajouter / liste / revoquer ---------------------------------------------------------


def test_ajouter_json_jeton_une_fois_empreinte_argon2id(base):
    r = cmq(
        "utilisateurs", "ajouter", "Camille Martin", "--role", "editeur", "--perimetre", "academie:10",
        "--perimetre", "Campus:cmq-besancon", "--perimetre", "academie:10", "--expire", "2099-12-31",
        "--relecture", "--format", "json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    sortie = json.loads(r.stdout)
    jeton = sortie["jeton"]
    assert FORME_JETON.fullmatch(jeton)
    assert sortie["utilisateur"] == {
        "nom": "Camille Martin",
        "role": "editeur",
        "perimetres": ["academie:10", "campus:cmq-besancon"],
        "relecture": True,
        "cree_le": sortie["utilisateur"]["cree_le"],
        "expire_le": "2099-12-31T00:00:00Z",
        "revoque_le": None,
    }
    with db.session(base) as s:
        ligne = s.scalar(select(UtilisateurTable))
        portee = s.scalars(select(PerimetreTable.perimetre).order_by(PerimetreTable.perimetre)).all()
    assert ligne.empreinte.startswith("$argon2id$") and jeton not in ligne.empreinte
    assert ligne.prefixe == jeton[4:16] and jeton[17:] not in ligne.empreinte
    assert portee == ["academie:10", "campus:cmq-besancon"]
    acteur = acteur_de(base, jeton)
    assert (acteur.nom, acteur.role, acteur.perimetres, acteur.relecture, acteur.utilisateur_id) == (
        "Camille Martin",
        Role.editeur,
        ("academie:10", "campus:cmq-besancon"),
        True,
        ligne.id,
    )
    liste = cmq("utilisateurs", "liste", "--format", "json")
    assert jeton not in liste.stdout and "argon2" not in liste.stdout and jeton[4:16] not in liste.stdout
    assert json.loads(liste.stdout) == [{k: v for k, v in sortie["utilisateur"].items()}]


def test_ajouter_table_jeton_seul_sur_la_sortie(base):
    r = cmq("utilisateurs", "ajouter", "Admin", "--role", "administrateur", "--perimetre", "france")
    assert r.exit_code == 0, r.output
    assert FORME_JETON.fullmatch(r.stdout.strip())  # only the token on stdout: `jeton=$(cmq …)`
    assert "Utilisateur « Admin » créé (administrateur ; france)" in r.stderr
    assert "il ne sera plus jamais affiché" in r.stderr
    assert acteur_de(base, r.stdout.strip()).perimetres == ("france",)
    tsv = cmq("utilisateurs", "liste", "--format", "tsv").stdout.splitlines()
    aujourdhui = datetime.now(UTC).date().isoformat()
    assert tsv == [
        "nom\trôle\tpérimètres\tcréé le\texpire le\trévoqué le\trelecture",
        f"Admin\tadministrateur\tfrance\t{aujourdhui}\t\t\tnon",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--role", "editeur", "--perimetre", "academie:99"), "périmètre « academie:99 » : code d'académie inconnu"),
        (("--role", "editeur", "--perimetre", "departement:69"), "périmètre « departement:69 » illisible"),
        (("--role", "editeur", "--perimetre", "campus:Pas Un Id"), "identifiant de campus invalide"),
        (("--role", "editeur"), "au moins un périmètre est nécessaire"),
        (("--role", "chef", "--perimetre", "france"), "rôle « chef » inconnu : administrateur ou editeur"),
        (("--role", "editeur", "--perimetre", "france", "--expire", "2020-01-01"), "date d'expiration 2020-01-01"),
        (("--role", "editeur", "--perimetre", "france", "--expire", "31/12/2099"), "date invalide : « 31/12/2099 »"),
        (("--role", "editeur", "--perimetre", "france", "--format", "csv"), "format csv non disponible"),
    ],
)
def test_ajouter_entree_invalide_rien_ecrit(base, arguments, message):
    avant = empreinte_base(base)
    r = cmq("utilisateurs", "ajouter", "Dominique", *arguments)
    assert r.exit_code == 1, r.output
    assert message in r.stderr and "cmq_" not in r.stdout
    assert empreinte_base(base) == avant


def test_ajouter_expiration_aujourdhui_refusee(base):
    aujourdhui = datetime.now(UTC).date()
    with db.session(base) as s, pytest.raises(EntreeInvalide, match=f"choisissez un jour après le {aujourdhui}"):
        utilisateurs.creer(s, "Dominique", "editeur", ["france"], expire_le=aujourdhui)
    assert nombre(base) == 0


@pytest.mark.parametrize(
    ("nom", "message"),
    [
        (" ", "nom d'utilisateur vide invalide : 1 à 200 caractères imprimables attendus"),
        ("x" * 201, f"nom d'utilisateur « {'x' * 80}… » invalide"),
        ("Camille\tMartin", "nom d'utilisateur « Camille\tMartin » invalide"),
    ],
)
def test_ajouter_nom_invalide(base, nom, message):
    avant = empreinte_base(base)
    r = cmq("utilisateurs", "ajouter", nom, "--role", "editeur", "--perimetre", "france")
    assert r.exit_code == 1 and message in r.stderr
    assert empreinte_base(base) == avant


def test_ajouter_nom_deja_pris(base):
    creer(base, "Camille")
    avant = empreinte_base(base)
    r = cmq("utilisateurs", "ajouter", " Camille ", "--role", "administrateur", "--perimetre", "france")
    assert r.exit_code == 1 and "l'utilisateur « Camille » existe déjà" in r.stderr
    assert empreinte_base(base) == avant


def test_revoquer(base):
    jeton = creer(base, "Camille")
    assert acteur_de(base, jeton) is not None  # verified once: remembered
    r = cmq("utilisateurs", "revoquer", "Camille")
    assert r.exit_code == 0
    assert re.fullmatch(r"jeton de « Camille » révoqué le \d{4}-\d\d-\d\d \d\d:\d\d UTC\n", r.stdout)
    assert acteur_de(base, jeton) is None  # at once, despite the remembered verification
    avant = empreinte_base(base)
    r = cmq("utilisateurs", "revoquer", "Camille")
    assert r.exit_code == 1 and "l'utilisateur « Camille » est déjà révoqué" in r.stderr
    r = cmq("utilisateurs", "revoquer", "Camile")
    assert r.exit_code == 1 and "utilisateur inconnu : « Camile ». Vouliez-vous dire : Camille ?" in r.stderr
    assert empreinte_base(base) == avant
    assert json.loads(cmq("utilisateurs", "liste", "--format", "json").stdout)[0]["revoque_le"] is not None


def test_base_non_initialisee(tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'absente.db'}")
    r = cmq("utilisateurs", "liste")
    assert r.exit_code == 1 and "base non initialisée : lancez `cmq init`" in r.stderr
    assert not (tmp_path / "absente.db").exists()


# --- authentication ------------------------------------------------------------------------------------


def test_authentifier(base):
    jeton = creer(base, "Camille", "editeur", "academie:10", expire_le=date(2099, 1, 1))
    assert acteur_de(base, jeton).nom == "Camille"
    assert acteur_de(base, f"  {jeton}\n").nom == "Camille"
    apres = datetime(2099, 1, 1, tzinfo=UTC)
    assert acteur_de(base, jeton, maintenant=apres - timedelta(seconds=1)).nom == "Camille"
    assert acteur_de(base, jeton, maintenant=apres) is None  # expired at 0 h UTC that day
    faux_secret = jeton[:-1] + ("A" if jeton[-1] != "A" else "B")
    prefixe_inconnu = "cmq_000000000000" + jeton[16:]
    for refuse in (faux_secret, prefixe_inconnu, jeton[:-1], jeton + "x", "", "cmq_", jeton.upper(), "é" * 60):
        assert acteur_de(base, refuse) is None, refuse


def test_expiration_changee_en_base_effet_immediat(base):
    jeton = creer(base, "Camille")
    assert acteur_de(base, jeton) is not None
    with db.session(base, ecriture=True) as s:
        s.execute(update(UtilisateurTable).values(expire_le=datetime(2000, 1, 1, tzinfo=UTC)))
    assert acteur_de(base, jeton) is None
    with db.session(base, ecriture=True) as s:
        s.execute(update(UtilisateurTable).values(expire_le=None))
        s.execute(update(PerimetreTable).values(perimetre="academie:08"))
    assert acteur_de(base, jeton).perimetres == ("academie:08",)  # scopes read again at each call


def test_revoquer_inconnu_bibliotheque(base):
    with db.session(base) as s, pytest.raises(IntrouvableError, match="utilisateur inconnu : « Personne »"):
        utilisateurs.revoquer(s, "Personne")


# --- CMQ_JETON: the command line acting for a user ---------------------------------------------------------


def test_editeur_ne_gere_pas_les_utilisateurs(base):
    jeton = creer(base, "Camille", "editeur", "france")
    admin_academie = creer(base, "Alix", "administrateur", "academie:10")
    avant = empreinte_base(base)
    for qui in (jeton, admin_academie):
        r = cmq("utilisateurs", "ajouter", "Dominique", "--role", "editeur", "--perimetre", "france", jeton=qui)
        assert r.exit_code == 3, r.output
        assert "n'est pas administrateur de la France : action réservée" in r.stderr and "cmq_" not in r.stdout
        r = cmq("utilisateurs", "revoquer", "Camille", jeton=qui)
        assert r.exit_code == 3 and "n'est pas administrateur de la France" in r.stderr
    assert empreinte_base(base) == avant


def test_administrateur_de_la_france_par_jeton(base):
    admin = creer(base, "Alix", "administrateur", "france")
    r = cmq("utilisateurs", "ajouter", "Dominique", "--role", "editeur", "--perimetre", "academie:03", jeton=admin)
    assert r.exit_code == 0 and acteur_de(base, r.stdout.strip()).perimetres == ("academie:03",)


def test_jeton_refuse_sortie_3(base):
    avant = empreinte_base(base)
    for faux in ("n'importe quoi", "cmq_000000000000_" + "a" * 43):
        r = cmq("alias", "ajouter", "campus btp lyon", "cmq-lyon", jeton=faux)
        assert r.exit_code == 3 and "jeton refusé (variable CMQ_JETON) : inconnu, révoqué ou expiré" in r.stderr
    assert empreinte_base(base) == avant


def test_alias_selon_le_perimetre(base):
    jeton = creer(base, "Camille", "editeur", "academie:10")
    r = cmq("alias", "ajouter", "campus btp lyon", "cmq-lyon", jeton=jeton)
    assert r.exit_code == 0 and "alias enregistré : « btp lyon » → cmq-lyon" in r.stdout
    assert cmq("alias", "ajouter", "campus doubs", "cmq-besancon").exit_code == 0  # local administrator
    avant = empreinte_base(base)
    for arguments, campus in (
        (("ajouter", "campus de franche comte", "cmq-besancon"), "cmq-besancon"),
        (("ajouter", "campus doubs", "cmq-lyon"), "cmq-besancon"),  # would take the alias of another campus
        (("supprimer", "campus doubs"), "cmq-besancon"),
    ):
        r = cmq("alias", *arguments, jeton=jeton)
        assert r.exit_code == 3, r.output
        assert f"« Camille » ne peut pas modifier le campus « {campus} » : hors de son périmètre" in r.stderr
    assert empreinte_base(base) == avant
    assert cmq("alias", "supprimer", "btp lyon", jeton=jeton).exit_code == 0


def test_import_selon_le_perimetre(base, tmp_path):
    jeton = creer(base, "Camille", "editeur", "academie:10")
    partenaires = tmp_path / "partenaires.csv"
    partenaires.write_text(
        "campus_id;nom;nature\ncmq-lyon;BTP Rhône;branche\ncmq-besancon;Doubs Industrie;entreprise\n"
    )
    lycees = tmp_path / "etablissements.csv"
    lycees.write_text("uai;nom;code_commune\n0690010L;Lycée d'essai;69123\n")
    campus = tmp_path / "campus.csv"
    campus.write_text(f"id;nom;filiere;region_academique;academies\ncmq-lyon;Campus de Lyon;{BTP};84;08\n")
    avant = empreinte_base(base)
    refus = (
        (("csv", str(partenaires), "--type", "partenaires"), "ne peut pas modifier le campus « cmq-besancon »"),
        (("csv", str(lycees), "--type", "etablissements"), "« Camille » n'est pas administrateur de la France"),
        (("csv", str(campus), "--type", "campus"), "ne peut pas modifier le campus « cmq-lyon »"),  # moved away
    )
    for arguments, message in refus:
        r = cmq("importer", *arguments, jeton=jeton)
        assert r.exit_code == 3, r.output
        assert message in r.stderr
    assert empreinte_base(base) == avant
    partenaires.write_text("campus_id;nom;nature\ncmq-lyon;BTP Rhône;branche\n")
    r = cmq("importer", "csv", str(partenaires), "--type", "partenaires", jeton=jeton)
    assert r.exit_code == 0 and "import réussi" in r.stdout
    assert cmq("importer", "csv", str(lycees), "--type", "etablissements").exit_code == 0  # local administrator


# --- backup and restore -----------------------------------------------------------------------------------


def test_sauvegarde_restauration_garde_le_jeton(base, genre_base, fabrique_bases, tmp_path):
    from cmq.store.sauvegarde import restaurer, sauvegarder

    jeton = creer(base, "Camille", "editeur", "academie:10", "campus:cmq-besancon", expire_le=date(2099, 1, 1))
    sauvegarder(tmp_path / "sauvegarde.zip", base)
    cible = fabrique_bases(genre_base)
    restaurer(tmp_path / "sauvegarde.zip", cible)
    utilisateurs.oublier()
    acteur = acteur_de(cible, jeton)
    assert (acteur.nom, acteur.perimetres) == ("Camille", ("academie:10", "campus:cmq-besancon"))
    with db.session(cible) as s:
        assert utilisateurs.lister(s)[0].expire_le == datetime(2099, 1, 1, tzinfo=UTC)
    assert acteur_de(cible, jeton, maintenant=datetime(2099, 1, 1, tzinfo=UTC)) is None
    db.moteur(cible).dispose()


def test_cmq_serve_annonce_l_ecriture(base, monkeypatch):
    from cmq.cli.serve import _ecriture

    monkeypatch.delenv("CMQ_API_JETON", raising=False)
    assert _ecriture(base) == "désactivée (CMQ_API_JETON non défini) : aucun utilisateur dans la base"
    creer(base, "Camille")
    assert _ecriture(base) == "activée (jetons des utilisateurs de la base ; CMQ_API_JETON non défini)"
    monkeypatch.setenv("CMQ_API_JETON", "un-jeton")
    assert _ecriture(base) == "activée (jeton configuré)"
