"""Scrapy settings of the headlines crawler: polite by default, every knob in one place.

Environment variables are read here and nowhere else; components read `crawler.settings`, and values
derived from other settings (the User-Agent) are computed by the add-on once all settings are known.
"""

from __future__ import annotations

import os

from classifier import DEFAULT_MODELS_DIR
from store import DEFAULT_DB

BOT_NAME = "headlines"
SPIDER_MODULES = ["crawler.spiders"]
COMMANDS_MODULE = "crawler.commands"
NEWSPIDER_MODULE = "crawler.spiders"

# Who we are: sites should be able to tell what fetched their page and how to reach its operator. The
# contact is the operator's own (a page or mailto: URL); crawls warn while it is unset. The add-on turns
# it into USER_AGENT (set USER_AGENT itself to override that).
HEADLINES_CONTACT_URL = os.environ.get("HEADLINES_CONTACT_URL", "")
ADDONS = {"crawler.addon.HeadlinesAddon": 0}

# Politeness: robots.txt, one or two requests at a time per site, a pause between them that adapts.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # each pause is the delay ±50%
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Faults: give up on a silent server, retry the transient failures, refuse absurd responses.
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

# One engine serves every source of a crawl: offsite rule and duplicate filter are applied per source,
# and the per-site limits above hold across sources (see crawler/downloader.py for why it is replaced).
DOWNLOADER = "crawler.downloader.SlotLimitedDownloader"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.SourceOffsiteMiddleware": 50,
    "crawler.middlewares.ConditionalRequestMiddleware": 560,
}
DUPEFILTER_CLASS = "crawler.dupefilter.SourceDupeFilter"
SPIDER_MIDDLEWARES = {
    "crawler.classify.ClassifyMiddleware": 950,  # tags a page's headlines in one model call
}
ITEM_PIPELINES = {
    "crawler.pipelines.DedupePipeline": 200,
    "crawler.pipelines.StorePipeline": 400,
}
EXTENSIONS = {
    "crawler.extensions.CrawlStore": 100,
    "crawler.extensions.RunRecorder": 500,
    "crawler.extensions.FreezeStartupObjects": 900,
}

# Where things live; the `headlines` command overrides these from --db and --models-dir.
HEADLINES_DB = os.environ.get("HEADLINES_DB", DEFAULT_DB)
HEADLINES_MODELS = os.environ.get("HEADLINES_MODELS", DEFAULT_MODELS_DIR)
HEADLINES_DB_TIMEOUT = 60.0  # seconds a write waits while another process holds the database lock
HEADLINES_CLASSIFY = True  # tag headlines as they are crawled
HEADLINES_CLASSIFY_PROCESS = True  # in a child process, on another core (False: in the crawl's own thread)
HEADLINES_GC_FREEZE = True  # keep what start-up loaded (the model above all) out of garbage collections
HEADLINES_CONDITIONAL = True  # ask with ETag / Last-Modified, so an unchanged page costs a 304
HEADLINES_STORE_BATCH = 500  # headlines written per transaction
HEADLINES_CRAWL_ID = None  # set by `headlines crawl` to group the runs of one invocation

# Scrapy starts CONCURRENT_ITEMS tasks for every response's output (100 by default); our item pipelines
# are synchronous, so more than a few only costs tasks: 8 made a first crawl of benchmarks/crawl_bench.py
# about 10% faster than 100, and 1 slower (a page's headlines wait for their tags).
CONCURRENT_ITEMS = 8

LOG_FORMATTER = "crawler.logformatter.HeadlinesLogFormatter"  # drops are counted by reason in the stats
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
