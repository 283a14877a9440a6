"""sanctrace: sanctions enforcement for crypto exchanges.

Screen customers and wallets across scripts, unmask ownership (OFAC 50% rule), trace Bitcoin,
decide on transfers, and keep cases and reports with a tamper-evident audit trail.
"""

__version__ = "0.1.0"
