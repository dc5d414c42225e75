"""Spiders, one per kind of source; they navigate and hand the bytes to page objects."""
