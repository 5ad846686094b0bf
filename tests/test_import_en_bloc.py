"""Establishments imported in bulk (polars frame) give exactly what the per-row pipeline gives."""

import csv
import random

import polars as pl
import pytest
from sqlalchemy import select

from cmq.errors import ErreurImport
from cmq.importation import colonnes, conversion
from cmq.importation.conversion_bloc import convertir_etablissements, une_a_une
from cmq.importation.fichier import importer_fichier
from cmq.importation.pipeline import importer_lignes
from cmq.store import db, ecriture
from cmq.store.tables import EtablissementTable
from cmq.tableau import lire_tableau
from tests.import_outils import historique, instantane

# Values of each column, ordinary and odd: every branch of the converter, valid or not.
VALEURS = {
    "UAI": [
        "0690026D",
        "0690026d",
        " 0690026D ",
        "0690026E",
        "069002",
        "",
        "  ",
        "0690-026D",
        "６90026D",
        "0592926K",
        "9740002J",
        "6200002H",
        "abcdefgh",
        "0690026D\u3000",
        "\x1c0690026D",
    ],
    "Nom": ["Lycée A", "", " ", " Lycée B ", "\u3000", "x"],
    "Type": ["LPO", "", " Lycée "],
    "Statut": ["Public", "Privé sous contrat", "", "public", "Autre", "PRIVE"],
    "Code commune": [
        "69381",
        "2A004",
        "2a004",
        "97422",
        "97722",
        "20004",
        "00123",
        "96123",
        "69 381",
        "",
        "6938",
        "١٢٣٤٥",
        "95001",
        "01001",
    ],
    "Commune": ["Lyon", "", " Ajaccio "],
    "Code postal": ["69001", "2000", "", " 2000 ", "²000", "١٢٣٤", "abcd", "97430"],
    "Code département": ["069", "69", "02A", "2A", "974", "099", "", "Rhône", "rhone", "975", " 059 ", "20"],
    "Code académie": ["10", "", "9", "Lyon", "99", "Caen"],
    "Code région": ["84", "", "Auvergne-Rhône-Alpes", "99", "04"],
    "Latitude": [
        "45.76",
        "",
        "45,76",
        "-21.2779",
        "95",
        "abc",
        "+45.5",
        "-0",
        "1e2",
        "45.",
        ".5",
        "inf",
        "nan",
        "90",
        "-90",
        "90.0000001",
        " 45.1 ",
        "0045.123456789012345678901",
    ],
    "Longitude": ["4.83", "", "180", "-180.5", "55.5176", "4,83", "1_0"],
    "position": ["", "45.7, 4.8", "95, 2", "abc", " "],
    "Etat": ["OUVERT", "FERME", "Fermée", "", "ferme ", "A OUVRIR"],
}


def ligne_a_ligne(conv, cadre):
    """The per-row converter over every row: (valid rows with their index, rejects, skipped)."""
    return une_a_une(conv, enumerate(cadre.rows(named=True)))


@pytest.mark.parametrize("graine", range(6))
def test_conversion_en_bloc_identique_a_la_conversion_ligne_a_ligne(graine):
    alea = random.Random(graine)
    for _ in range(40):
        noms = [c for c in VALEURS if c in ("UAI", "Nom") or alea.random() < 0.8]
        hauteur = alea.randint(0, 60)
        cadre = pl.DataFrame(
            {c: [alea.choice(VALEURS[c]) for _ in range(hauteur)] for c in noms}, schema=dict.fromkeys(noms, pl.String)
        )
        corr = colonnes.correspondre(noms, "etablissements")
        for inclure_fermes in (False, True):
            conv = conversion.convertisseur(corr, inclure_fermes=inclure_fermes)
            obtenu = convertir_etablissements(cadre, conv)
            assert (obtenu.valides.to_dicts(), obtenu.rejets, obtenu.ignorees) == ligne_a_ligne(conv, cadre)


def test_coordonnees_lues_comme_par_float():
    alea = random.Random(3)
    textes = [
        f"{alea.choice('+-') if alea.random() < 0.3 else ''}{alea.randint(0, 89)}.{alea.randint(0, 10**17)}"
        for _ in range(5000)
    ]
    cadre = pl.DataFrame({"UAI": ["0690026D"] * len(textes), "Nom": ["a"] * len(textes), "Latitude": textes})
    conv = conversion.convertisseur(colonnes.correspondre(cadre.columns, "etablissements"))
    obtenu = convertir_etablissements(cadre, conv)
    assert obtenu.valides.get_column("latitude").to_list() == [float(t) for t in textes]


ENTETE = [
    "identifiant_de_l_etablissement",
    "nom_etablissement",
    "statut_public_prive",
    "code_postal",
    "code_commune",
    "code_departement",
    "code_academie",
    "code_region",
    "latitude",
    "longitude",
    "etat",
]


def annuaire(nombre: int, graine: int = 1, defauts: int = 0) -> list[list[str]]:
    """`nombre` valid establishment rows (UAIs of the Rhône), plus `defauts` odd or invalid ones."""
    alea = random.Random(graine)
    lignes = []
    for i in range(nombre):
        chiffres = f"069{i:04d}"
        uai = chiffres + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(chiffres) % 23]
        lignes.append(
            [
                uai,
                f"École {i}",
                alea.choice(["Public", "Privé"]),
                "69001",
                f"69{alea.randint(1, 299):03d}",
                "069",
                "10",
                "84",
                f"{45 + alea.random():.6f}",
                f"{4 + alea.random():.6f}",
                alea.choice(["OUVERT"] * 20 + ["FERME"]),
            ]
        )
    for _ in range(defauts):
        ligne = list(alea.choice(lignes))
        j = alea.randrange(len(ENTETE))
        ligne[j] = alea.choice(["", "x", "0690000A", "099", "2A", "95.5", "45,5", "6900", "69 001"])
        lignes.insert(alea.randrange(len(lignes)), ligne)
    return lignes


def ecrire(chemin, lignes):
    with open(chemin, "w", encoding="utf-8-sig", newline="") as flux:
        ecrivain = csv.writer(flux, delimiter=";")
        ecrivain.writerow(ENTETE)
        ecrivain.writerows(lignes)
    return chemin


def resume(rapport):
    return (
        rapport.statut,
        rapport.lues,
        rapport.inserees,
        rapport.mises_a_jour,
        rapport.inchangees,
        rapport.rejetees,
        rapport.ignorees,
        [(r.numero, r.raison, r.ligne) for r in rapport.rejets],
    )


def importer_par_ligne(chemin, url, **options):
    """The same file through the per-row pipeline (rows as dicts), the reference."""
    t = lire_tableau(chemin)
    return importer_lignes(
        t.lignes,
        colonnes=t.colonnes,
        numeros=t.numeros,
        source=str(chemin.resolve()),
        type_import="etablissements",
        url=url,
        **options,
    )


def test_gros_annuaire_comme_ligne_a_ligne(base_vide, tmp_path):
    """6,000 rows (full-table scan of the stored rows) on SQLite and PostgreSQL, then a changed file."""
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    lignes = annuaire(6000, defauts=40)
    fichier = ecrire(tmp_path / "annuaire.csv", lignes)
    options = {"partiel": True, "rapport": tmp_path / "rejets.csv"}
    premier = importer_fichier(fichier, type_import="etablissements", url=base_vide, **options)
    attendu = importer_par_ligne(fichier, reference, partiel=True, rapport_rejets=tmp_path / "rejets_ref.csv")
    assert resume(premier) == resume(attendu)
    assert premier.rejetees > 0 and premier.ignorees > 0 and premier.inserees > 5000
    assert (tmp_path / "rejets.csv").read_bytes() == (tmp_path / "rejets_ref.csv").read_bytes()
    assert instantane(base_vide) == instantane(reference)

    lignes = [ligne for ligne in annuaire(6000) if ligne[-1] != "FERME"]
    for ligne in lignes[:25]:
        ligne[1] += " (nouveau nom)"
    lignes += annuaire(6010)[-10:]
    ecrire(fichier, lignes)
    second = importer_fichier(fichier, type_import="etablissements", url=base_vide)
    attendu = importer_par_ligne(fichier, reference)
    assert resume(second) == resume(attendu)
    assert second.inserees >= 10 and second.mises_a_jour >= 25 and second.inchangees > 5000
    assert instantane(base_vide) == instantane(reference)
    assert [h.statut for h in historique(base_vide)] == ["partiel", "ok"]


def test_rejets_en_bloc_refusent_tout_et_donnent_les_lignes(base_vide, tmp_path):
    lignes = annuaire(20)
    lignes[4][0] = "0690004A"
    lignes[9][5] = "099"
    avant = instantane(base_vide)
    with pytest.raises(ErreurImport) as erreur:
        importer_fichier(ecrire(tmp_path / "a.csv", lignes), url=base_vide)
    message = str(erreur.value)
    assert "2 lignes rejetées sur 20, rien n'a été écrit" in message
    assert "ligne 6 : UAI invalide « 0690004A » : lettre de contrôle « A », « E » attendue" in message
    assert "ligne 11 : territoire inconnu (département) : « 099 »" in message
    assert instantane(base_vide) == avant
    assert historique(base_vide)[-1].statut == "echec"


def test_upsert_cadre_compte_comme_upsert(depot_vide):
    lignes = [{"uai": "0690026D", "nom": "A", "latitude": 45.5}, {"uai": "0690027E", "nom": "B", "latitude": None}]
    cadre = pl.DataFrame(lignes, schema={"uai": pl.String, "nom": pl.String, "latitude": pl.Float64})
    bilan = ecriture.upsert_cadre(depot_vide, EtablissementTable, cadre, ("uai",))
    assert (bilan.inserees, bilan.mises_a_jour, bilan.inchangees) == (2, 0, 0)
    bilan = ecriture.upsert_cadre(depot_vide, EtablissementTable, cadre, ("uai",))
    assert (bilan.inserees, bilan.mises_a_jour, bilan.inchangees) == (0, 0, 2)
    change = cadre.with_columns(pl.when(pl.col("uai") == "0690027E").then(44.0).otherwise("latitude").alias("latitude"))
    double = pl.concat([change, change.head(1).with_columns(pl.lit("A2").alias("nom"))])  # the last one wins
    bilan = ecriture.upsert_cadre(depot_vide, EtablissementTable, double, ("uai",))
    assert (bilan.inserees, bilan.mises_a_jour, bilan.inchangees) == (0, 2, 0)
    assert (
        ecriture.upsert_cadre(depot_vide, EtablissementTable, double, ("uai",), inserer_seulement=True).inchangees == 2
    )
    stockes = {e.uai: (e.nom, e.latitude) for e in depot_vide.scalars(select(EtablissementTable))}
    assert stockes == {"0690026D": ("A2", 45.5), "0690027E": ("B", 44.0)}


def test_departement_deduit_du_code_commune(base_vide, tmp_path):
    """No département column, or an empty cell: the commune's département, its académie and région académique."""
    from cmq import territoires

    fichier = tmp_path / "sans_departement.csv"
    lignes = [
        ["0690026D", "Lycée du Parc", "69123", "", ""],
        ["6200002H", "Lycée Fesch", "2A004", "", ""],
        ["9740002J", "Lycée Leconte-de-Lisle", "97411", "", ""],
        ["0010001W", "Lycée Lalande", "01053", "", "Grenoble"],  # académie given: kept
        ["0592926K", "Lycée de Douai", "59178", "62", ""],  # département given: kept
        ["0692165D", "Lycée sans commune", "", "", ""],
    ]
    with open(fichier, "w", encoding="utf-8", newline="") as flux:
        ecrivain = csv.writer(flux, delimiter=";")
        ecrivain.writerow(["UAI", "Nom", "Code commune", "Code département", "Académie"])
        ecrivain.writerows(lignes)
    bloc = importer_fichier(fichier, url=base_vide)
    assert (bloc.statut, bloc.inserees) == ("ok", 6)
    with db.session(base_vide) as s:
        stockes = {
            e.uai: (e.departement, e.academie, e.region_academique) for e in s.scalars(select(EtablissementTable))
        }

    def attendu(code: str, academie: str | None = None) -> tuple[str, str, str]:
        d = territoires.departement(code)
        a = territoires.academie(academie) if academie else territoires.academie(d.academie)
        return d.code, a.code, a.region_academique

    assert stockes == {
        "0690026D": attendu("69"),
        "6200002H": attendu("2A"),
        "9740002J": attendu("974"),
        "0010001W": attendu("01", "Grenoble"),
        "0592926K": attendu("62"),
        "0692165D": (None, None, None),
    }
    assert stockes["6200002H"][0] == "2A" and stockes["9740002J"][0] == "974"
    reference = f"sqlite:///{tmp_path / 'reference.db'}"  # the per-row pipeline gives the same rows
    importer_par_ligne(fichier, reference)
    assert instantane(reference) == instantane(base_vide)
