"""Bounding boxes (lat min, lat max, lon min, lon max) of mainland France (with Corsica) and of each DROM."""

BOITES = {
    "metropole": (41.3, 51.1, -5.2, 9.6),
    "971": (15.8, 16.55, -61.85, -60.95),  # Guadeloupe with Marie-Galante, La Désirade, Les Saintes
    "972": (14.38, 14.9, -61.25, -60.8),  # Martinique
    "973": (2.1, 5.8, -54.65, -51.6),  # Guyane
    "974": (-21.4, -20.85, 55.2, 55.85),  # La Réunion
    "976": (-13.05, -12.6, 44.95, 45.35),  # Mayotte
}


def dans_sa_region(departement: str, latitude: float, longitude: float) -> bool:
    """True when the point lies in the box of the département's région (mainland or its DROM)."""
    lat_min, lat_max, lon_min, lon_max = BOITES[departement if departement.startswith("97") else "metropole"]
    return lat_min <= latitude <= lat_max and lon_min <= longitude <= lon_max
