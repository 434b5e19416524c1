"""Deployment and local-run tooling: the embedded stack, MinIO setup, deployment files."""
