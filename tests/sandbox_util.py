"""Watching a grading run from outside the sandbox: a server on 127.0.0.1 that counts connections, and a
sampler of the fork bomb's live children and of the largest file a kernel wrote."""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path


class Server:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.accepted, self.running = 0, True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            connection.close()

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.socket.close()


def sleepers(argument: str) -> int:
    """How many `sleep <argument>` processes (the fork bomb's children) are alive, anywhere on the machine."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[:2] == [b"sleep", argument.encode()]:
                        count += 1
            except OSError:
                pass
    return count


def largest_file(folder: Path) -> int:
    largest = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                largest = max(largest, os.lstat(os.path.join(root, name)).st_size)
            except OSError:
                pass
    return largest


class Watch:
    """Samples, while grading runs, the fork bomb's live children and the largest file under the copies' folder."""

    def __init__(self, copies: Path, sleep_argument: str):
        self.copies, self.sleep_argument = copies, sleep_argument
        self.most_sleepers, self.largest, self.running = 0, 0, True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while self.running:
            self.most_sleepers = max(self.most_sleepers, sleepers(self.sleep_argument))
            self.largest = max(self.largest, largest_file(self.copies))
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.thread.join(5)
