"""Tests of the simulation engine: processes, invariants, determinism and building blocks."""
