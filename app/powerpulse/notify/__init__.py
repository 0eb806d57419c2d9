"""Notifications: messages, the Discord/Slack/email channels, the outbox and its dispatcher."""
