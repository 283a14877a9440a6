"""The demo world: a synthetic Japanese exchange with planted sanctions-evasion schemes and ground truth.

Used by ``make run``, by tests and by the detection benchmark. Everything is deterministic by seed.
"""
