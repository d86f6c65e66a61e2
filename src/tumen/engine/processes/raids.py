"""Police raids on safe houses and hideouts, and what a caught cell gives away.

A raid catches everyone inside a safe house together. Police who find an escapee
waiting at a stop find where she waits: her safe house, which is raided, or the hideout
outside one where her cell's group waits, who are caught with her, up to a group's size
(escapees travel in groups, seed 001). The caught cell reveals what it
knows: each safe house and each cell it knows is compromised with the network's
disclosure probability, and a compromised cell reveals in turn (a cascade). Compromised
houses close for a while; some are raided on the spot.
"""

from __future__ import annotations

import numpy as np

from tumen.engine import draws, journey_end_kernels
from tumen.engine.context import Context
from tumen.engine.processes import detention
from tumen.engine.states import State


def raid_house(ctx: Context, house: int) -> None:
    """Arrest everyone in `house`, close it, and follow what its cell knew."""
    ctx.count("safe_house_raids", 1)
    caught = ctx.houses.occupants(ctx.pop, house)
    ctx.count("raid_arrests", caught.size)
    detention.arrest(ctx, caught)
    _close(ctx, house)
    compromise(ctx, int(ctx.world.network.house_cell[house]), raided=house)


def raid_stops(ctx: Context, found: np.ndarray) -> None:
    """Raid where each of `found` (waiting escapees the police found today) waits."""
    if found.size == 0:
        return
    pop = ctx.pop
    houses = pop.safe_house[found]
    for house in np.unique(houses[houses >= 0]).tolist():
        raid_house(ctx, house)
    # The rest wait in the open, some since a raid's cascade closed their house today.
    in_open = found[pop.state[found] == State.WAITING]
    if in_open.size == 0:
        return
    n_cells = len(ctx.world.network.cell_ids)
    keys = pop.location[in_open].astype(np.int64) * (n_cells + 1) + pop.cell[in_open] + 1
    stop_keys, found_at = np.unique(keys, return_inverse=True)
    size = ctx.params.raids.group_size
    room = (np.full(stop_keys.size, -1) if size == 0 else
            np.maximum(0, size - np.bincount(found_at, minlength=stop_keys.size)))
    others, at = journey_end_kernels.waiting_with(
        in_open.astype(np.int64), stop_keys, room.astype(np.int64), pop.state,
        pop.safe_house, pop.location, pop.cell, n_cells)
    # Stop by stop (by place, then cell), each in row order.
    caught = np.concatenate([in_open, others[np.argsort(at, kind="stable")]])
    ctx.count("hideout_raids", stop_keys.size)
    ctx.count("raid_arrests", caught.size)
    detention.arrest(ctx, caught)


def compromise(ctx: Context, cell: int, raided: int = -1) -> None:
    """Cascade from a caught `cell` over the knowledge graph; close what is revealed."""
    network, params = ctx.world.network, ctx.world.network_params
    rng = ctx.rng("raids")
    p = params.disclosure_probability
    revealed_cells = {cell}
    frontier = [cell]
    revealed_houses: set[int] = set()
    while frontier:
        talking = frontier.pop()
        houses = np.flatnonzero(network.cell_knows_house[talking])
        revealed_houses.update(houses[rng.random(houses.size) < p].tolist())
        cells = np.flatnonzero(network.cell_knows_cell[talking])
        for other in cells[rng.random(cells.size) < p].tolist():
            if other not in revealed_cells:
                revealed_cells.add(other)
                frontier.append(other)
    revealed_houses.discard(raided)
    open_now = ctx.houses.is_open(ctx.day)
    for house in sorted(revealed_houses):
        if not open_now[house]:
            continue
        if rng.random() < params.raid_on_compromise:
            caught = ctx.houses.occupants(ctx.pop, house)
            ctx.count("raid_arrests", caught.size)
            detention.arrest(ctx, caught)
        else:
            _evict(ctx, house)
        _close(ctx, house)


def _evict(ctx: Context, house: int) -> None:
    """Those inside a house that closes go on waiting in the open."""
    inside = ctx.houses.occupants(ctx.pop, house)
    ctx.houses.vacate(ctx.pop.safe_house[inside])
    ctx.pop.safe_house[inside] = -1


def _close(ctx: Context, house: int) -> None:
    closure = ctx.world.network_params.closure_days
    days = int(draws.days(ctx.rng("raids"), closure, 1)[0])
    ctx.houses.close(house, ctx.day + days)
    ctx.count("safe_houses_compromised", 1)


class Raids:
    """Each occupied, open safe house is raided today with a crackdown-driven chance."""

    name = "raids"

    def step(self, ctx: Context) -> None:
        houses = ctx.houses
        occupied, odds = journey_end_kernels.raid_odds(
            houses.occupancy, houses.closed_until, ctx.day, ctx.world.network.house_location,
            ctx.world.graph.location_country, ctx.world.inputs["crackdown"][:, ctx.day],
            ctx.params.raids.rate_per_house_day)
        if occupied.size == 0:
            return
        hit = occupied[ctx.rng(self.name).random(occupied.size) < odds]
        for house in hit.tolist():
            raid_house(ctx, house)
