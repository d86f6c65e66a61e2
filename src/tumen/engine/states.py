"""The states an escapee can be in, as small integer codes.

Every escapee is in exactly one state on every day; the state counts are kept
incrementally by `Population.move` and checked against a full recount at the end.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class State(IntEnum):
    APPROACHING = 0
    IMPRISONED_NK = 1
    HIDING = 2
    SETTLED = 3
    TRAFFICKED = 4
    TRAVELLING = 5
    WAITING = 6
    DETAINED_CHINA = 7
    DETAINED_THIRD = 8
    DETAINED_THAILAND = 9
    ARRIVED_SK = 10
    ARRIVED_US = 11
    STAYED_NK = 12
    DIED = 13


N_STATES = len(State)
HIDDEN_STATES = (State.HIDING, State.SETTLED, State.TRAFFICKED)
TERMINAL_STATES = (State.ARRIVED_SK, State.ARRIVED_US, State.STAYED_NK, State.DIED)


class Pending(IntEnum):
    """What an escapee's next wake-up is for, where a state has several possibilities."""

    REVIEW = 0
    EVENT = 1
    ARREST = 2
    RESCUE = 3
    BROKER = 4
    QUEUED = 5


class Channel(IntEnum):
    """Who is moving an escapee along the route."""

    NONE = 0
    RESCUE = 1
    BROKER = 2


def state_names() -> list[str]:
    """Lower-case state names in code order, for column names."""
    return [state.name.lower() for state in State]


STATE_CODES = np.arange(N_STATES, dtype=np.int8)
