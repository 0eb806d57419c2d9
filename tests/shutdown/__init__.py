"""Shutdown plans: triggers, actions, the engine."""
