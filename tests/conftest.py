"""Fixtures shared by all test directories: a small valid scenario covering every section.

The loader tests break it line by line; the engine tests simulate it as a medium-sized run.
"""

from __future__ import annotations

import pytest

VALID = """\
name: Test corridor
description: From the river to Seoul through Laos, small enough to read.
period:
  start: 2000-01-01
  end: 2010-12-31
locations:
  - {id: north_hamgyong, name: North Hamgyong, kind: origin, country: north_korea,
     lat: 41.8, lon: 129.8, departure_weight: 1.0}
  - {id: musan_ford, name: Musan ford, kind: crossing, country: north_korea,
     lat: 42.2, lon: 129.2}
  - {id: yanbian, name: Yanbian, kind: hiding, country: china, lat: 42.9, lon: 129.5}
  - {id: kunming, name: Kunming, kind: transit, country: china, lat: 25.0, lon: 102.7}
  - {id: vientiane, name: Vientiane, kind: third_country, country: laos,
     lat: 18.0, lon: 102.6}
  - {id: bangkok, name: Bangkok, kind: asylum, country: thailand, lat: 13.8, lon: 100.5}
  - {id: seoul, name: Seoul, kind: destination, country: south_korea,
     lat: 37.6, lon: 127.0}
routes:
  - id: to_river
    from: north_hamgyong
    to: musan_ford
    mode: foot
    days: {mean: 3, sd: 1}
  - id: across
    from: musan_ford
    to: yanbian
    mode: river
    days:
      mean: 1
      sd: 0.5
    risk: 0.1
  - id: south
    from: yanbian
    to: kunming
    mode: train
    days: {mean: 4, sd: 1}
    cost_usd: 200
    risk: 0.02
  - id: mekong
    from: kunming
    to: vientiane
    mode: foot
    days: {mean: 6, sd: 2}
    cost_usd: 300
    risk: 0.08
    open_from: 2002-01-01
  - id: to_thailand
    from: vientiane
    to: bangkok
    mode: boat
    days: {mean: 2, sd: 1}
    risk: 0.05
  - id: flight
    from: bangkok
    to: seoul
    mode: flight
    days: {mean: 1}
network:
  disclosure_probability: 0.25
  cells:
    - id: rescue_north
      operator: rescue
      segment: [yanbian, kunming]
      knows_cells: [broker_south]
      knows_safe_houses: [house_yanbian]
    - id: broker_south
      operator: broker
      segment: [kunming, vientiane, bangkok]
  safe_houses:
    - {id: house_yanbian, location: yanbian, cell: rescue_north, capacity: 12}
    - {id: house_kunming, location: kunming, cell: broker_south, capacity: 8}
population:
  departures_per_day: 5
  women_share: 0.7
  initial:
    - location: yanbian
      count: 1000
      settled_share: 0.4
parameters:
  crossing:
    detection: 0.2
  hiding:
    review_days: 14
timeline:
  - start: 2003-06-01
    end: 2004-06-01
    action: scale
    input: crackdown
    where: china
    value: 2.0
    ramp_days: 30
    description: Crackdown ahead of the Games
  - start: 2005-01-01
    action: close_route
    where: mekong
  - start: 2006-03-01
    action: raid
    where: kunming
  - start: 2008-01-01
    action: airlift
    where: vientiane
    target: seoul
"""


@pytest.fixture(scope="session")
def valid_text() -> str:
    """The valid scenario as text; session-scoped so hypothesis tests can use it."""
    return VALID
