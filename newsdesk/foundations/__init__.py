"""Foundations every layer may use: settings, the workspace, ids, errors, the shard runner."""
