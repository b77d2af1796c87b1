"""Small process and port helpers shared by the run command, the tests and the benchmarks."""

from __future__ import annotations

import signal
import socket
import subprocess


def free_port_pair() -> int:
    """A free port whose next port is free too (the local broker's controller uses it)."""
    return free_ports(2)


def free_ports(count: int) -> int:
    """A free port whose next ``count - 1`` ports are free too (the secured local
    broker uses three: SASL_SSL, controller, mutual TLS)."""
    for _ in range(100):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
        if all(_is_free(port + offset) for offset in range(1, count)):
            return port
    raise RuntimeError(f"no {count} consecutive free ports on 127.0.0.1")


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
