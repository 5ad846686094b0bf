"""Markdown to HTML for the glossary pages (markdown-it-py, CommonMark plus tables, raw HTML disabled)."""

from markdown_it import MarkdownIt
from markupsafe import Markup

_MOTEUR = MarkdownIt("commonmark", {"html": False}).enable("table")


def en_html(texte: str) -> Markup:
    """HTML of a Markdown text; raw HTML in the text is escaped, never rendered."""
    return Markup(_MOTEUR.render(texte))
