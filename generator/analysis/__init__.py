"""Analyses of a loaded registry: coverage, orientation, the plain-language descriptions, the review of a change."""
