"""Generator of Orion's restitution export ("restitution_export_…"), CSV and XLSX, in Orion's dialect.

Written from the format description in /work/shared/docs/orion.md (not from Orion's code): 81 columns
with French headers; CSV with `;`, a UTF-8 BOM, every string in double quotes with an inner `"`
written `\\"`, line breaks turned into spaces, booleans unquoted `true`/`false`, numbers with a
decimal comma and two decimals (`2026,00`), dates `14/10/2025 11:34`; XLSX with one sheet whose
name is the file name cut to 31 characters, numbers and booleans as typed cells.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

NOM = "restitution_export_2025-10-14T11-34-07"

COLONNES = (
    # établissement
    "UAI", "Établissement", "Commune", "CodeRegion", "Région", "CodeAcadémie", "Académie",
    "CodeDepartement", "Département", "Secteur",
    # formation
    "CFD", "Domaine de formation (NSF)", "Formation", "Formation spécifique", "Action prioritaire ?",
    "Transition démographique ?", "Transition écologique ?", "Transition numérique ?", "Code Dispositif",
    "Dispositif", "Diplôme",
    # demande
    "Type de demande", "Motif(s) de la demande", "Autre motif", "RS", "Nombre de places en voie scolaire",
    "Nombre de places colorées en voie scolaire", "Nombre de places en apprentissage",
    "Nombre de places colorées en apprentissage", "Capacité en voie scolaire actuelle",
    "Future capacité en voie scolaire", "Capacité en apprentissage actuelle", "Future capacité en apprentissage",
    "Capacité colorée actuelle en voie scolaire", "Future capacité colorée en voie scolaire",
    "Capacité colorée actuelle en apprentissage", "Future capacité colorée en apprentissage",
    "Libellé(s) coloration(s)", "Libellé FCIL", "AMI/CMA ?", "Financement AMI/CMA validé ?",
    "Demande de financement AMI/CMA en cours ?", "Année de validation de l'AMI/CMA", "Partenaire économique 1",
    "Partenaire économique 2", "Filière CMQ", "Nom CMQ", "Inspecteur référent", "Commentaire", "N° demande",
    "Date de création", "Date de dernière modification",
    # devenir favorable
    "Position dans le quadrant", "Tx d'emploi à 6 mois régional", "Tx de poursuite d'études régional",
    "Tx de devenir favorable régional", "Tx de pression régional", "Nb établissements",
    # RH
    "Nombre de recrutements", "Disciplines des recrutements", "Nombre de reconversions",
    "Disciplines des reconversions", "Nombre de professeurs associés", "Disciplines des professeurs associés",
    "Nombre de formations", "Disciplines des formations",
    # travaux et achats
    "Travaux ou aménagement ?", "Coût des travaux et aménagement", "Description des travaux et aménagement",
    "Achat d'équipement ?", "Coût des achats d'équipement", "Description des achats d'équipement",
    # hébergement
    "Besoin d'augmentation de la capacité d'hébergement ?", "Nombre de places d'hébergement supplémentaires",
    "Besoin d'augmentation de la capacité de restauration ?", "Nombre de places de restauration supplémentaires",
    # statut
    "Statut", "Motif(s) de refus", "Autre motif de refus",
    # suivi
    "Capacité RS 2026", "Effectif RS 2026",
)  # fmt: skip
assert len(COLONNES) == 81

# (UAI, Établissement, Commune, CodeRegion, Région, CodeAcadémie, Académie, CodeDepartement, Département)
ETABLISSEMENTS = {
    "toulouse": ("0310036W", "LYCÉE GÉNÉRAL PIERRE DE FERMAT", "Toulouse", "76", "Occitanie", "16", "Toulouse",
                 "031", "Haute-Garonne"),
    "oyonnax": ("0010034G", "LYCÉE POLYVALENT PAUL PAINLEVÉ", "Oyonnax", "84", "Auvergne-Rhône-Alpes", "10", "Lyon",
                "001", "Ain"),
    "dijon": ("0210015C", "LYCÉE GÉNÉRAL ET TECHNOLOGIQUE CARNOT", "Dijon", "27", "Bourgogne-Franche-Comté", "07",
              "Dijon", "021", "Côte-d'Or"),
    "lille": ("0590111A", "LYCÉE PROFESSIONNEL SONIA DELAUNAY", "Lille", "32", "Hauts-de-France", "09", "Lille",
              "059", "Nord"),
    "lannion": ("0220023F", "LYCÉE PROFESSIONNEL FÉLIX LE DANTEC", "Lannion", "53", "Bretagne", "14", "Rennes",
                "022", "Côtes-d'Armor"),
    "bordeaux": ("0330021U", "LYCÉE GÉNÉRAL MICHEL MONTAIGNE", "Bordeaux", "75", "Nouvelle-Aquitaine", "04",
                 "Bordeaux", "033", "Gironde"),
    # a known member of aeronautique-et-du-spatial-occitanie (embedded membres.csv)
    "airbus": ("0311200L", "LYCÉE PRIVÉ AIRBUS DES MÉTIERS DE L'AÉRONAUTIQUE", "Toulouse", "76", "Occitanie", "16",
               "Toulouse", "031", "Haute-Garonne"),
    # not in the directory: the territory comes from CodeRegion / CodeAcadémie
    "inconnu": ("0311111P", "LYCÉE FICTIF", "Toulouse", "", "", "16", "Toulouse", "031", "Haute-Garonne"),
}  # fmt: skip

MOBILITE = "Mobilité, aéronautique, transports terrestres et maritimes"
MOBILITE_CODE = "mobilite-aeronautique-transports-terrestres-et-maritimes"
TOURISME = "Tourisme, gastronomie"
BATIMENT = "Infrastructures, bâtiment, éco-construction"
MATERIAUX = "Matériaux, matériaux innovants"
NUMERIQUE = "Numérique, télécommunications"

# N° demande -> (établissement, Filière CMQ, Nom CMQ, Commentaire)
DEMANDES = {
    "24A0001": ("toulouse", MOBILITE, "CMQ aéronautique", 'Avis "favorable" du campus\nà confirmer'),
    "24A0002": ("toulouse", MOBILITE, "non", ""),
    "24A0003": ("lille", BATIMENT, "NC", ""),
    "24A0004": ("lille", BATIMENT, "-", ""),
    "24A0005": ("lannion", NUMERIQUE, "aucun", ""),
    "24A0006": ("lannion", NUMERIQUE, "néant", ""),
    "24A0007": ("dijon", TOURISME, "/", ""),
    "24A0008": ("dijon", TOURISME, "n/a", ""),
    "24A0009": ("bordeaux", MOBILITE, "0", ""),
    "24A0010": ("dijon", TOURISME, TOURISME, "libellé de la filière recopié"),
    "24A0011": ("toulouse", TOURISME, TOURISME, ""),
    "24A0012": ("lille", BATIMENT, "CMQ TP", "chemin C:\\partage\\demandes"),
    "24A0013": ("oyonnax", MATERIAUX, "plasti campus oyonax", ""),
    "24A0014": ("toulouse", MATERIAUX, "plasti campus oyonax", "campus d'une autre région"),
    "24A0015": ("lannion", NUMERIQUE, "cmq numérique et photonique", ""),
    "24A0016": ("lannion", "Économie sociale et solidaire", "", "filière créée dans le formulaire"),
    "24A0017": ("inconnu", MOBILITE, "Campus aéronautique et spatial Occitanie", ""),
    "24A0018": ("bordeaux", MOBILITE, "Aerocampus Aquitaine", ""),
    "24A0019": ("toulouse", "", "", "fermeture : pas de CMQ"),
    "24A0020": ("toulouse", TOURISME, "Campus des métiers et des qualifications Tourisme pyrénéen", ""),
}

# N° demande -> (statut_resolution, campus_id, anomalie) expected from the embedded directory
ATTENDUS = {
    # members of these campuses are known (embedded data) and these lycées are not among them
    "24A0001": ("trouve", "aeronautique-et-du-spatial-occitanie", "etablissement_non_membre"),
    "24A0002": ("sans_nom", "", "nom_cmq_non_renseigne: « non »"),
    "24A0003": ("sans_nom", "", "nom_cmq_non_renseigne: « NC »"),
    "24A0004": ("sans_nom", "", "nom_cmq_non_renseigne: « - »"),
    "24A0005": ("sans_nom", "", "nom_cmq_non_renseigne: « aucun »"),
    "24A0006": ("sans_nom", "", "nom_cmq_non_renseigne: « néant »"),
    "24A0007": ("sans_nom", "", "nom_cmq_non_renseigne: « / »"),
    "24A0008": ("sans_nom", "", "nom_cmq_non_renseigne: « n/a »"),
    "24A0009": ("sans_nom", "", "nom_cmq_non_renseigne: « 0 »"),
    # the only tourism campus of Bourgogne-Franche-Comté
    "24A0010": ("trouve", "alimentation-gout-tourisme", "nom_cmq_libelle_de_filiere"),
    "24A0011": ("ambigu", "", "nom_cmq_libelle_de_filiere"),  # two tourism campuses in Occitanie
    "24A0012": ("trouve", "travaux-publics-bruay-la-buissiere", ""),
    "24A0013": ("trouve", "plasticampus", "etablissement_non_membre"),
    "24A0014": ("trouve", "plasticampus", "campus_hors_region; etablissement_non_membre; cmq_inattendu"),
    "24A0015": ("trouve", "numerique-et-photonique-lannion", ""),
    "24A0016": ("sans_nom", "", "filiere_illisible: « Économie sociale et solidaire »"),
    "24A0017": ("trouve", "aeronautique-et-du-spatial-occitanie", "etablissement_non_membre"),
    "24A0018": ("inconnu", "", ""),
    "24A0019": ("sans_nom", "", ""),
    "24A0020": ("trouve", "tourisme-pyreneen", ""),
}


# "Domaine de formation (NSF)" of each request of DEMANDES, as Orion exports it: the label only (the BCN's
# edition label, else its long label lower-cased with a capital: "Mecanique aeronautique et spatiale"),
# chosen to fit the request's filière (no formation flag on these rows)
AERO = "Mécanique aéronautique et spatiale"
HOTELLERIE = "Accueil, hôtellerie, tourisme"
INFORMATIQUE = "Informatique, traitement de l'information, réseaux de transmission des données"
PLASTURGIE = "Plasturgie, matériaux composites"
NSF = {
    "24A0001": AERO,
    "24A0002": "Mecanique aeronautique et spatiale",
    "24A0003": "Bâtiment : construction et couverture",
    "24A0004": "Bâtiment : finitions",
    "24A0005": INFORMATIQUE,
    "24A0006": INFORMATIQUE,
    "24A0007": HOTELLERIE,
    "24A0008": "Agro-alimentaire, alimentation, cuisine",
    "24A0009": "Moteurs et mécanique auto",
    "24A0010": HOTELLERIE,
    "24A0011": HOTELLERIE,
    "24A0012": "Mines et carrières, génie civil, topographie",
    "24A0013": PLASTURGIE,
    "24A0014": PLASTURGIE,
    "24A0015": INFORMATIQUE,
    "24A0016": "Travail social",
    "24A0017": AERO,
    "24A0018": "Structures métalliques (y compris soudure, carrosserie, coque de bateau, cellule d'avion)",
    "24A0019": "Commerce, vente",
    "24A0020": HOTELLERIE,
}

# Requests made to exercise the formation checks: N° demande -> (établissement, Filière CMQ, Nom CMQ,
# Domaine de formation (NSF), expected anomalie, expected filieres_formation)
TOURISME_PYRENEEN = "Campus des métiers et des qualifications Tourisme pyrénéen"
FORMATIONS = {
    # the domain feeds mobility: neither the declared filière nor the campus's (tourism)
    "24F0001": ("toulouse", TOURISME, TOURISME_PYRENEEN, AERO,
                f"formation_hors_filiere: NSF 253 → {MOBILITE_CODE}", MOBILITE_CODE),
    # no filière declared: the campus found (numérique) is checked
    "24F0002": ("lannion", "", "cmq numérique et photonique", HOTELLERIE,
                "formation_hors_filiere: NSF 334 → tourisme-gastronomie", "tourisme-gastronomie"),
    # 221 feeds both alimentaire and tourisme: fits
    "24F0003": ("toulouse", TOURISME, TOURISME_PYRENEEN, "Agro-alimentaire, alimentation, cuisine", "",
                "alimentaire-agroalimentaire | tourisme-gastronomie"),
    # a domain with no filière: no flag invented
    "24F0004": ("toulouse", MOBILITE, TOURISME_PYRENEEN, "Formations générales", "", "aucune"),
    # no campus named, the lycée is a known member of the Occitanie aerospace campus, the domain feeds mobility
    "24F0005": ("airbus", "", "", AERO, "cmq_possible: aeronautique-et-du-spatial-occitanie", MOBILITE_CODE),
    # same lycée, a domain its campus's filière does not take: nothing possible
    "24F0006": ("airbus", "", "non", "Commerce, vente", "nom_cmq_non_renseigne: « non »",
                "services-aux-entreprises-logistique"),
    # same lycée naming its own campus: nothing to say
    "24F0007": ("airbus", MOBILITE, "CMQ aéronautique", AERO, "", MOBILITE_CODE),
    # not an NSF group: reported, never guessed
    "24F0008": ("toulouse", TOURISME, "", "Cuisine moléculaire", "nsf_illisible: « Cuisine moléculaire »", ""),
    # empty and placeholder domains: no check
    "24F0009": ("airbus", "", "", "", "", ""),
    "24F0010": ("airbus", "", "", "NC", "", ""),
}  # fmt: skip


def lignes() -> list[dict[str, object]]:
    """The rows as Orion holds them (typed values: str, bool, float, datetime, None)."""
    return _lignes({n: (*d, NSF[n]) for n, d in DEMANDES.items()})


def lignes_formations() -> list[dict[str, object]]:
    """The requests of FORMATIONS, in Orion's form."""
    return _lignes(
        {n: (etab, filiere, nom, "", domaine) for n, (etab, filiere, nom, domaine, _, _) in FORMATIONS.items()}
    )


def _lignes(demandes: dict[str, tuple[str, str, str, str, str]]) -> list[dict[str, object]]:
    sortie = []
    for i, (numero, (etab, filiere, nom, commentaire, domaine)) in enumerate(demandes.items()):
        uai, libelle, commune, code_region, region, code_academie, academie, code_dep, dep = ETABLISSEMENTS[etab]
        ligne: dict[str, object] = dict.fromkeys(COLONNES)
        ligne.update(
            {
                "UAI": uai,
                "Établissement": libelle,
                "Commune": commune,
                "CodeRegion": code_region,
                "Région": region,
                "CodeAcadémie": code_academie,
                "Académie": academie,
                "CodeDepartement": code_dep,
                "Département": dep,
                "Secteur": "PU",
                "CFD": f"4003{i:04d}",
                "Domaine de formation (NSF)": domaine or None,
                "Formation": f"BAC PRO formation n° {i + 1}",
                "Diplôme": "BAC PRO",
                "Action prioritaire ?": i % 3 == 0,
                "Transition écologique ?": i % 2 == 0,
                "Type de demande": "fermeture" if numero == "24A0019" else "ouverture_nouvelle",
                "RS": 2026.0,
                "Nombre de places en voie scolaire": float(12 + i),
                "Tx d'emploi à 6 mois régional": 0.5 + i / 100,
                "AMI/CMA ?": False,
                "Filière CMQ": filiere or None,
                "Nom CMQ": nom or None,
                "Commentaire": commentaire or None,
                "N° demande": numero,
                "Date de création": datetime(2025, 10, 14, 11, 34),
                "Date de dernière modification": datetime(2025, 11, 2, 9, 5),
                "Statut": "demande_validee",
                "Capacité RS 2026": 24.0,
            }
        )
        sortie.append(ligne)
    return sortie


def _cellule_csv(valeur: object) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, float | int):
        return f"{valeur:.2f}".replace(".", ",")
    if isinstance(valeur, datetime):
        return valeur.strftime("%d/%m/%Y %H:%M")
    texte = str(valeur).replace("\r\n", " ").replace("\n", " ").replace('"', '\\"')
    return f'"{texte}"'


def texte_csv(rangs: list[dict[str, object]] | None = None, colonnes: tuple[str, ...] = COLONNES) -> str:
    """The CSV text (without BOM) of `rangs` (default: `lignes()`), with `colonnes` (default: all 81)."""
    rangs = lignes() if rangs is None else rangs
    entete = ";".join(_cellule_csv(c) for c in colonnes)
    return "\n".join([entete, *(";".join(_cellule_csv(r[c]) for c in colonnes) for r in rangs)]) + "\n"


def ecrire_csv(
    dossier: Path, rangs: list[dict[str, object]] | None = None, colonnes: tuple[str, ...] = COLONNES
) -> Path:
    """Orion's CSV export in `dossier` (UTF-8 with BOM); `colonnes` to leave some out (the user's choice)."""
    chemin = dossier / f"{NOM}.csv"
    chemin.write_bytes(b"\xef\xbb\xbf" + texte_csv(rangs, colonnes).encode("utf-8"))
    return chemin


def ecrire_xlsx(dossier: Path, rangs: list[dict[str, object]] | None = None) -> Path:
    """Orion's XLSX export in `dossier`: one sheet named after the file, cut to 31 characters."""
    from openpyxl import Workbook

    rangs = lignes() if rangs is None else rangs
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = NOM[:31]
    feuille.append(list(COLONNES))
    for r in rangs:
        feuille.append([r[c].strftime("%d/%m/%Y %H:%M") if isinstance(r[c], datetime) else r[c] for c in COLONNES])
    chemin = dossier / f"{NOM}.xlsx"
    classeur.save(chemin)
    return chemin
