"""The stages: each reads workspace shards, runs an engine over them and writes shards."""
