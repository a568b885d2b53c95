"""Feed selection: which feeds exist, and which stories each one holds, in what order."""
