"""Ingest: the content folder walked, each changed file read, its front matter loaded and
normalised into an `Article` (scan -> read -> guard -> load -> normalise -> encode)."""
