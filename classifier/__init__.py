"""Sector classifier for headlines: pure machine learning, no Scrapy and no database."""

LABELS: tuple[str, ...] = ("ev", "fintech", "chips", "ecommerce", "other")
SECTORS: tuple[str, ...] = LABELS[:-1]
