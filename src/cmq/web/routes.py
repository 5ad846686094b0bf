"""Web pages (HTML, French) of `cmq serve`, rendered on the server from the library's read functions.

`inclure(app)` attaches them to the application (`cmq.serveur.creer_app`), after the API, with French HTML
error pages. A table of a page is downloaded from the same URL with `?format=csv|xlsx` (and
`tableau=` when the page shows several), the campus list from the API export (`/api/campus`).
"""

from math import ceil
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response

from cmq import glossaire, indicateurs, nsf, qualite
from cmq.errors import EntreeInvalide, IntrouvableError
from cmq.rapprochement import IndexEtablissements
from cmq.store import db, lecture
from cmq.web import demandes, edition, erreurs, markdown, parametres, telechargement, vues
from cmq.web.gabarits import GABARITS

router = APIRouter(include_in_schema=False)
PAR_PAGE = 25
Texte = Annotated[str | None, Query(max_length=500)]
Jour = Annotated[str | None, Query(alias="date", max_length=100)]


def _url(requete: Request) -> str:
    return requete.app.state.url


def _page(requete: Request, gabarit: str, rubrique: str | None, fil: list, **contexte) -> Response:
    """Render a page; `fil` is the breadcrumb after « Accueil »: [(label, link or None for the current page)]."""
    return GABARITS.TemplateResponse(requete, gabarit, {"rubrique": rubrique, "fil": fil, **contexte})


def _tableau(valeur: str | None, choix: tuple[str, ...]) -> str:
    """Which table of the page to download (the first one by default)."""
    if valeur is None or not valeur.strip():
        return choix[0]
    if valeur.strip() not in choix:
        raise EntreeInvalide(f"tableau inconnu : « {valeur} » (tableaux de la page : {', '.join(choix)})")
    return valeur.strip()


@router.get("/")
def accueil(
    requete: Request, jour: Jour = None, echelle: Texte = None, format: Texte = None, tableau: Texte = None
) -> Response:
    """Dashboard: key figures, map by territory, chart by filière at a date, change over time."""
    tdb_jour, tdb_echelle = parametres.date_ou_aujourdhui(jour), parametres.echelle_carte(echelle)
    forme = parametres.format_export(format)
    choix = _tableau(tableau, ("filieres", "evolution")) if forme else None
    with db.session(_url(requete)) as s:
        tdb = vues.tableau_de_bord(s, tdb_jour, tdb_echelle)
    if choix == "filieres":
        return telechargement.fichier(tdb.table_filieres(), forme, f"filieres_{tdb_jour.isoformat()}", "Filières")
    if choix == "evolution":
        return telechargement.fichier(tdb.evolution.table(), forme, "evolution_par_filiere", "Évolution")
    return _page(requete, "accueil.html", "accueil", [], tdb=tdb)


@router.get("/campus")
def campus_liste(
    requete: Request,
    filiere: Texte = None,
    region_academique: Texte = None,
    academie: Texte = None,
    departement: Texte = None,
    excellence: Texte = None,
    actif_le: Texte = None,
    q: Texte = None,
    page: Texte = None,
    tri: Texte = None,
    ordre: Texte = None,
) -> Response:
    """Filtered, paginated list of the campuses, sorted by name unless a column is chosen."""
    filtres = parametres.FiltresCampus.lire(
        filiere=filiere,
        region_academique=region_academique,
        academie=academie,
        departement=departement,
        excellence=excellence,
        actif_le=actif_le,
        q=q,
    )
    numero = parametres.numero_page(page)
    colonne, decroissant = parametres.tri_campus(tri, ordre, tuple(vues.TRIS))
    with db.session(_url(requete)) as s:
        tous, total = lecture.lister_campus(s, **filtres.arguments())
    liste = vues.trier_campus(tous, colonne, decroissant)[(numero - 1) * PAR_PAGE : numero * PAR_PAGE]
    nb_pages = max(1, ceil(total / PAR_PAGE))
    if numero > nb_pages:
        raise IntrouvableError(f"page {numero} inexistante : {nb_pages} page(s) pour {total} campus")
    return _page(
        requete,
        "campus_liste.html",
        "campus",
        [("Campus", None)],
        filtres=filtres,
        liste=liste,
        total=total,
        numero=numero,
        nb_pages=nb_pages,
        choix=vues.choix_filtres(),
        nom_territoire=vues.nom_territoire,
        tri=colonne,
        decroissant=decroissant,
        tris=vues.TRIS,
    )


@router.get("/campus/{identifiant}")
def campus_fiche(requete: Request, identifiant: str, format: Texte = None, tableau: Texte = None) -> Response:
    """A campus: identity, label, provenance, members, partners and map."""
    forme = parametres.format_export(format)
    with db.session(_url(requete)) as s:
        fiche = vues.fiche_campus(s, identifiant)
        if forme is not None:
            choix = _tableau(tableau, ("membres", "partenaires", "campus"))
            tables = {
                "membres": fiche.table_membres,
                "partenaires": fiche.table_partenaires,
                "campus": lambda: vues.table_identite_campus(s, fiche.campus.id),
            }
            return telechargement.fichier(tables[choix](), forme, f"{fiche.campus.id}_{choix}", choix.capitalize())
    fil = [("Campus", "/campus"), (fiche.campus.nom, None)]
    return _page(requete, "campus.html", "campus", fil, fiche=fiche, points=fiche.points())


@router.get("/etablissements")
def etablissements_recherche(requete: Request, q: Texte = None, commune: Texte = None) -> Response:
    """Establishments matching a name, a UAI or a town, linked to their pages."""
    q, commune = (q or "").strip() or None, (commune or "").strip() or None
    candidats = IndexEtablissements.de_la_base_en_cache(_url(requete)).chercher(q, commune, PAR_PAGE) if q else []
    fil = [("Rechercher un établissement", None)]
    return _page(
        requete,
        "etablissements_recherche.html",
        None,
        fil,
        q=q,
        commune=commune,
        candidats=candidats,
        q_etablissement=q,
    )


@router.get("/etablissements/{uai}")
def etablissement_fiche(
    requete: Request, uai: str, format: Texte = None, tableau: Texte = None, campus: Texte = None
) -> Response:
    """An establishment and the campuses it belongs to; `campus`: the campus page it was reached
    from (breadcrumb through that campus)."""
    jour = parametres.date_ou_aujourdhui(None)
    with db.session(_url(requete)) as s:
        fiche = vues.fiche_etablissement(s, uai)
    if (forme := parametres.format_export(format)) is not None:
        choix = _tableau(tableau, ("campus", "etablissement"))
        table = fiche.table_campus(jour) if choix == "campus" else fiche.table_identite()
        return telechargement.fichier(table, forme, f"{fiche.etablissement.uai}_{choix}", choix.capitalize())
    fil = [(f"Établissement {fiche.etablissement.nom}", None)]
    origine = next((c for c, _ in fiche.campus if campus and c.id == campus.strip().lower()), None)
    if origine is not None:
        fil = [("Campus", "/campus"), (origine.nom, f"/campus/{origine.id}"), *fil]
    return _page(
        requete,
        "etablissement.html",
        "campus",
        fil,
        fiche=fiche,
        jour=jour,
        nom_territoire=vues.nom_territoire,
        points=fiche.points(),
    )


@router.get("/filieres")
def filieres_liste(requete: Request, jour: Jour = None, format: Texte = None) -> Response:
    """The 12 filières and their number of campuses."""
    le_jour = parametres.date_ou_aujourdhui(jour)
    with db.session(_url(requete)) as s:
        lignes = vues.liste_filieres(s, le_jour)
    if (forme := parametres.format_export(format)) is not None:
        return telechargement.fichier(vues.table_filieres(lignes, le_jour), forme, "filieres", "Filières")
    return _page(requete, "filieres.html", "filieres", [("Filières", None)], lignes=lignes, jour=le_jour)


@router.get("/filieres/{code}")
def filiere_page(
    requete: Request, code: str, jour: Jour = None, format: Texte = None, echelle: Texte = None
) -> Response:
    """A filière: label, official page, glossary definition, its campuses and territories at a date, the
    formation domains (NSF) feeding it.
    An alias of the filière (`/filieres/btp`) redirects permanently to its canonical page."""
    filiere = vues.filiere_de_la_page(code)
    if code != filiere.code:
        cible = f"/filieres/{filiere.code}" + (f"?{requete.url.query}" if requete.url.query else "")
        return RedirectResponse(cible, status_code=308)
    le_jour = parametres.date_ou_aujourdhui(jour)
    la_carte = parametres.echelle_carte(echelle)
    donnees = indicateurs.filiere(filiere.code, le_jour, url=_url(requete))
    if (forme := parametres.format_export(format)) is not None:
        nom = f"{filiere.code}_territoires_{le_jour.isoformat()}"
        return telechargement.fichier(vues.table_territoires_filiere(donnees), forme, nom, "Territoires")
    fil = [("Filières", "/filieres"), (filiere.libelle, None)]
    return _page(
        requete,
        "filiere.html",
        "filieres",
        fil,
        filiere=filiere,
        donnees=donnees,
        jour=le_jour,
        definition=vues.definition_cmq(),
        nom_territoire=vues.nom_territoire,
        donnees_carte=vues.donnees_carte_filiere(donnees, la_carte),
        campus_par_nom=vues.trier_campus(donnees.campus, "nom", False),
        domaines=nsf.de_filiere(filiere.code),
    )


@router.get("/qualite")
def qualite_page(requete: Request, format: Texte = None) -> Response:
    """Data quality: per field, how many campuses have it and which lack it; non-official sources."""
    r = qualite.qualite(_url(requete))
    if (forme := parametres.format_export(format)) is not None:
        colonnes = ["champ", "libelle", "nb_avec", "nb_campus", "sans"]
        lignes = [[c.champ, c.libelle, c.nb_avec, c.nb_campus, " ".join(c.sans)] for c in r.champs]
        return telechargement.fichier((colonnes, lignes), forme, "qualite", "Qualité")
    return _page(requete, "qualite.html", None, [("Qualité des données", None)], r=r)


@router.get("/glossaire")
def glossaire_accueil() -> Response:
    """The glossary has one entry for now: « CMQ »."""
    return RedirectResponse("/glossaire/cmq", status_code=307)


@router.get("/glossaire/{slug}")
def glossaire_page(requete: Request, slug: str) -> Response:
    """A glossary entry: front matter as metadata, Markdown body as HTML."""
    entree = glossaire.entree(slug)
    fil = [(f"Glossaire : {entree.title}", None)]
    return _page(requete, "glossaire.html", "glossaire", fil, entree=entree, corps=markdown.en_html(entree.content))


@router.get("/docs")
def documentation_api(requete: Request) -> Response:
    """The API documentation (Swagger UI served from the vendored assets, nothing from the Internet)."""
    return GABARITS.TemplateResponse(requete, "docs.html", {})


def inclure(app: FastAPI) -> None:
    """Attach the pages and their French HTML error pages to the application."""
    app.include_router(router)
    app.include_router(edition.router)
    app.include_router(demandes.router)
    erreurs.installer(app)
