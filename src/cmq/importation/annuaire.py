"""Import of the annuaire de l'éducation (`fr-en-annuaire-education`): a CSV export or the portal.

Both spellings of the header work through the aliases of `cmq.importation.colonnes`: API field names
(`identifiant_de_l_etablissement`, `code_departement`…) and the export's display labels
(`Identifiant_de_l_etablissement`, `Code département`…). `code_departement` ("069", "02A",
"974") becomes "69", "2A", "974"; `code_region` (INSEE) is the région académique code; a missing
département is taken from the INSEE commune code (any establishment file), a missing académie or
région from the département. Closed establishments (`etat` FERME/FERMEE) are skipped unless
`inclure_fermes`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmq.errors import EntreeInvalide
from cmq.importation.fichier import importer_fichier
from cmq.importation.pipeline import Rapport

DATASET = "fr-en-annuaire-education"
PORTAIL = "https://data.education.gouv.fr"


def importer_annuaire(
    chemin: str | Path | None = None,
    *,
    portail: str | None = None,
    where: str | None = None,
    **options: Any,
) -> Rapport:
    """Import establishments from an annuaire CSV export (`chemin`) or from `portail` (Opendatasoft).

    Options as for `importer_fichier` / `importer_opendatasoft` (partiel, rapport, url,
    inclure_fermes, progression, client…); the kind of rows is always `etablissements`.
    """
    if (chemin is None) == (portail is None):
        raise EntreeInvalide("annuaire : donnez soit un fichier, soit --portail (pas les deux)")
    if chemin is not None:
        if where:
            raise EntreeInvalide("annuaire : --where ne s'applique qu'à un import depuis --portail")
        return importer_fichier(chemin, type_import="etablissements", **options)
    from cmq.importation.distant import importer_opendatasoft  # imported lazily: HTTP client, only for portals

    return importer_opendatasoft(portail, DATASET, where=where, type_import="etablissements", **options)
