"""Toki: Sado City's open-source disaster information and safety platform."""
