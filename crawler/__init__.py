"""The Scrapy project: sources, page objects, spiders, pipelines and the headline store."""
