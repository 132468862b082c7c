"""The market-dialogue scene (tests/market.py), for a person's data export and deletion."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import get_settings
from tests.conftest import Factory, World
from tests.helpers import Api
from tests.market import Market


@pytest.fixture
def scene(
    api: Api, world: World, factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Market:
    """The market: supplier A has asked, proposed, attached, registered and booked."""
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    return Market(api, world, factory)
