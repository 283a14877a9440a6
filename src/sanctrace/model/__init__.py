"""Typed domain records shared by every capability (one noun per module)."""
