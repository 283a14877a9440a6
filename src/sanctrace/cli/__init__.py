"""Thin command layer: one module per capability, no logic (that lives in the capability packages)."""
