"""RQ workers: fetch each uploaded object, check it, extract its text, count, store the result."""
