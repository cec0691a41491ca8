"""The playground's Sender, and what the inbox shows before and after delivery."""

from __future__ import annotations

import asyncio
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from adapters.web.playground.app import mount_playground
from adapters.web.playground.sender import PlaygroundSender
from bot.core.delivery import DeliveryFailed, Target
from bot.core.replies import say
from bot.core.runtime import Runtime
from schedules.jobs.delivery import deliver_due


def test_sender_confirms_playground_targets_and_refuses_others() -> None:
    sender = PlaygroundSender()
    reply = say("hello")
    ref = asyncio.run(sender.send(Target("playground", "demo", "user", "rita", member_id=3, outbox_id=9), reply))
    assert ref == "playground:user:rita:9"
    with pytest.raises(DeliveryFailed) as refused:
        asyncio.run(sender.send(Target("slack", "T1", "user", "U1"), reply))
    assert refused.value.permanent
    with pytest.raises(DeliveryFailed):
        asyncio.run(sender.send(Target("playground", "demo", "channel", "C0123"), reply))


def test_undelivered_cards_show_as_sending_until_the_delivery_job_runs(demo_runtime: Runtime) -> None:
    app = FastAPI()
    mount_playground(app, demo_runtime)  # no delivery pass after commands: only the job delivers
    assert "playground" in demo_runtime.senders
    with TestClient(app) as client:
        handed = client.post(
            "/playground/command", json={"person": "maya", "text": 'lead handoff "Pending Inc" to:@rita'}
        )
        assert handed.status_code == 200 and handed.json()["ok"] is True
        before = client.get("/playground/inbox", params={"person": "rita"}).json()["inbox_html"]
        card = re.search(r'<article class="msg([^"]*)"[^>]*>(?:(?!</article>).)*Pending Inc.*?</article>', before, re.S)
        assert card and "is-sending" in card.group(1) and "sending…" in card.group(0)
        report = asyncio.run(deliver_due(demo_runtime, owner="test"))
        assert report.sent >= 1
        after = client.get("/playground/inbox", params={"person": "rita"}).json()["inbox_html"]
        assert "sending…" not in after and "Pending Inc" in after
