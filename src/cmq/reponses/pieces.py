"""File attachments (CSV, XLSX, GeoJSON) sent by the API exports and the page downloads."""

from fastapi import Response

TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


def piece_jointe(contenu: bytes, format: str, nom: str) -> Response:
    """An attachment response named `nom.format`."""
    return Response(
        contenu, media_type=TYPES[format], headers={"Content-Disposition": f'attachment; filename="{nom}.{format}"'}
    )
