"""The Slack app manifest ``tandem slack manifest`` prints: paste it into "Create app → From a manifest"
and the command words (every word of the registry, built or not, so an upgrade needs no new manifest),
interactivity, events and App Home are configured against TANDEM_BASE_URL."""

from __future__ import annotations

from typing import Any

import yaml

from bot.core.commands import Registry
from bot.core.config import Settings

# The fewest bot scopes that cover commands, DMs, channel posts, mentions, App Home and enrichment.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "app_mentions:read",
    "users:read",
    "users:read.email",
)
BOT_EVENTS = ("app_mention", "message.im", "app_home_opened")
OAUTH_EVENTS = ("app_uninstalled", "tokens_revoked")  # so an uninstall removes the stored tokens


def manifest(settings: Settings, registry: Registry, name: str = "Tandem") -> dict[str, Any]:
    base = settings.base_url.rstrip("/")
    events_url = f"{base}/slack/events"
    oauth = bool(settings.slack_client_id)
    settings_block: dict[str, Any] = {
        "event_subscriptions": {
            "request_url": events_url,
            "bot_events": list(BOT_EVENTS) + (list(OAUTH_EVENTS) if oauth else []),
        },
        "interactivity": {"is_enabled": True, "request_url": events_url},
        "org_deploy_enabled": False,
        "socket_mode_enabled": False,
        "token_rotation_enabled": False,
    }
    oauth_config: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if oauth:
        oauth_config["redirect_urls"] = [f"{base}/slack/oauth_redirect"]
    return {
        "display_information": {
            "name": name,
            "description": "Sales and marketing, one team: lead hand-offs, feedback, nags and stats.",
            "background_color": "#1f2937",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name.lower(), "always_online": True},
            "slash_commands": [
                {
                    "command": f"/{word.word}",
                    "url": events_url,
                    "description": word.summary,
                    "usage_hint": word.example,
                    "should_escape": True,
                }
                for word in registry.words
            ],
        },
        "oauth_config": oauth_config,
        "settings": settings_block,
    }


def render_manifest(settings: Settings, registry: Registry) -> str:
    text: str = yaml.safe_dump(manifest(settings, registry), sort_keys=False, allow_unicode=True, width=120)
    return text
