"""REST API of cmq (FastAPI): `creer_app` builds the application served by `cmq serve`."""
