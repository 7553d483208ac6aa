"""wikisync: parse MediaWiki report pages, check them, and publish generated pages."""

__all__ = ["__version__"]
__version__ = "0.1.0"
