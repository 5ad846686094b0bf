"""`cmq.resolve`: free-text mentions of the real embedded campuses -> directory ids."""

import json

import pytest
from typer.testing import CliRunner

from cmq.cli import app
from cmq.errors import EntreeInvalide, FiliereInconnue, TerritoireInconnu
from cmq.mentions import analyser, cle_alias, racine
from cmq.resolve import Contexte, Fiche, Index, Lieux, resolve

# Spellings users type (abbreviations, missing words, typos, word order, with/without "CMQ"…) -> id.
ORTHOGRAPHES = [
    ("Mobicampus", "mobicampus"),
    ("MOBICAMPUS", "mobicampus"),
    ("mobi campus", "mobicampus"),
    ("CMQ automobile et mobilités du futur", "mobicampus"),
    ("Campus des métiers et des qualifications Urbanisme et Construction", "urbanisme-et-construction"),
    ("construction et urbanisme", "urbanisme-et-construction"),
    ("CMQ Numérique et Photonique", "numerique-et-photonique-lannion"),
    ("numerique photonique lannion", "numerique-et-photonique-lannion"),
    ("Campus numérique & photonique de Lannion", "numerique-et-photonique-lannion"),
    ("CMQE industries de la mer Brest", "industries-de-la-mer-brest"),
    ("CMQ alimentaire Quimper", "filiere-alimentaire-quimper"),
    ("filiere alimentare quimper", "filiere-alimentaire-quimper"),
    ("Bâtiment durable (Rennes)", "batiment-durable-rennes"),
    ("educaton artistique et culturelle", "education-artistique-et-culturelle-guingamp"),
    ("Design et industries créatives", "design-et-industries-creatives"),
    ("BTP usages numérique", "btp-et-usages-du-numerique"),
    ("tourisme pyreneen foix", "tourisme-pyreneen"),
    ("Tourisme et innovation", "tourisme-et-innovation"),
    ("campus tourisme hotellerie restauration nice", "tourisme-hotellerie-restauration-nice"),
    ("STAHR", "stahr"),
    ("stahr campus", "stahr"),
    ("Campus d'Excellence Energie durable", "cmq-edu"),
    ("CMQ EDU", "cmq-edu"),
    ("campus aéronautique nouvelle aquitaine", "aeronautique-nouvelle-aquitaine"),
    ("aéronautique et spatial Occitanie", "aeronautique-et-du-spatial-occitanie"),
    ("CMQ aero occitanie", "aeronautique-et-du-spatial-occitanie"),
    ("aeronotique spatial ocitanie", "aeronautique-et-du-spatial-occitanie"),
    ("campus aero toulouse", "aeronautique-et-du-spatial-occitanie"),
    ("PatMAT", "patmat"),
    ("patrimoines métiers d'art et tourisme", "patmat"),
    ("Métiers d'art et patrimoine", "metiers-d-art-et-patrimoine"),
    ("Cosmétopharma", "cosmetopharma"),
    ("cosmeto pharma", "cosmetopharma"),
    ("CMQ d'excellence CosmetoPharma", "cosmetopharma"),
    ("TransNum", "transnum"),
    ("transformation numérique", "transnum"),
    ("CMQ mecatronique capteurs objets connectes", "mecatronique-materiaux-intelligents-capteurs-et-objets-connectes"),
    ("Aérocampus Auvergne", "aerocampus"),
    ("aerocampus", "aerocampus"),
    ("métallurgie et plasturgie de Picardie", "metallurgie-et-de-la-plasturgie-de-picardie"),
    ("Plasticampus", "plasticampus"),
    ("plasti campus oyonnax", "plasticampus"),
    ("CMQ textile mode cuir", "textile-mode-cuir-et-design-rhone-alpes"),
    ("Auto'Mobilités", "auto-mobilites"),
    ("Gobelins", "art-et-design-gobelins"),
    ("Campus art et design Gobelins", "art-et-design-gobelins"),
    ("Versailles patrimoine artisanat", "versailles-patrimoine-et-artisanat"),
    ("métiers de la sécurité", "metiers-de-la-securite"),
    ("Autonomie & Inclusion", "autonomie-inclusion"),
    ("travaux publics Bruay", "travaux-publics-bruay-la-buissiere"),
    ("CMQ BTP HDF", "travaux-publics-bruay-la-buissiere"),
    ("Image numérique et industries créatives", "image-numerique-et-industries-creatives"),
    ("industrie et transition numérique", "industrie-et-transition-numerique"),
    ("autonomie longevite sante", "autonomie-longevite-sante"),
    ("bioraffinerie végétale", "bioraffinerie-vegetale-et-chimie-durable"),
    ("ferroviaire automobile éco-mobilité", "ferroviaire-industrie-automobile-et-eco-mobilite"),
    ("CMQ industrie des énergies Cherbourg", "industrie-des-energies-cherbourg"),
    ("Campus Propulsions Normandie", "propulsions-materiaux-et-systemes-embarques-campus-propulsions-normandie"),
    ("grenoble énergies", "grenoble-energies-campus"),
    ("CEITEDI", "ceitedi"),
    ("énergie et maintenance Thionville", "ceitedi"),
    ("CMQ du bois Épinal", "bois-epinal"),
    ("plasturgie Lorraine", "plasturgie-lorraine"),
    ("procédés et matériaux innovants", "procedes-et-materiaux-innovants"),
    ("développement culturel", "developpement-culturel"),
    ("campus aéronautique PACA", "aeronautique-provence-alpes-cote-d-azur"),
    ("FORMED", "formed"),
    ("relation client PACA", "relation-client-paca"),
    ("production culinaire terre-mer", "production-culinaire-terre-mer-et-gastronomie"),
    ("maintenance en environnement sensible", "maintenance-en-environnement-sensible"),
    ("Mécanic Vallée", "industrie-du-futur-mecanic-vallee"),
    ("process technologies milieux sensibles", "process-et-technologies-en-milieux-sensibles"),
    ("transition énergétique LRMP", "transition-energetique-lrmp"),
    ("habitat énergies renouvelables éco-construction", "habitat-des-energies-renouvelables-et-de-l-eco-construction"),
    ("gastronomie hôtellerie tourisme Occitanie", "gastronomie-hotellerie-tourisme-lrmp"),
    ("Nauti Campus Occitanie", "nauti-campus-occitanie"),
    ("Campus du nautisme", "nautisme-pays-de-la-loire"),
    ("Alimentation, goût, tourisme", "alimentation-gout-tourisme"),
    ("campus agroéquipement", "agroequipements"),
    ("génie civil éco-construction milieu tropical", "genie-civil-et-eco-construction-en-milieu-tropical"),
    ("solidarités et bien-être", "solidarites-et-bien-etre"),
    ("tourisme intégré Guadeloupe", "tourisme-integre-et-valorisation-de-la-guadeloupe"),
    ("audiovisuel et cinéma Guadeloupe", "audiovisuel-et-cinema-guadeloupe"),
    ("bois éco-construction éco-technologie", "bois-eco-construction-et-eco-technologie"),
    ("santé social bien-être Guyane", "sante-social-et-bien-etre-guyane"),
    ("aéronautique et spatial Guyane", "aeronautique-et-spatial-guyane"),
    ("santé autonomie bien vieillir", "sante-autonomie-bien-vieillir"),
    ("CMQ MSI", "cmq-msi"),
    ("microtechniques et systemes intelligents", "cmq-msi"),
    ("CMQ ICI", "cmq-ici"),
    ("industrie collaborative et innovante", "cmq-ici"),
    ("CMQ CDER", "cmq-cder"),
    ("campus régional du patrimoine bâti", "cmq-cder"),
    ("Design et industrie du futur", "design-et-industrie-du-futur"),
    ("aéronautique Pays de la Loire", "aeronautique-pays-de-la-loire"),
    ("CMQ mode pays de la loire", "mode-pays-de-la-loire"),
    (
        "aéronautique spatial conception production maintenance 4.0",
        "aeronautique-et-spatial-conception-production-maintenance-4-0",
    ),
    ("économie touristique Paris Val d'Europe", "economie-touristique-paris-val-d-europe"),
    ("tourisme paris", "economie-touristique-paris-val-d-europe"),
    ("CMQ2M", "cmq2m"),
    ("CMQ biotechnologies et bioindustries", "biotechnologies-et-bio-industries"),
    ("bio-industries", "biotechnologies-et-bio-industries"),
    ("CMQ energie et efficacite energetique", "energies-et-de-l-efficacite-energetique-fecamp"),
    ("efficacité énergétique Fécamp", "energies-et-de-l-efficacite-energetique-fecamp"),
    ("de la mer à la Martinique", "cmq2m"),
    # the 14 campuses added to the snapshot in December 2026
    ("campus 3A agrosciences Avignon", "3a-agrosciences-agroalimentaire-et-alimentation"),
    ("CMQ 3E", "eco-construction-et-efficacite-energetique-3e"),
    ("cmq agroalimentaire alsace", "agroalimentaires-grand-est-alsace"),
    ("campus Jean-Louis Martres", "foret-bois-d-aquitaine-campus-jean-louis-martres"),
    ("CMQ forêt bois Occitanie", "foret-bois-occitanie"),
    ("cmq thermalisme", "thermalisme-bien-etre-et-pleine-sante"),
    ("CMQ IED", "ied-informatique-et-electronique-de-demain"),
    ("cmq mecanique connectee", "mecanique-connectee"),
    ("Smart Energy Systems", "smart-energy-systems"),
    ("construction durable transfrontalier", "construction-durable-et-innovante-transfrontalier"),
    ("CMQ transition numérique et écologique construction", "transition-numerique-et-ecologique-dans-la-construction"),
    ("CMQ industrie du futur Île-de-France", "industrie-du-futur-ile-de-france"),
    ("campus de la mode Île-de-France", "mode-en-ile-de-france"),
    ("campus création numérique Saint-Denis", "metiers-de-la-creation-numerique-saint-denis"),
]


@pytest.mark.parametrize(("mention", "attendu"), ORTHOGRAPHES, ids=[m for m, _ in ORTHOGRAPHES])
def test_orthographes_reelles(base_embarquee, mention, attendu):
    r = resolve(mention, url=base_embarquee)
    assert (r.statut, r.campus_id) == ("trouve", attendu), r.candidats[:3]
    assert r.candidats[0].campus_id == attendu and r.score == r.candidats[0].score
    assert r.campus_nom and not r.via_alias and not r.filiere_incoherente


def test_au_moins_une_orthographe_par_campus(base_embarquee):
    from cmq.resolve import index

    assert {a for _, a in ORTHOGRAPHES} == set(index(base_embarquee).par_id)


# Near-duplicates: the same theme in several régions is ambiguous until a territory or filière is given.
PROCHES = [
    ("CMQ aéronautique", {"territoire": "Occitanie"}, "aeronautique-et-du-spatial-occitanie"),
    ("CMQ aéronautique", {"territoire": "Toulouse"}, "aeronautique-et-du-spatial-occitanie"),
    ("CMQ aéronautique", {"territoire": "Nouvelle-Aquitaine"}, "aeronautique-nouvelle-aquitaine"),
    ("CMQ aéronautique", {"territoire": "Vienne"}, "aeronautique-nouvelle-aquitaine"),
    ("CMQ aéronautique", {"territoire": "52"}, "aeronautique-pays-de-la-loire"),
    ("CMQ aéronautique", {"territoire": "Guyane"}, "aeronautique-et-spatial-guyane"),
    ("CMQ du bois", {"territoire": "Grand Est"}, "bois-epinal"),
    ("CMQ du bois", {"territoire": "Guyane"}, "bois-eco-construction-et-eco-technologie"),
    ("plasturgie", {"territoire": "Lorraine"}, "plasturgie-lorraine"),
    ("plasturgie", {"territoire": "Hauts-de-France"}, "metallurgie-et-de-la-plasturgie-de-picardie"),
    ("tourisme", {"territoire": "Hauts-de-France"}, "tourisme-et-innovation"),
    ("tourisme", {"territoire": "Nice"}, "tourisme-hotellerie-restauration-nice"),
    ("CMQ numérique", {"territoire": "Bretagne"}, "numerique-et-photonique-lannion"),
    ("design", {"territoire": "Île-de-France"}, "art-et-design-gobelins"),
    ("campus guadeloupe", {"filiere": "creation-design-audiovisuel"}, "audiovisuel-et-cinema-guadeloupe"),
    ("campus guadeloupe", {"filiere": "Tourisme"}, "tourisme-integre-et-valorisation-de-la-guadeloupe"),
]


@pytest.mark.parametrize(
    ("mention", "contexte", "attendu"), PROCHES, ids=[f"{m}-{next(iter(c.values()))}" for m, c, _ in PROCHES]
)
def test_proches_ambigus_sans_contexte_trouves_avec(base_embarquee, mention, contexte, attendu):
    seul = resolve(mention, url=base_embarquee)
    assert seul.statut == "ambigu" and seul.campus_id is None and seul.campus_nom is None
    assert attendu in [c.campus_id for c in seul.candidats]
    assert len(seul.candidats) >= 2
    precise = resolve(mention, url=base_embarquee, **contexte)
    assert (precise.statut, precise.campus_id) == ("trouve", attendu)


def test_ambigu_liste_les_candidats_classes(base_embarquee):
    r = resolve("CMQ aéronautique", url=base_embarquee)
    ids = [c.campus_id for c in r.candidats]
    assert r.statut == "ambigu" and len(ids) == 5 and all("aero" in i for i in ids)
    scores = [c.score for c in r.candidats]
    assert scores == sorted(scores, reverse=True) and r.score == scores[0]
    assert {c.filiere for c in r.candidats} == {"mobilite-aeronautique-transports-terrestres-et-maritimes"}


@pytest.mark.parametrize("mention", ["Campus de la chaussure", "zzz", "lycée Jean Moulin", "CMQ", "Campus"])
def test_inconnu(base_embarquee, mention):
    r = resolve(mention, url=base_embarquee)
    assert (r.statut, r.campus_id, r.candidats) == ("inconnu", None, [])


def test_filiere_incoherente(base_embarquee):
    r = resolve("Aérocampus Auvergne", filiere="tourisme-gastronomie", url=base_embarquee)
    assert (r.statut, r.campus_id, r.filiere_incoherente) == ("trouve", "aerocampus", True)
    libre = resolve("Aérocampus Auvergne", filiere="aéronautique", url=base_embarquee)  # free text of the filière
    assert (libre.campus_id, libre.filiere_incoherente) == ("aerocampus", False)
    assert libre.score > r.score  # the disagreeing filière lowers the confidence
    with pytest.raises(FiliereInconnue, match="filière inconnue"):
        resolve("Aérocampus", filiere="qwertz", url=base_embarquee)


def test_regle_de_date(base_embarquee):
    # design-et-industrie-du-futur is labelled in 2022, design-et-industries-creatives in 2017
    assert resolve("CMQ design et industrie", url=base_embarquee).statut == "ambigu"
    avant = resolve("CMQ design et industrie", date="2019-09-01", url=base_embarquee)
    assert (avant.statut, avant.campus_id) == ("trouve", "design-et-industries-creatives")
    apres = resolve("CMQ design et industrie", date="2023-09-01", url=base_embarquee)
    assert apres.statut == "ambigu"
    # an exact name still wins, with a lower score, when its label is not valid yet
    exact = resolve("Design et industrie du futur", date="2020-01-01", url=base_embarquee)
    assert exact.campus_id == "design-et-industrie-du-futur"
    assert exact.score < resolve("Design et industrie du futur", url=base_embarquee).score


def test_entrees_invalides(base_embarquee):
    with pytest.raises(EntreeInvalide, match="mention de campus vide"):
        resolve("   ", url=base_embarquee)
    with pytest.raises(TerritoireInconnu, match="territoire inconnu"):
        resolve("CMQ aéronautique", territoire="Atlantide", url=base_embarquee)
    with pytest.raises(EntreeInvalide, match="date invalide"):
        resolve("CMQ aéronautique", date="31/12/2024", url=base_embarquee)


def test_normalisation():
    assert cle_alias("Campus BTP HDF") == cle_alias("cmq btp-hdf") == "btp hdf"
    assert cle_alias("Campus des métiers et des qualifications d'Excellence Aéro") == "aero"
    assert racine("touristique") == racine("tourisme") == "touris"
    assert racine("industries") == "industrie"
    unites = analyser("CMQ BTP Hauts-de-France").unites
    assert unites[0].mots == ("batiment", "travau", "public") and unites[0].territoire is None
    assert (unites[1].territoire.echelle, unites[1].territoire.code) == ("region_academique", "32")
    lieu = analyser("campus de la mode des Pays de la Loire").unites[-1].territoire
    assert (lieu.echelle, lieu.code) == ("region_academique", "52")


def test_index_sans_base():
    """The index works on plain records: a glued name, a territory and an empty directory."""
    fiches = [
        Fiche(
            "a",
            "Campus des métiers et des qualifications Nautisme (Bretagne)",
            "mobilite-aeronautique-transports-terrestres-et-maritimes",
            "53",
            Lieux(regions=frozenset({"53"})),
        ),
        Fiche("b", "Campus Nautisme (Occitanie)", "tourisme-gastronomie", "76", Lieux(regions=frozenset({"76"}))),
    ]
    index = Index(fiches)
    assert index.resoudre("nautisme").statut == "ambigu"
    assert index.resoudre("nautisme bretagne").campus_id == "a"
    assert index.resoudre("nautisme", Contexte(filiere="tourisme-gastronomie")).campus_id == "b"
    lot = index.resoudre_lot(["nautisme bretagne", "nautisme occitanie", "rien"])
    assert [r.campus_id for r in lot] == ["a", "b", None]
    assert Index([]).resoudre("nautisme").statut == "inconnu"


def test_cli_resoudre(base_embarquee, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    runner = CliRunner()
    trouve = runner.invoke(app, ["resoudre", "CMQ aéronautique", "--territoire", "Occitanie"])
    assert trouve.exit_code == 0, trouve.output
    assert "campus trouvé : aeronautique-et-du-spatial-occitanie" in trouve.output
    ambigu = runner.invoke(app, ["resoudre", "CMQ aéronautique"])
    assert ambigu.exit_code == 0 and "mention ambiguë" in ambigu.output and "aerocampus" in ambigu.output
    sortie = runner.invoke(app, ["resoudre", "Aérocampus", "--filiere", "tourisme", "--format", "json"])
    objet = json.loads(sortie.output)
    assert (objet["statut"], objet["campus_id"], objet["filiere_incoherente"]) == ("trouve", "aerocampus", True)
    mauvais = runner.invoke(app, ["resoudre", "CMQ aéronautique", "--territoire", "Atlantide"])
    assert mauvais.exit_code == 1 and "Erreur : territoire inconnu" in mauvais.output


def test_cli_resoudre_base_absente(tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'absente.db'}")
    resultat = CliRunner().invoke(app, ["resoudre", "Mobicampus"])
    assert resultat.exit_code == 1 and "base non initialisée" in resultat.output
    assert list(tmp_path.iterdir()) == []
