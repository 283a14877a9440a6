"""Monitoring: the exchange ledger, declarative rules over it, backtests, and transfer decisions.

Reads what the other capabilities found (screening hits, ownership verdicts, chain exposure) only
through the signal tables materialised by :mod:`sanctrace.monitoring.signals`.
"""
