"""The compiled daily hazards of those hiding in China (see `processes.hiding`).

Six hazards per person from her state, sex, the crackdown where she is and whether she
can pay a broker: in NumPy a dozen array operations on the few dozen people due at a
time, each costing microseconds whatever its size; here, one pass.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tumen.engine.states import State

# Columns of the hazard matrix, in this order.
ARREST, TRAFFICKING, SETTLE, ESCAPE, REFERRAL, BROKER = range(6)
# The order of the rates in the parameter vector `hazards` takes.
RATE_NAMES = ("arrest_men", "arrest_women", "trafficking_men", "trafficking_women", "settle",
              "trafficked_escape", "referral", "broker_contact", "settled_hazard_factor")

_HIDING, _TRAFFICKED = State.HIDING, State.TRAFFICKED


@njit(cache=True)
def hazards(rows, state, woman, crackdown, can_pay, rates):
    """Daily hazard of each event for each row: float [rows, 6]. Those settled into
    long-term hiding face all but settling and escape at the settled factor; the
    trafficked cannot be trafficked again, settle or meet a broker, but may escape."""
    out = np.zeros((rows.size, 6))
    for i in range(rows.size):
        row = rows[i]
        code, female = state[row], woman[row]
        damped = 1.0 if code == _HIDING else rates[8]
        out[i, ARREST] = (rates[1] if female else rates[0]) * crackdown[i] * damped
        if code != _TRAFFICKED:
            out[i, TRAFFICKING] = (rates[3] if female else rates[2]) * damped
            if can_pay[i]:
                out[i, BROKER] = rates[7]
        else:
            out[i, ESCAPE] = rates[5]
        if code == _HIDING:
            out[i, SETTLE] = rates[4]
        out[i, REFERRAL] = rates[6] * damped
    return out
