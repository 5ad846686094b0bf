"""Orion glossary entries: parsing like tjp-pilotage, byte-exact rendering, errors, script and CLI."""

import hashlib
import importlib.util
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cmq import filieres, glossaire
from cmq.cli import app
from cmq.errors import EntreeInvalide, FichierIllisible, IntrouvableError

RACINE = Path(__file__).resolve().parent.parent
PAQUET = RACINE / "src" / "cmq" / "data" / "glossaire" / "cmq.md"
PARTAGE = RACINE.parent / "shared" / "docs" / "cmq.md"
# SHA-256 of Orion's cmq.md (tjp-pilotage server/src/modules/glossaire/entries/cmq.md, 2,396 bytes).
EMPREINTE_CMQ = "eec21f289d9cdc8000c57588e1dfe93f21b3ab8a3aebe0fbc9eca07eec4db841"

ENTREE = """---
Type d'indicateur: InserJeunes
Created by: Oriana
statut: validé
title: Quadrant (Q1 à Q4)
icon: ri:gallery-view-2
---

> La position d’une formation sur le quadrant…
"""


def _script():
    spec = importlib.util.spec_from_file_location("copier_glossaire", RACINE / "scripts" / "copier_glossaire.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _etat(dossier: Path) -> dict[str, bytes]:
    return {str(p.relative_to(dossier)): p.read_bytes() for p in sorted(dossier.rglob("*")) if p.is_file()}


# --- the packaged CMQ entry ---


def test_fichier_empaquete_est_celui_d_orion():
    octets = PAQUET.read_bytes()
    assert len(octets) == 2396
    assert hashlib.sha256(octets).hexdigest() == EMPREINTE_CMQ
    assert glossaire.texte_brut("cmq").encode("utf-8") == octets


def test_fichier_empaquete_identique_au_partage():
    if not PARTAGE.exists():
        pytest.skip("dossier shared/ absent (hors de l'environnement de développement)")
    assert PAQUET.read_bytes() == PARTAGE.read_bytes()


def test_entree_cmq_champs_orion():
    entree = glossaire.entree("cmq")
    assert list(entree.model_dump()) == ["title", "type", "createdBy", "status", "content", "icon", "slug"]
    assert (entree.title, entree.type, entree.createdBy, entree.status, entree.icon, entree.slug) == (
        "CMQ",
        "Acteurs",
        "AlbaneC",
        "validé",
        "ri:seedling-line",
        "cmq",
    )
    # gray-matter drops the line break right after the closing "---": the body keeps the blank line.
    assert entree.content.startswith("\n> Les **Campus des Métiers et des Qualifications (CMQ)** regroupent")
    assert entree.content.endswith("qualifications-3134)\n")
    assert glossaire.texte_brut("cmq").endswith("---\n" + entree.content)


def test_entree_cmq_liste_les_12_filieres_du_referentiel():
    lignes = re.findall(r"^- \[(.+)\]\((https://[^)]+)\)$", glossaire.entree("cmq").content, re.MULTILINE)
    # Orion's text has a no-break space in one label; cmq.filieres uses a plain space there.
    assert lignes[7][0] == "Systèmes innovants,\u00a0mécatronique"
    assert [(libelle.replace("\u00a0", " "), url) for libelle, url in lignes] == [
        (f.libelle, f.url) for f in filieres.all()
    ]


def test_rendre_reproduit_l_entree_octet_pour_octet():
    assert glossaire.rendre(glossaire.entree("cmq")).encode("utf-8") == PAQUET.read_bytes()
    assert glossaire.rendre(glossaire.parse(glossaire.texte_brut("cmq"))) == glossaire.texte_brut("cmq")


def test_rendre_avec_chiffres():
    brut = glossaire.texte_brut("cmq")
    bloc = "| Indicateur | Valeur |\n|---|---|\n| Campus | 3 |"
    attendu = brut + "\n" + bloc + "\n"  # the body ends with one "\n": one blank line in between
    entree = glossaire.entree("cmq")
    assert glossaire.rendre(entree, avec_chiffres=bloc) == attendu
    assert glossaire.rendre(entree, avec_chiffres="\n" + bloc + "\n\n") == attendu
    assert glossaire.rendre(entree, avec_chiffres=None) == brut
    assert glossaire.rendre(entree, avec_chiffres="") == brut


def test_entrees_disponibles_sans_readme():
    assert glossaire.entrees() == ["cmq"]
    assert (PAQUET.parent / "README.md").exists()


@pytest.mark.parametrize("slug", ["inconnu", "README", "../glossaire/cmq", "CMQ", ""])
def test_entree_inconnue(slug):
    motif = f"entrée de glossaire inconnue « {re.escape(slug)} » ; disponibles : cmq"
    with pytest.raises(IntrouvableError, match=motif):
        glossaire.entree(slug)


# --- parsing, as tjp-pilotage does with gray-matter ---


def test_parse_et_aller_retour():
    entree = glossaire.parse(ENTREE, slug="quadrant-q1-a-q4")
    assert entree.title == "Quadrant (Q1 à Q4)" and entree.icon == "ri:gallery-view-2"
    assert entree.content == "\n> La position d’une formation sur le quadrant…\n"
    assert glossaire.rendre(entree) == ENTREE
    assert glossaire.parse(glossaire.rendre(entree), slug=entree.slug) == entree


def test_parse_slug_par_defaut_depuis_le_titre():
    assert glossaire.parse(ENTREE).slug == "quadrant-q1-a-q4"
    assert glossaire.parse(glossaire.texte_brut("cmq")).slug == "cmq"


def test_rendre_cite_les_valeurs_ambigues():
    entree = glossaire.parse(ENTREE).model_copy(update={"title": "Taux : 2024", "createdBy": "12"})
    texte = glossaire.rendre(entree)
    assert "title: 'Taux : 2024'\n" in texte and "Created by: '12'\n" in texte
    assert glossaire.parse(texte, slug=entree.slug) == entree


@pytest.mark.parametrize(
    ("texte", "contenu"),
    [
        (ENTREE.replace("---\n\n>", "---\n>"), "> La position d’une formation sur le quadrant…\n"),
        (ENTREE.replace("\n", "\r\n"), "\r\n> La position d’une formation sur le quadrant…\r\n"),
        ("\ufeff" + ENTREE, "\n> La position d’une formation sur le quadrant…\n"),
        (ENTREE.replace("---\n", "---yaml\n", 1), "\n> La position d’une formation sur le quadrant…\n"),
        (ENTREE.split("\n---\n")[0] + "\n---", ""),
    ],
    ids=["sans-ligne-vide", "crlf", "bom", "langue-yaml", "corps-vide"],
)
def test_parse_comme_gray_matter(texte, contenu):
    entree = glossaire.parse(texte)
    assert entree.content == contenu
    assert entree.status == "validé"


@pytest.mark.parametrize(
    ("texte", "motif"),
    [
        ("---\ntitle: CMQ\nstatut: validé\n", "front matter non fermé : ligne « --- » de fin introuvable"),
        ("---", "front matter non fermé"),
        ("---toml\ntitle = 'x'\n---\n", "front matter en « toml » non pris en charge : YAML attendu"),
        (
            "---\ntitle: CMQ\nstatut: [validé\n---\n",
            "YAML invalide dans le front matter \\(ligne 3 du fichier\\) : expected ',' or ']'",
        ),
        ("---\ntitle: CMQ\n  icon: x: y\n---\n", "YAML invalide dans le front matter \\(ligne 3 du fichier\\)"),
        ("---\n- CMQ\n- Acteurs\n---\n", "suite de lignes « clé: valeur », pas un list"),
        ("---\nCMQ\n---\n", "suite de lignes « clé: valeur », pas un str"),
        (
            ENTREE.replace("title: Quadrant (Q1 à Q4)", "title: 2024"),
            "la clé « title » doit être un texte, reçu : 2024",
        ),
        (ENTREE.replace("statut: validé", "statut: [a, b]"), "la clé « statut » doit être un texte"),
    ],
)
def test_parse_erreurs(texte, motif):
    with pytest.raises(EntreeInvalide, match=motif):
        glossaire.parse(texte)


# Orion reads every field as `data[clé] ?? ""` (gray-matter): missing or empty fields are "".
SANS_ICONE = ENTREE.replace("icon: ri:gallery-view-2\n", "")
CHAMPS_FACULTATIFS = [
    ("# CMQ\n\nTexte", ("", "", "", "", "", "# CMQ\n\nTexte")),  # no front matter: the whole file is the content
    ("", ("", "", "", "", "", "")),
    ("----\ntitle: x\n----\n", ("", "", "", "", "", "----\ntitle: x\n----\n")),
    ("---\n---\n", ("", "", "", "", "", "")),
    ("---\n# commentaire\n---\n", ("", "", "", "", "", "")),
    ("---\nCreated by: Oriana\n---\n\n> Définition rapide\n", ("", "", "Oriana", "", "", "\n> Définition rapide\n")),
    (
        SANS_ICONE,
        (
            "Quadrant (Q1 à Q4)",
            "InserJeunes",
            "Oriana",
            "validé",
            "",
            "\n> La position d’une formation sur le quadrant…\n",
        ),
    ),
    (
        ENTREE.replace("icon: ri:gallery-view-2", "icon:").replace("statut: validé\n", "Statut: validé\n"),
        ("Quadrant (Q1 à Q4)", "InserJeunes", "Oriana", "", "", "\n> La position d’une formation sur le quadrant…\n"),
    ),
]


@pytest.mark.parametrize(("texte", "champs"), CHAMPS_FACULTATIFS)
def test_parse_champs_facultatifs_comme_orion(texte, champs):
    entree = glossaire.parse(texte, slug="entree")
    assert (entree.title, entree.type, entree.createdBy, entree.status, entree.icon, entree.content) == champs
    assert entree.slug == "entree"


def test_parse_sans_titre_ni_nom_de_fichier():
    with pytest.raises(EntreeInvalide, match="slug\\) de l'entrée vide : sans titre, donnez le nom du fichier"):
        glossaire.parse("---\nCreated by: Oriana\n---\n")


def test_cli_parse_entree_du_gabarit_d_orion(tmp_path):
    chemin = tmp_path / "template-definition.md"
    chemin.write_bytes("---\nCreated by: Oriana\n---\n\n> Définition rapide\n> \n".encode())
    resultat = runner.invoke(app, ["glossaire", "parse", str(chemin), "--json"])
    assert resultat.exit_code == 0, resultat.output
    assert json.loads(resultat.stdout) == {
        "title": "",
        "type": "",
        "createdBy": "Oriana",
        "status": "",
        "content": "\n> Définition rapide\n> \n",
        "icon": "",
        "slug": "template-definition",
    }


def test_parse_slug_vide_refuse():
    with pytest.raises(EntreeInvalide, match="identifiant \\(slug\\) de l'entrée vide"):
        glossaire.parse(ENTREE.replace("Quadrant (Q1 à Q4)", "« … »"))


# --- files ---


def test_parse_fichier_slug_du_nom(tmp_path):
    chemin = tmp_path / "taux-de-pression.md"
    chemin.write_bytes(ENTREE.encode("utf-8"))
    entree = glossaire.parse_fichier(chemin)
    assert entree.slug == "taux-de-pression" and entree.title == "Quadrant (Q1 à Q4)"
    assert glossaire.parse_fichier(str(chemin)) == entree


@pytest.mark.parametrize(
    ("nom", "contenu", "erreur", "motif"),
    [
        ("absent.md", None, FichierIllisible, "fichier introuvable : .*absent.md"),
        (
            "latin1.md",
            ENTREE.encode("latin-1", errors="replace"),
            FichierIllisible,
            "latin1.md n'est pas en UTF-8 \\(octet 0xe9 en position 67\\)",
        ),
        ("non-ferme.md", b"---\ntitle: CMQ\n", EntreeInvalide, "^non-ferme.md : front matter non fermé"),
        ("yaml.md", b"---\ntitle: 'CMQ\n---\n", EntreeInvalide, "^yaml.md : YAML invalide dans le front matter"),
    ],
)
def test_parse_fichier_erreurs(tmp_path, nom, contenu, erreur, motif):
    chemin = tmp_path / nom
    if contenu is not None:
        chemin.write_bytes(contenu)
    avant = _etat(tmp_path)
    with pytest.raises(erreur, match=motif):
        glossaire.parse_fichier(chemin)
    assert _etat(tmp_path) == avant


def test_parse_fichier_dossier(tmp_path):
    with pytest.raises(FichierIllisible, match="est un dossier, pas un fichier"):
        glossaire.parse_fichier(tmp_path)


# --- scripts/copier_glossaire.py ---


def test_script_copie_octet_pour_octet(tmp_path, capsys):
    source = tmp_path / "cmq.md"
    source.write_bytes(PAQUET.read_bytes())
    destination = tmp_path / "paquet" / "glossaire" / "cmq.md"
    assert _script().main([str(source), "--destination", str(destination)]) == 0
    assert destination.read_bytes() == PAQUET.read_bytes()
    assert destination.stat().st_mode & 0o777 == 0o644
    assert "copié dans" in capsys.readouterr().out
    assert _script().main([str(source), "--destination", str(destination), "--verifier"]) == 0
    assert sorted(p.name for p in destination.parent.iterdir()) == ["cmq.md"]  # no temporary file left


def test_script_chemins_par_defaut():
    script = _script()
    assert script.SOURCE == RACINE.parent / "shared" / "docs" / "cmq.md"
    assert script.DESTINATION == PAQUET


@pytest.mark.parametrize(
    ("contenu", "motif"),
    [
        (b"# sans front matter\n", "le rendu de l'entrée analysée diffère du fichier"),
        (
            ENTREE.replace("title: Quadrant (Q1 à Q4)", "title:   Quadrant (Q1 à Q4)").encode(),
            "le rendu de l'entrée analysée diffère du fichier",
        ),
        (b"\xff\xfe---\n", "n'est pas en UTF-8"),
    ],
)
def test_script_refuse_une_source_invalide(tmp_path, capsys, contenu, motif):
    source = tmp_path / "source.md"
    source.write_bytes(contenu)
    destination = tmp_path / "destination.md"
    destination.write_bytes(b"ancien")
    assert _script().main([str(source), "--destination", str(destination)]) == 1
    assert re.search(motif, capsys.readouterr().err)
    assert destination.read_bytes() == b"ancien"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["destination.md", "source.md"]


def test_script_verifier_signale_une_copie_differente(tmp_path, capsys):
    source = tmp_path / "cmq.md"
    source.write_bytes(PAQUET.read_bytes())
    destination = tmp_path / "copie.md"
    destination.write_bytes(PAQUET.read_bytes() + b"\n")
    assert _script().main([str(source), "--destination", str(destination), "--verifier"]) == 1
    assert "diffère de" in capsys.readouterr().err
    assert destination.read_bytes() == PAQUET.read_bytes() + b"\n"


# --- CLI ---

runner = CliRunner()


@pytest.mark.parametrize("arguments", [["glossaire", "cmq"], ["glossaire", "afficher", "cmq"]])
def test_cli_affiche_cmq_octet_pour_octet(arguments):
    resultat = runner.invoke(app, arguments)
    assert resultat.exit_code == 0, resultat.output
    assert resultat.stdout_bytes == PAQUET.read_bytes()


def test_cli_liste():
    resultat = runner.invoke(app, ["glossaire", "liste"])
    assert resultat.exit_code == 0
    for mot in ("Identifiant", "cmq", "CMQ", "Acteurs", "validé"):
        assert mot in resultat.stdout


def test_cli_parse_json(tmp_path):
    chemin = tmp_path / "quadrant-q1-a-q4.md"
    chemin.write_bytes(ENTREE.encode())
    resultat = runner.invoke(app, ["glossaire", "parse", str(chemin), "--json"])
    assert resultat.exit_code == 0
    assert json.loads(resultat.stdout) == glossaire.parse_fichier(chemin).model_dump()
    assert '"status": "validé"' in resultat.stdout and '\n  "slug": "quadrant-q1-a-q4"\n' in resultat.stdout
    assert list(json.loads(resultat.stdout)) == ["title", "type", "createdBy", "status", "content", "icon", "slug"]


def test_cli_parse_tableau():
    resultat = runner.invoke(app, ["glossaire", "parse", str(PAQUET)])
    assert resultat.exit_code == 0
    for mot in ("createdBy", "AlbaneC", "ri:seedling-line", "17 lignes, 2260 caractères"):
        assert mot in resultat.stdout


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("absent.md", None, "Erreur : fichier introuvable"),
        ("latin1.md", "é".encode("latin-1"), "Erreur : fichier illisible"),
        ("cle.md", b"---\ntitle: 2024\n---\n", "Erreur : cle.md : la clé « title » doit être un texte, reçu : 2024"),
    ],
)
def test_cli_parse_erreurs(tmp_path, nom, contenu, message):
    chemin = tmp_path / nom
    if contenu is not None:
        chemin.write_bytes(contenu)
    avant = _etat(tmp_path)
    resultat = runner.invoke(app, ["glossaire", "parse", str(chemin), "--json"])
    assert resultat.exit_code == 1
    assert message in resultat.stderr
    assert resultat.stdout == ""
    assert "Traceback" not in resultat.output
    assert _etat(tmp_path) == avant


def test_cli_entree_inconnue():
    avant = PAQUET.read_bytes()
    resultat = runner.invoke(app, ["glossaire", "inconnu"])
    assert resultat.exit_code == 1
    assert "Erreur : entrée de glossaire inconnue « inconnu » ; disponibles : cmq" in resultat.stderr
    assert resultat.stdout == ""
    assert PAQUET.read_bytes() == avant
