"""liveblog-stream: live-blog pages from Kafka in, one clean message per entry out."""

__version__ = "0.1.0"
