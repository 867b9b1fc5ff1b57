"""Scrapy settings for newsmon's crawler; our own keys are prefixed NEWSMON_."""

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
