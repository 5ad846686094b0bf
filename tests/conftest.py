"""Shared pytest fixtures."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    """Folder of the example files in the real open-data formats (copied from shared/fixtures)."""
    return FIXTURES
