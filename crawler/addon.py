"""The project's Scrapy add-on: settings derived from other settings, once they are all known.

Scrapy applies add-ons after the settings module, the environment and every ``-s NAME=VALUE``, so a value
computed here sees the final inputs. That is why the User-Agent is built here and not in settings.py:
``-s HEADLINES_CONTACT_URL=...`` must change it.
"""

from __future__ import annotations

import logging

from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

PRODUCT = "headlines/0.1"


def user_agent(contact: str | None) -> str:
    """The User-Agent that names the project and how to reach whoever runs it."""
    return f"{PRODUCT} (+{contact})" if contact else f"{PRODUCT} (headline crawler)"


class HeadlinesAddon:
    """Builds USER_AGENT from HEADLINES_CONTACT_URL unless USER_AGENT itself was set."""

    def update_settings(self, settings: BaseSettings) -> None:
        contact = settings.get("HEADLINES_CONTACT_URL")
        if not contact:
            logger.warning("HEADLINES_CONTACT_URL is not set: sites see a User-Agent with no way to reach you; "
                           "set it to your web page or a mailto: URL")
        settings.set("USER_AGENT", user_agent(contact), priority="addon")
