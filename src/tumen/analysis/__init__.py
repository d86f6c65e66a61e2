"""Analyses that read a scenario or results without running the day loop."""
