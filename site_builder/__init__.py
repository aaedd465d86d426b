"""site_builder: static sites for industrial-chain Party-building alliances."""

__version__ = "0.1.0"
