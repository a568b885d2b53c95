"""The story index: the stored stories and feed memberships kept in step with the content,
by a full pass or by re-clustering only the neighbourhood of what changed."""
