"""Baselines measured in the same run: the original design on Celery, and a plain RQ set-up."""
