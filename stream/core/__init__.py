"""The pure parser: raw message bytes in, entry and dead-letter records out.

No I/O, no clock, no Kafka: everything here is a function of its arguments.
``process_message`` (in ``process``) is the entry point.
"""
