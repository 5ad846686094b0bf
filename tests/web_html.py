"""A minimal HTML tree (stdlib `html.parser`) to query the rendered pages in tests."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VIDES = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Noeud:
    """An element: tag, attributes, children (elements and text strings)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    enfants: list = field(default_factory=list)

    def texte(self) -> str:
        """Text content, whitespace collapsed."""
        morceaux = []
        for enfant in self.enfants:
            morceaux.append(enfant.texte() if isinstance(enfant, Noeud) else enfant)
        return " ".join(" ".join(morceaux).split())

    def tous(self, tag: str | None = None, **attrs: str) -> list["Noeud"]:
        """Descendants with this tag (any when None) whose attributes contain `attrs`
        (`classe="x"` matches one class among several)."""
        trouves = []
        for enfant in self.enfants:
            if not isinstance(enfant, Noeud):
                continue
            if (tag is None or enfant.tag == tag) and all(_egal(enfant, k, v) for k, v in attrs.items()):
                trouves.append(enfant)
            trouves.extend(enfant.tous(tag, **attrs))
        return trouves

    def un(self, tag: str | None = None, **attrs: str) -> "Noeud":
        """The only descendant matching (AssertionError otherwise)."""
        trouves = self.tous(tag, **attrs)
        assert len(trouves) == 1, f"{len(trouves)} éléments {tag} {attrs}"
        return trouves[0]

    def lignes(self) -> list[list[str]]:
        """Text of the cells of each row of the table's body."""
        corps = self.un("tbody")
        return [[cellule.texte() for cellule in tr.enfants if isinstance(cellule, Noeud)] for tr in corps.tous("tr")]


def _egal(noeud: Noeud, cle: str, valeur: str) -> bool:
    if cle == "classe":
        return valeur in (noeud.attrs.get("class") or "").split()
    return noeud.attrs.get(cle.rstrip("_").replace("_", "-")) == valeur


class _Constructeur(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.racine = Noeud("document")
        self.pile = [self.racine]

    def handle_starttag(self, tag, attrs):
        noeud = Noeud(tag, dict(attrs))
        self.pile[-1].enfants.append(noeud)
        if tag not in VIDES:
            self.pile.append(noeud)

    def handle_startendtag(self, tag, attrs):
        self.pile[-1].enfants.append(Noeud(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for rang in range(len(self.pile) - 1, 0, -1):
            if self.pile[rang].tag == tag:
                del self.pile[rang:]
                return

    def handle_data(self, data):
        self.pile[-1].enfants.append(data)


def analyser(html: str) -> Noeud:
    """The document tree of a page."""
    constructeur = _Constructeur()
    constructeur.feed(html)
    constructeur.close()
    return constructeur.racine
