"""Slack incoming webhooks (and Slack-compatible services): 200 `ok` on success."""

from __future__ import annotations

from powerpulse.notify.channels.base import WebhookChannel


class SlackChannel(WebhookChannel):
    """Posts `messages.slack_payload` bodies. Slack reports errors as short words in the body
    (`invalid_token`, `channel_not_found`, `no_service`) with a 4xx status: permanent, and the
    word becomes the recorded reason (see `base.classify_http`)."""

    name = "slack"
