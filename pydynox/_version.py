"""The package version, kept where every layer may read it (the wire transport sends it in
its User-Agent)."""

__version__ = "0.1.0"
