"""Real Redis and PostgreSQL servers of the tests' own, to stop and freeze (fault tests).

Each runs in a temporary directory on a free loopback port, never the machine's services.
`stop()` is an outage (connections refused), `freeze()` stops the process with SIGSTOP: the
kernel still accepts connections and data, nothing answers — the worst case for a client.
FAULT_TEST_PORTS=8300-8399 limits the ports chosen (for a shared machine); otherwise the
system picks one. `free_port()` never hands the same port out twice in a process (a server's port
is chosen before it listens), and `ScratchRedis.start()` checks that Redis itself answers on it:
otherwise a Redis and a PostgreSQL built one after the other got the same port, the Redis exited
at once, and its "cache" was the PostgreSQL server (every cache call failed), so no page was ever
cached and a PostgreSQL outage looked like cached pages answering 503.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"


# Ports this process has handed out, listening yet or not.
_handed_out: set[int] = set()
_handed_out_lock = threading.Lock()


def free_port() -> int:
    """A loopback port free now and not handed out before by this process; within
    FAULT_TEST_PORTS (e.g. 8300-8399) when set."""
    low, _sep, high = os.environ.get("FAULT_TEST_PORTS", "").partition("-")
    # Port 0: the system picks one (a few tries, in case it picks one handed out already).
    candidates = range(int(low), int(high) + 1) if high else [0] * 20
    with _handed_out_lock:
        for port in candidates:
            if port in _handed_out:
                continue
            with socket.socket() as sock:
                try:
                    sock.bind((HOST, port))
                except OSError:
                    continue
                chosen = sock.getsockname()[1]
            if chosen not in _handed_out:
                _handed_out.add(chosen)
                return chosen
    raise RuntimeError(f"no free port in FAULT_TEST_PORTS={os.environ.get('FAULT_TEST_PORTS', '')}")


def _wait_for(ready, what: str, limit: float = 20) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {limit:.0f} s")


def _answers_ping(port: int) -> bool:
    """Redis itself answers on the port (not merely something accepting connections)."""
    try:
        with socket.create_connection((HOST, port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class ScratchRedis:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.root = Path(tempfile.mkdtemp(prefix="briefing-fault-redis-"))
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", HOST, "--dir", str(self.root)]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for(self._ready, "redis-server")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited at start (port {self.port} taken?)")
        return _answers_ping(self.port)

    def stop(self) -> None:
        """Gone: connections refused. A start() afterwards comes back empty."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        (self.root / "dump.rdb").unlink(missing_ok=True)

    def stop_keeping_keys(self) -> None:
        """Gone, as a Redis with persistence restarting: connections refused, and a start()
        afterwards comes back with every key it held (those not expired meanwhile)."""
        with socket.create_connection((HOST, self.port), timeout=5) as sock:
            sock.sendall(b"SHUTDOWN SAVE\r\n")
            sock.recv(16)  # the connection closes once the keys are on disk
        self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """Resumes where it stopped, with every key it held."""
        self.process.send_signal(signal.SIGCONT)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class ScratchPostgres:
    """A throw-away PostgreSQL cluster (trust auth), run as the postgres user when root."""

    def __init__(self):
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not candidates:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/")
        self.bin = Path(candidates[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="briefing-fault-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            # initdb refuses to run as root.
            shutil.chown(self.root, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{name}"

    def run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        self.run(
            *(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"),
            *("-E", "UTF8", "--no-locale", "--no-sync"),
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses={HOST} -k {self.root} -c fsync=off"
            " -c full_page_writes=off"
        )
        self.run(
            *(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options),
            *("-l", str(self.root / "postgres.log"), "-w", "-t", "30", "start"),
        )

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def _pids(self) -> list[int]:
        """The postmaster and every backend: the whole server, as a frozen machine would be."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGCONT)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.thaw()
                self.stop("immediate")
            except (subprocess.SubprocessError, OSError, ValueError):
                pass
        shutil.rmtree(self.root, ignore_errors=True)
