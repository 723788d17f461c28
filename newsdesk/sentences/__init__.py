"""The sentence engine: splits a cleaned body into sentences with offsets."""
