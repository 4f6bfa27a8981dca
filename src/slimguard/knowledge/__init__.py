"""What slimguard knows about base images: the knowledge base, engine facts, image references."""
