"""The state store: what the content folder alone cannot tell (the file manifest, story
ids, when each story was first seen), behind the `StateStore` interface."""
