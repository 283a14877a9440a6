"""Data shipped with sanctrace: a real OFAC list snapshot, pool attribution, samples."""
