"""Output: feeds, pages and the OPML rendered to bytes (pure), and a publisher that puts
them where readers fetch them."""
