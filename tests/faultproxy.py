"""A small loopback TCP fault proxy for the sync tests: cut, reset, stall, throttle, or answer by itself.

Hand-written because toxiproxy is not in Debian and the pure-Python proxies on the package index are
immature; a few dozen lines give deterministic faults at any byte. Counts are cumulative over every
connection of the proxy's life, per direction (``up``: client → server, ``down``: server → client), so
"cut after N bytes" places one cut anywhere in a whole send; after a one-shot fault fires, bytes pass.
Bounded in time (``lifetime``); listens and connects on 127.0.0.1 only. With ``tunnel`` it is the
town hall's HTTPS proxy: each connection starts with ``CONNECT``, then the same relay and faults.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Fault:
    cut_after: int | None = None  # one-shot: kill the connection when this many bytes went this way
    direction: str = "up"
    reset: bool = False  # RST (SO_LINGER 0) rather than a clean close
    stall_on: bytes | None = None  # down, one-shot: hold the answer that contains these bytes, forever
    throttle: int | None = None  # bytes per second, both ways
    answer: bytes | None = None  # answer every request with these bytes (garbage, a portal's HTML 200)


@dataclass
class FaultProxy:
    upstream_port: int
    fault: Fault = field(default_factory=Fault)
    lifetime: float = 300.0
    port: int = 0
    up: int = 0
    down: int = 0
    fired: threading.Event = field(default_factory=threading.Event)
    stalled: threading.Event = field(default_factory=threading.Event)
    tunnel: bool = False  # an HTTPS proxy instead: each connection opens with CONNECT 127.0.0.1:port
    tunnelled: list[str] = field(default_factory=list)  # the CONNECT targets, in order

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._deadline = time.monotonic() + self.lifetime
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set(self, fault: Fault) -> None:
        with self._lock:
            self.fault, self.up, self.down = fault, 0, 0
            self.fired.clear()
            self.stalled.clear()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            for s in self._sockets:
                _kill(s, reset=False)

    def _live(self) -> bool:
        return not self._stop.is_set() and time.monotonic() < self._deadline

    def _accept(self) -> None:
        while self._live():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        if self.fault.answer is not None:
            client.settimeout(5)
            try:
                client.recv(65536)
                client.sendall(self.fault.answer)
            except OSError:
                pass
            _kill(client, reset=False)
            return
        port = self._connect_request(client) if self.tunnel else self.upstream_port
        try:
            if port is None:
                raise OSError("not a CONNECT to 127.0.0.1")
            server = socket.create_connection(("127.0.0.1", port), timeout=5)
            if self.tunnel:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        except OSError:
            _kill(client, reset=True)
            return
        with self._lock:
            self._sockets += [client, server]
        pair = (client, server)
        threading.Thread(target=self._pump, args=(client, server, "up", pair), daemon=True).start()
        self._pump(server, client, "down", pair)

    def _connect_request(self, client: socket.socket) -> int | None:
        """Read ``CONNECT 127.0.0.1:PORT HTTP/1.1`` and its headers (what requests sends to an HTTPS
        proxy); the port to open, or None for anything else (the tunnel only reaches loopback)."""
        client.settimeout(5)
        head = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = client.recv(1)  # byte by byte: what follows the headers is the client's TLS
                if not chunk:
                    break
                head += chunk
        parts = head.split(b"\r\n", 1)[0].split()
        if len(parts) != 3 or parts[0] != b"CONNECT":
            return None
        host, _, port = parts[1].decode("ascii", "replace").rpartition(":")
        with self._lock:
            self.tunnelled.append(f"{host}:{port}")
        return int(port) if host == "127.0.0.1" and port.isdigit() else None

    def _pump(self, src: socket.socket, dst: socket.socket, direction: str, pair: tuple[socket.socket, ...]) -> None:
        src.settimeout(0.5)
        holding = False
        while self._live():
            try:
                data = src.recv(16384)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            with self._lock:
                fault = self.fault
                seen = self.up if direction == "up" else self.down
                cut = None
                armed = fault.cut_after is not None and fault.direction == direction and not self.fired.is_set()
                if armed and fault.cut_after is not None and seen + len(data) >= fault.cut_after:
                    cut = max(0, fault.cut_after - seen)
                    self.fired.set()
                stall = fault.stall_on if direction == "down" and not self.stalled.is_set() else None
                if stall is not None and stall in data:  # one-shot: this connection's answer is held forever
                    holding = True
                    self.stalled.set()
                if direction == "up":
                    self.up += len(data) if cut is None else cut
                else:
                    self.down += len(data) if cut is None else cut
            if holding:
                continue  # swallow the answer and everything after: the client waits, the server is done
            try:
                if cut is not None:
                    if cut:
                        dst.sendall(data[:cut])
                    for s in pair:
                        _kill(s, reset=fault.reset)
                    return
                if fault.throttle:
                    for i in range(0, len(data), max(1, fault.throttle // 20)):
                        piece = data[i : i + max(1, fault.throttle // 20)]
                        dst.sendall(piece)
                        time.sleep(len(piece) / fault.throttle)
                else:
                    dst.sendall(data)
            except OSError:
                break
        if holding:
            return  # held forever, even once the server hangs up (its keep-alive): the client waits on
        for s in pair:
            _kill(s, reset=False)


def _kill(s: socket.socket, *, reset: bool) -> None:
    try:
        if reset:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        s.close()
