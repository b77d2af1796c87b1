"""Story state and the re-scrape plan: pure functions over values; the app stores them."""
