"""Maillage: a YAML registry of social, health and mental-health services, as a website."""
