"""The near-duplicate engine (MinHash and LSH), independent of the workspace."""
