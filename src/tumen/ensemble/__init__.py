"""Ensembles and sweeps: many runs of a scenario (seeds, parameter grids, Latin
hypercube samples, listed scenario files), on Dask, with the results kept in an
embedded run store."""
