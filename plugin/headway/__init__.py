"""headway: decision and learning records kept in git, published as a site stakeholders browse."""

__version__ = "0.1.0"
