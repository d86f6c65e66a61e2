"""Comparing runs with what was observed: metrics, stylized facts, ensembles, calibration."""
