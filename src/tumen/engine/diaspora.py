"""What the resettled diaspora makes possible: broker lines, and families still saving
to bring relatives out. Shared by intake (clients on credit) and resettlement (chain
escapes)."""

from __future__ import annotations

from tumen.engine.context import Context


def families_with_relatives(ctx: Context) -> float:
    """Families in the South who still have relatives to bring out, counted in whole
    families' worth of relatives (`relatives_max` each)."""
    per_family = ctx.params.resettlement.relatives_max
    return ctx.diaspora.relatives_left / per_family if per_family > 0 else 0.0


def broker_line_share(ctx: Context) -> float:
    """Share of broker business that finds a line to the South today: lines are run
    largely by resettled escapees, so they are scarce while few have resettled."""
    full = ctx.params.intake.broker_lines_resettled
    return 1.0 if full <= 0 else min(1.0, ctx.diaspora.resettled / full)
