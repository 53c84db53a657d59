"""Rendered before/after comparison of two stylesheets: pixel diff, changed regions, report (no Qt)."""
