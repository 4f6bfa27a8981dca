"""Dockerfiles: the lossless syntax tree, the semantic model, shell analysis, rules and lint."""
