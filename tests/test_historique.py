"""Every write path records its changes in the same transaction: refused writes record nothing,
identical re-imports record nothing, an alias move is two changes, an annuaire import none."""

import pytest
from sqlalchemy import func, select

from cmq import alias
from cmq.errors import ErreurImport, IntrouvableError
from cmq.importation.pipeline import importer_lignes
from cmq.models import Acteur
from cmq.store import db, historique
from cmq.store.tables import ChangementTable
from tests.test_historique_au import COLONNES, V1, _importer

BOB = Acteur(nom="Bob", role="editeur", utilisateur_id=None)


def _nombre(url: str) -> int:
    with db.session(url) as s:
        return s.scalar(select(func.count()).select_from(ChangementTable))


def test_import_refuse_n_enregistre_rien(base_vide):
    lignes = [dict(zip(COLONNES, ligne, strict=True)) for ligne in V1]
    lignes[1]["filiere"] = "astrologie"
    with pytest.raises(ErreurImport, match="import refusé : 1 ligne rejetée sur 2, rien n'a été écrit"):
        importer_lignes(lignes, colonnes=COLONNES, source="v1.csv", type_import="campus", url=base_vide)
    assert _nombre(base_vide) == 0


def test_reimport_identique_n_enregistre_rien_et_acteur_transmis(base_vide):
    _importer(base_vide, V1, "v1.csv")
    avant = _nombre(base_vide)
    assert avant == 3  # two campuses, one support member
    lignes = [dict(zip(COLONNES, ligne, strict=True)) for ligne in V1]
    rapport = importer_lignes(
        lignes, colonnes=COLONNES, source="v1-bis.csv", type_import="campus", url=base_vide, acteur=BOB
    )
    assert (rapport.inserees, rapport.mises_a_jour) == (0, 0)
    assert _nombre(base_vide) == avant
    lignes[0]["nom"] = "Campus A renommé"
    importer_lignes(lignes, colonnes=COLONNES, source="v1-ter.csv", type_import="campus", url=base_vide, acteur=BOB)
    with db.session(base_vide) as s:
        [dernier] = historique.lire(s, limite=1)
    assert (dernier.auteur, dernier.source, dernier.cle) == ("Bob", "v1-ter.csv", "cmq-a")
    assert [(v.champ, v.avant, v.apres) for v in dernier.champs] == [("nom", "Campus A", "Campus A renommé")]


def test_import_d_annuaire_sans_historique(base_vide):
    lignes = [{"uai": "0690001B", "nom": "Lycée A", "code_commune": "69123"}]
    rapport = importer_lignes(lignes, colonnes=list(lignes[0]), source="annuaire.csv", url=base_vide)
    assert rapport.type_import == "etablissements" and rapport.inserees == 1
    assert _nombre(base_vide) == 0


def test_alias_deplace_puis_refus(base_vide):
    _importer(base_vide, V1, "v1.csv")
    avant = _nombre(base_vide)
    alias.ajouter("CMQ numérique Lyon", "cmq-a", url=base_vide, acteur=BOB, source="courriel du 3 mars")
    alias.ajouter("cmq numerique lyon", "cmq-a", url=base_vide)  # same campus: nothing changes
    alias.ajouter("cmq numerique lyon", "cmq-b", url=base_vide)  # a move: removal + creation
    with pytest.raises(IntrouvableError, match="campus inconnu : cmq-z"):
        alias.ajouter("autre", "cmq-z", url=base_vide)
    with pytest.raises(IntrouvableError, match="alias inconnu"):
        alias.supprimer("jamais vu", url=base_vide)
    assert _nombre(base_vide) == avant + 3
    with db.session(base_vide) as s:
        a, b = historique.lire(s, campus_id="cmq-a"), historique.lire(s, campus_id="cmq-b")
    assert [(c.objet, c.action, c.cle, c.auteur, c.source) for c in a[:2]] == [
        ("alias", "suppression", "numerique lyon", "ligne de commande", "ligne de commande : cmq alias"),
        ("alias", "creation", "numerique lyon", "Bob", "courriel du 3 mars"),
    ]
    assert [(c.objet, c.action) for c in b[:1]] == [("alias", "creation")]
    assert b[0].id == a[0].id + 1
