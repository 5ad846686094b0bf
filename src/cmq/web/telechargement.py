"""Downloads of the tables shown on a page (`?format=csv|xlsx`), built with `cmq.exports` like the API's."""

from collections.abc import Sequence
from typing import Any

from fastapi import Response

from cmq import exports
from cmq.reponses.pieces import piece_jointe

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]


def fichier(table: Table, format: str, nom: str, feuille: str) -> Response:
    """The table as a CSV (UTF-8, `,`) or XLSX attachment named `nom.format`."""
    colonnes, lignes = table
    return piece_jointe(exports.octets(colonnes, lignes, format, feuille=feuille), format, nom)
