"""Stateless HTTP functions: upload, presign, start, status, result, events, batches, health."""
