"""`filejobs`: a command line for the file-jobs HTTP API (submit, status, watch, drop, requeue, stats)."""
