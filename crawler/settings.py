"""Scrapy settings of the headlines crawler: polite by default, every knob in one place.

Environment variables are read here and nowhere else; components read `crawler.settings`.
"""

from __future__ import annotations

import os

BOT_NAME = "headlines"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Who we are: sites should be able to tell what fetched their page and how to reach its operator. The
# contact is the operator's own (a page or mailto: URL); `headlines crawl` warns while it is unset.
HEADLINES_CONTACT_URL = os.environ.get("HEADLINES_CONTACT_URL", "")
USER_AGENT = "headlines/0.1 " + (f"(+{HEADLINES_CONTACT_URL})" if HEADLINES_CONTACT_URL else "(headline crawler)")

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

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ConditionalRequestMiddleware": 560,
}
ITEM_PIPELINES = {
    "crawler.pipelines.NormalizePipeline": 100,
    "crawler.pipelines.DedupePipeline": 200,
    "crawler.pipelines.ClassifyPipeline": 300,
    "crawler.pipelines.StorePipeline": 400,
}
EXTENSIONS = {
    "crawler.extensions.RunRecorder": 500,
}

# Where things live; the `headlines` command overrides these from --db and --models-dir.
HEADLINES_DB = os.environ.get("HEADLINES_DB", "data/headlines.sqlite3")
HEADLINES_MODELS = os.environ.get("HEADLINES_MODELS", "models")
HEADLINES_CLASSIFY = True  # tag headlines as they are crawled
HEADLINES_CLASSIFY_BATCH = 256  # headlines tagged together
HEADLINES_STORE_BATCH = 500  # headlines written per transaction
HEADLINES_CRAWL_ID = None  # set by `headlines crawl` to group the runs of one invocation

DROPITEM_LOG_LEVEL = "DEBUG"  # drops are counted by reason in the run report
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
