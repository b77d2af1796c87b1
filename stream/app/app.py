"""The Faust application: wiring only.  Topics, tables and agents are named as in
Kafka Streams (every source, processor and sink named); the steps themselves live
in ``stream.app.agents`` and the delivery rule in ``stream.app.delivery``.

Delivery before commit: events are acknowledged by hand, and only once every
record they produced has been acknowledged by the broker; a failed send is retried
and the worker does not move past it.  A crash can repeat an entry (same entry_id
and revision) but never lose one.
"""

from __future__ import annotations

import asyncio
from functools import partial

import faust

from stream.app.agents import Agents, DiffStories, OutputTopics, ParsePages, Transactions
from stream.app.delivery import DeliveryTracker, Send, Sender
from stream.app.handoff import use_lean_handoff
from stream.app.health import LAG_INTERVAL_S, WorkerHealth
from stream.app.metrics import WorkerMetrics
from stream.app.recovery import seek_before_resuming
from stream.app.routing import default_partitioner
from stream.app.tables import ChangeloggedTable, ChangelogRecords
from stream.app.transactions import (
    CommitGate,
    mark_clean_stop,
    shorten_restore_idle_wait,
    transactional_id_of,
    use_commit_gate,
)
from stream.app.watch import Watch
from stream.app.web import add_pages, add_status_page
from stream.connection import client_options, tls_context
from stream.settings import Settings


def create_app(settings: Settings, raw_partitions: int | None = None) -> faust.App:
    """The Faust application, configured from ``settings``.  ``raw_partitions``: how
    many partitions the raw topic has; when as many as the tables, a raw page on its
    story's partition is applied where it is read (``stream.app.routing``)."""
    app = faust_app(settings)
    seek_before_resuming(app)
    shorten_fetch_long_poll(app)
    # before any partition is assigned, so before the first message
    app.on_partitions_revoked.connect(lambda *args, **kwargs: use_lean_handoff(app.consumer))
    pages_by_story_name = settings.pages_by_story_topic
    raw_pages = app.topic(settings.raw_topic, key_type=bytes, value_type=bytes)
    pages_by_story = app.topic(
        pages_by_story_name,
        key_type=bytes,
        value_type=bytes,
        partitions=settings.partitions,
        internal=True,
        config={"max.message.bytes": str(settings.max_message_bytes)},
    )
    outputs = OutputTopics(settings.entries_topic, settings.deadletter_topic, pages_by_story_name)
    stories = app.Table("stories", partitions=settings.partitions, key_type=bytes, value_type=bytes)
    entry_blocks = app.Table(
        "entry_blocks", partitions=settings.partitions, key_type=bytes, value_type=bytes
    )

    sender = producer_sender(app)
    metrics, health = WorkerMetrics(), WorkerHealth()
    parse_tracker = DeliveryTracker("parse_pages", sender, settings.max_pages_in_flight)
    diff_tracker = DeliveryTracker("diff_stories", sender, settings.max_pages_in_flight)
    watch = Watch(
        app=app,
        connection=client_options(settings),
        group=settings.app_id,
        input_topics=settings.input_topics,
        trackers=[parse_tracker, diff_tracker],
        tables={"stories": stories, "entry_blocks": entry_blocks},
        metrics=metrics,
        health=health,
    )
    parse_tracker.on_delivered = diff_tracker.on_delivered = watch.delivered
    exactly_once = settings.processing_guarantee == "exactly_once"
    changelog = ChangelogRecords()
    diff_step = DiffStories(
        outputs,
        ChangeloggedTable(stories, changelog, persist_offsets=not exactly_once),
        ChangeloggedTable(entry_blocks, changelog, persist_offsets=not exactly_once),
        on_story=watch.story_seen,
        by_raw_position=exactly_once,
        changelog=changelog.take,
    )
    transactions = None
    # Not app.in_transaction: Faust caches it, and it is False until the worker starts.
    if exactly_once:
        gate = CommitGate(
            [parse_tracker, diff_tracker],
            on_clean_end=lambda: mark_clean_stop(app.conf.tabledir),
            is_stopping=lambda: app.consumer.should_stop,
        )
        use_commit_gate(app, gate)
        shorten_restore_idle_wait()
        transactions = Transactions(gate, partial(transactional_id_of, app))
    agents = Agents(
        parse_step=ParsePages(
            outputs,
            settings.max_page_bytes,
            diff=diff_step if raw_partitions == settings.partitions else None,
            partitions=settings.partitions,
        ),
        diff_step=diff_step,
        parse_tracker=parse_tracker,
        diff_tracker=diff_tracker,
        deadletter_topic=outputs.deadletters,
        observe=metrics.observe_step,
        transactions=transactions,
        unsent=changelog.take,
    )
    app.agent(raw_pages, name="parse_pages")(agents.parse_pages)
    app.agent(pages_by_story, name="diff_stories")(agents.diff_stories)
    app.on_partitions_revoked.connect(agents.forget_in_flight)
    app.timer(1.0, name="heartbeat")(watch.heartbeat)
    app.timer(LAG_INTERVAL_S, name="watch_lag")(watch.watch_lag)
    metrics.watch(watch.state)
    trackers = {"parse_pages": parse_tracker, "diff_stories": diff_tracker}
    add_pages(app, metrics, health, trackers, settings.delivery_timeout_s)
    add_status_page(app, watch, settings)
    return app


#: Faust builds its aiokafka consumer with a 1.5 s fetch long-poll (``fetch_max_wait_ms``,
#: not a setting).  A broker answers one request per connection at a time, so each
#: offset look-up of a table restore waited behind an empty long-poll: 1.1-1.5 s,
#: twice per restart (aiokafka's debug log in the kill -9 scenario).
FETCH_MAX_WAIT_MS = 200


def shorten_fetch_long_poll(app: faust.App) -> None:
    """Set the consumer's fetch long-poll to ``FETCH_MAX_WAIT_MS`` once it exists (at
    the first rebalance, before any partition is assigned)."""

    def apply(sender: object, *args: object, **kwargs: object) -> None:
        client = app.consumer._thread._consumer  # type: ignore[attr-defined]
        fetcher = getattr(client, "_fetcher", None)
        if fetcher is not None:
            fetcher._fetch_max_wait_ms = FETCH_MAX_WAIT_MS

    app.on_partitions_revoked.connect(apply)


def broker_credentials(settings: Settings) -> faust.auth.Credentials | None:
    """Faust's form of the connection settings (``stream.connection``)."""
    context = tls_context(settings)
    if settings.uses_sasl:
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password_value(),
            mechanism=settings.sasl_mechanism,
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def faust_app(settings: Settings) -> faust.App:
    """The Faust app and its Kafka client settings."""
    return faust.App(
        settings.app_id,
        broker=[f"kafka://{server.strip()}" for server in settings.bootstrap_servers.split(",")],
        broker_credentials=broker_credentials(settings),
        store="rocksdb://" if settings.store == "rocksdb" else "memory://",
        datadir=str(settings.data_dir),
        processing_guarantee=settings.processing_guarantee,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        # The same size limit as the broker: the largest page, and its dead letter.
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        producer_max_batch_size=256 * 1024,
        producer_linger=0.005,
        producer_partitioner=default_partitioner,
        producer_request_timeout=settings.delivery_timeout_s,
        # A failing event must never be acknowledged by accident.
        stream_ack_exceptions=False,
        stream_ack_cancelled_tasks=False,
        # Under exactly_once the commit gate waits for the events under way itself
        # (stream.app.transactions); Faust's wait would also wait for an event held at
        # the gate during a rebalance, which is dropped and read again instead.
        stream_wait_empty=settings.processing_guarantee != "exactly_once",
        broker_commit_interval=1.0,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
        consumer_group_instance_id=settings.group_instance_id or None,
    )


def producer_sender(app: faust.App) -> Sender:
    """Hand records to the producer directly: the values are bytes already
    (``Topic.send`` wraps each record in several futures and was a sixth of the
    worker's time).  Outside transactions, to Faust's aiokafka producer itself
    (Faust's ``send`` only adds a signal nothing here listens to).  Under exactly_once
    each goes through Faust, in the transaction of the input record it comes from
    (``stream.app.transactions``)."""

    async def send(record: Send) -> asyncio.Future:
        if record.transactional_id is None:
            return await app.producer._ensure_producer().send(  # type: ignore[attr-defined]
                record.topic,
                record.value,
                key=record.key,
                partition=record.partition,
                headers=record.headers,
            )
        return await app.producer.send(
            topic=record.topic,
            key=record.key,
            value=record.value,
            partition=record.partition,
            timestamp=None,
            headers=record.headers,
            transactional_id=record.transactional_id,
        )

    return send
