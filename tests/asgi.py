"""One request to an ASGI application in this process (no server): for comparing two ways of
answering the same request byte for byte."""

import asyncio


def appeler(app, chemin: str, chaine: str, entetes: tuple[tuple[bytes, bytes], ...] = ()) -> tuple[int, list, bytes]:
    """GET chemin?chaine on `app`: status, sorted headers, body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": chemin,
        "raw_path": chemin.encode(),
        "query_string": chaine.encode("latin-1"),
        "root_path": "",
        "headers": [(b"host", b"test"), *entetes],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    messages = []

    async def recevoir():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def envoyer(message):
        messages.append(message)

    asyncio.run(app(scope, recevoir, envoyer))
    debut = messages[0]
    corps = b"".join(m.get("body", b"") for m in messages[1:])
    return debut["status"], sorted(debut["headers"]), corps
