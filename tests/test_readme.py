"""The README documents every setting every process reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import GatewaySettings
from services.catalog.settings import CatalogSettings
from services.feedback.settings import FeedbackSettings
from services.requests.settings import RequestsSettings
from shared.settings import ServiceSettings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("cls", [GatewaySettings, CatalogSettings, RequestsSettings, FeedbackSettings])
def test_every_setting_is_in_the_configuration_table(cls: type[ServiceSettings]) -> None:
    prefix = cls.model_config["env_prefix"]
    for field in cls.model_fields:
        if field in ServiceSettings.model_fields:
            assert f"`<P>{field.upper()}`" in README, f"common setting {field} not in README"
        else:
            assert f"`{prefix}{field.upper()}`" in README, f"{prefix}{field.upper()} not in README"


def test_the_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README


def test_no_curl_example_puts_raw_chinese_in_its_url() -> None:
    """HTTP allows only ASCII in the request target: curl sends a raw 加装电梯 as is and the server
    refuses it (400), so a pasted example must let curl encode it (`-G --data-urlencode`)."""
    import re

    urls = re.findall(r"curl[^\n]*?'?(https?://[^\s']+)'?", README)
    raw = [url for url in urls if not url.isascii()]
    assert urls and raw == []
