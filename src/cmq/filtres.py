"""Free text of list filters resolved once to codes, before the store is queried (it takes codes only)."""

from cmq import filieres, territoires


def codes(
    *,
    filiere: str | None = None,
    region_academique: str | None = None,
    academie: str | None = None,
    departement: str | None = None,
) -> dict[str, str | None]:
    """Codes of a filière (`filieres.code_de`) and territories (`territoires.code_de`) given by code or
    name; empty values stay None. FiliereInconnue / TerritoireInconnu (French, with suggestions) otherwise."""

    def code(echelle: str, texte: str | None) -> str | None:
        return territoires.code_de(echelle, texte) if texte and texte.strip() else None

    return {
        "filiere": filieres.code_de(filiere) if filiere and filiere.strip() else None,
        "region_academique": code("region_academique", region_academique),
        "academie": code("academie", academie),
        "departement": code("departement", departement),
    }


def codes_territoires(
    *, region_academique: str | None = None, academie: str | None = None, departement: str | None = None
) -> dict[str, str | None]:
    """`codes` for the three territories only (lists without filière, e.g. establishments)."""
    resolus = codes(region_academique=region_academique, academie=academie, departement=departement)
    del resolus["filiere"]
    return resolus
