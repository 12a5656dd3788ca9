"""Exchanges with other formats: HSDS, spreadsheets, geocoding, and the limits on untrusted input."""
