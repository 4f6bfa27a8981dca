"""Analyses shared by lint (Dockerfiles), check (compose, Kubernetes, docker run) and audit (built images)."""
