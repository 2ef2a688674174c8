"""Database extensions for Dyne (``dyne.ext.db.alchemical``: SQLAlchemy 2 through Alchemical)."""
