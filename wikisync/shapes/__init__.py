"""One parser per page shape, and what they share; the only package that sees mwparserfromhell's nodes.

``themes``: the narrative report of the All-Hands kind (:func:`wikisync.shapes.themes.parse_themes`).
``statements``: the source pages of the 2017 strategy cycles, one table of summary statements
each (Cycle 1, 2 and 3 and the drafting feedback), parsed into :mod:`wikisync.shapes.records`.
``requests``: the ``{{wikisync request}}`` templates of the request page.
"""

__all__: list[str] = []
