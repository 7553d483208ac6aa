"""Parsers for page shapes other than the All-Hands narrative report.

``statements``: the source pages of the 2017 strategy cycles, one table of summary statements
each (Cycle 1, 2 and 3 and the drafting feedback), parsed into :mod:`wikisync.shapes.records`.
"""

__all__: list[str] = []
