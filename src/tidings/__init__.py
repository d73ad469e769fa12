"""Tidings: a self-hosted news aggregator that folds republished copies of an article into one."""

__version__ = "0.1.0"
