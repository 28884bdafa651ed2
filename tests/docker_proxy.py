"""A Unix-socket proxy in front of the real Docker engine, for fault tests.

Pointing DOCKER_HOST at it gives a grader the real engine, with faults that
would otherwise need the host's engine stopped: `engine_down()` closes every
connection and refuses new ones (as a stopped engine does), `engine_up()`
accepts them again, and `refuse_removal` answers every container removal with
an error, as an engine does for a container it cannot remove.
"""

import contextlib
import socket
import threading
from pathlib import Path

ENGINE_SOCKET = "/var/run/docker.sock"
_REFUSAL = b'{"message":"driver failed to remove root filesystem: device or resource busy"}'
REMOVAL_REFUSED = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(_REFUSAL)).encode() + b"\r\nConnection: close\r\n\r\n" + _REFUSAL
)


class DockerProxy:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.refuse_removal = False
        self.removals_refused = 0
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def engine_up(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        listener.bind(str(self.path))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def engine_down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            engine.connect(ENGINE_SOCKET)
        except OSError:
            client.close()
            return
        with self._lock:
            self._connections |= {client, engine}
        threading.Thread(target=self._pipe, args=(engine, client), daemon=True).start()
        self._pipe(client, engine, requests=True)

    def _refused(self, data: bytes) -> bool:
        request_line = data.split(b"\r\n", 1)[0]
        return (
            self.refuse_removal
            and request_line.startswith(b"DELETE /")
            and b"/containers/" in request_line
        )

    def _pipe(self, source: socket.socket, target: socket.socket, requests: bool = False) -> None:
        try:
            while data := source.recv(65536):
                # Requests on a kept-alive connection come one at a time, each
                # starting a chunk: look at every one going to the engine.
                if requests and self._refused(data):
                    self.removals_refused += 1
                    source.sendall(REMOVAL_REFUSED)
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            # Half-close, so an attach stream still delivers what is on its way.
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_WR)
            if requests:
                with contextlib.suppress(OSError):
                    source.shutdown(socket.SHUT_RDWR)
