"""Declarative monitoring rules: YAML rule sets, a safe expression language, SQL and in-memory back ends."""
