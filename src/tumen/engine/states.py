"""The states an escapee can be in, as small integer codes.

Every escapee is in exactly one state on every day; the state counts are kept
incrementally by `Population.move` and checked against a full recount at the end.
"""

from __future__ import annotations

import numpy as np


class State:
    """The state codes. Plain integers, not an IntEnum: NumPy looks special attributes
    up on an enum member's class, through the enum machinery, several microseconds a
    time, and the engine compares and assigns codes hundreds of times a day."""

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


def _codes(namespace: type) -> list[str]:
    """The names of a namespace's codes, in code order."""
    codes = {name: value for name, value in vars(namespace).items() if name.isupper()}
    return sorted(codes, key=codes.__getitem__)


STATE_NAMES = _codes(State)
N_STATES = len(STATE_NAMES)
HIDDEN_STATES = (State.HIDING, State.SETTLED, State.TRAFFICKED)
TERMINAL_STATES = (State.ARRIVED_SK, State.ARRIVED_US, State.STAYED_NK, State.DIED)


class Pending:
    """What an escapee's next wake-up is for, where a state has several possibilities."""

    REVIEW = 0
    EVENT = 1
    ARREST = 2
    RESCUE = 3
    BROKER = 4
    QUEUED = 5


class Channel:
    """Who is moving an escapee along the route."""

    NONE = 0
    RESCUE = 1
    BROKER = 2


N_CHANNELS = len(_codes(Channel))


def state_names() -> list[str]:
    """Lower-case state names in code order, for column names."""
    return [name.lower() for name in STATE_NAMES]


STATE_CODES = np.arange(N_STATES, dtype=np.int8)
