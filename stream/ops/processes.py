"""Small process and port helpers shared by the run command, the tests and the benchmarks."""

from __future__ import annotations

import random
import signal
import socket
import subprocess
from pathlib import Path


def free_port_pair() -> int:
    """A free port whose next port is free too (the local broker's controller uses it)."""
    return free_ports(2)


def free_ports(count: int) -> int:
    """A free port whose next ``count - 1`` ports are free too (the secured local
    broker uses three: SASL_SSL, controller, mutual TLS).

    Chosen below the kernel's ephemeral range: a port from that range (what binding
    to port 0 gives) can be handed to an outgoing connection between the check and
    the bind, and a worker then failed to start ("address already in use", seen with
    the many Kafka connections of the fault scenarios)."""
    low, high = 20000, _ephemeral_low() - count
    for _ in range(200):
        port = random.randint(low, high) if high > low else _any_free_port()
        if all(_is_free(port + offset) for offset in range(count)):
            return port
    raise RuntimeError(f"no {count} consecutive free ports on 127.0.0.1")


def _any_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ephemeral_low() -> int:
    """The first port the kernel hands out for outgoing connections."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def stop_gracefully(process: subprocess.Popen, timeout_s: float = 30.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout_s``."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
