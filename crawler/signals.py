"""The crawler's own signal, sent like Scrapy's through ``crawler.signals``."""

source_finished = object()
"""A source's run has ended: ``send_catch_log(source_finished, run=RunRecord)``, status decided."""
