"""Review: what a change does to a theme (token impact, contrast gate)."""
