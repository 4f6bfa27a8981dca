"""Analyses of the Dockerfile model that several rules share (rules never import each other)."""
