"""The grader's connection to the submission's kernel, where the learner's objects stay.

`Connection` talks to the kernel's agent (agent.py): one request at a time, each a small snippet
executed silently in the kernel, with its data in files (wire.py). The learner's code in a request
may use the learner's time limit (checks.engine.learner.time_limit, 2 s by default) of CPU time, measured
in the kernel (agent.py), so a busy machine never stops fast code; past it the call is reported as
the checks report a slow call: "stopped after N s". A request that waits without using CPU is
stopped by a wall-clock backstop (execute.Limits.call_wall_seconds): the kernel is interrupted.

The proxies it hands out (proxies.py) look to a check like the learner's own objects.
Arguments cross as plain values and come back as the learner's call left them, so in-place
updates are seen; results are plain numbers (wire.decode). An error in the learner's code is raised
here with its type name, message and the learner's own line, so the checks' messages are unchanged.
"""
from __future__ import annotations

import contextlib
import os
import time

import zmq
from jupyter_core.utils import run_sync

from ..engine import learner
from . import proxies, wire

AGENT = "_backprop_grading_agent"
_AGENT_SOURCES = [os.path.join(os.path.dirname(os.path.abspath(__file__)), name) for name in ("agent.py", "agent_guard.py")]
STOP_SECONDS = 30  # an interrupted kernel's time to answer (a busy machine can take seconds) before it is killed


class KernelDied(Exception):
    """The kernel stopped during judging (the learner's code ended the process, or it was killed)."""


class GradingAgentFailed(Exception):
    """The kernel could not answer a request (the notebook broke its own Python, or ran out of memory)."""


class Connection:
    """A blocking client to the kernel of one submission, and the registry of proxies made for it."""

    def __init__(self, km, folder: str, outside: str | None = None, wall_seconds: float = 30.0):
        """folder: the exchange folder as the kernel sees it; outside: as the grader reaches it (in the
        sandbox, through /proc/<pid>/root); wall_seconds: the backstop of one learner request."""
        self.km, self.folder, self.outside = km, folder, outside or folder
        self.wall_seconds = wall_seconds
        self.kc = km.blocking_client()
        self.kc.start_channels(iopub=False, hb=False, control=False)
        self.number = 0
        self.callbacks: dict = {}
        self.classes: dict[str, type] = {}  # learner class name -> its proxy class
        self.dead: str | None = None  # why the kernel can no longer be used

    def close(self) -> None:
        try:
            self.kc.stop_channels()
        except Exception:
            pass

    # ---- requests ----

    def install_agent(self, seconds: float = 30.0) -> None:
        source = ""
        for path in _AGENT_SOURCES:  # one module in the kernel: agent.py's requests use agent_guard.py's functions
            with open(path, encoding="utf-8") as f:
                source += f.read() + "\n"
        code = (
            f"(lambda m: (exec(compile({source!r}, {'<grading agent>'!r}, 'exec'), m.__dict__), "
            f"__import__('sys').modules.__setitem__({AGENT!r}, m)))(__import__('types').ModuleType({AGENT!r}))"
        )
        reply = self._execute(code, seconds)
        if reply["content"].get("status") != "ok":
            raise GradingAgentFailed("the grading agent could not start in the kernel")

    def request(self, payload: dict, files: wire.Files, seconds: float | None = None) -> dict:
        """Send one request (its arrays already saved through `files`) and return the agent's reply.
        seconds: None for the learner's code (its CPU time limit, and the wall-clock backstop), else
        the wall time the agent's own request may take."""
        number = files.prefix[1:]
        if seconds is None:
            payload = dict(payload, cpu=learner.time_limit())
        with self._exchange():
            wire.write_json(os.path.join(self.outside, f"q{number}.json"), payload)
        code = f"__import__('sys').modules[{AGENT!r}].serve({self.folder!r}, {number})"
        try:
            reply = self._execute(code, self.wall_seconds if seconds is None else seconds)
            if reply["content"].get("status") != "ok":
                raise GradingAgentFailed("the notebook's code left the kernel unable to answer the grader")
            with self._exchange():
                answer = wire.read_json(os.path.join(self.outside, f"r{number}.json"))
            if answer.get("interrupted") or answer.get("timed_out"):
                raise learner._TimeUp()
            return answer
        finally:
            self.callbacks.clear()

    def new_files(self) -> wire.Files:
        """Files for the next request; the previous request's files are no longer needed."""
        self.number += 1
        with self._exchange():
            for old in os.listdir(self.outside):
                os.unlink(os.path.join(self.outside, old))
        return wire.Files(self.outside, f"q{self.number}")

    @contextlib.contextmanager
    def _exchange(self):
        """Reading or writing the exchange folder: if it is gone, so is the sandbox (its tmpfs), and so the
        kernel: KernelDied, not the learner's error (an OSError would read as their call raising)."""
        try:
            yield
        except OSError:
            if self.dead or not os.path.isdir(self.outside):
                self.dead = self.dead or "the kernel stopped while the checks ran your code"
                raise KernelDied(self.dead) from None
            raise

    def _execute(self, code: str, seconds: float) -> dict:
        if self.dead:
            raise KernelDied(self.dead)
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=True, stop_on_error=False)
        try:
            reply = self._wait(msg_id, time.monotonic() + seconds)
        except KeyboardInterrupt:  # the instructor stops grading (Ctrl+C, SIGTERM): the kernel is killed next
            raise
        except BaseException:  # the checks' own alarm (a last resort)
            self._stop(msg_id)
            raise
        if reply is None:
            self._stop(msg_id)
            raise learner._TimeUp()
        return reply

    def _wait(self, msg_id: str, deadline: float):
        """The shell reply to msg_id, answering callback requests meanwhile; None past the deadline."""
        poller = zmq.Poller()
        poller.register(self.kc.shell_channel.socket, zmq.POLLIN)
        poller.register(self.kc.stdin_channel.socket, zmq.POLLIN)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            events = dict(poller.poll(min(left, 0.5) * 1000))
            if not events:
                if not run_sync(self.km.is_alive)():
                    self.dead = "the kernel stopped while the checks ran your code"
                    raise KernelDied(self.dead)
                continue
            if self.kc.stdin_channel.socket in events:
                message = self.kc.stdin_channel.get_msg(timeout=0)
                if message["msg_type"] == "input_request":
                    self.kc.input(self._answer_callback(message["content"].get("prompt", "")))
            if self.kc.shell_channel.socket in events:
                message = self.kc.shell_channel.get_msg(timeout=0)
                if message.get("parent_header", {}).get("msg_id") == msg_id:
                    return message

    def _stop(self, msg_id: str) -> None:
        """Interrupt the kernel and wait for it to come back; kill it if it does not."""
        if self.dead:
            return
        try:
            run_sync(self.km.interrupt_kernel)()
            if self._wait(msg_id, time.monotonic() + STOP_SECONDS) is not None:
                return
        except KernelDied:
            return
        except Exception:
            pass
        self.dead = "the kernel did not stop when interrupted"
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass

    def _answer_callback(self, prompt: str) -> str:
        """Run one of the checks' own functions on plain arguments the learner's code gave it."""
        try:
            request = __import__("json").loads(prompt)
            function = self.callbacks[request["cb"]]
            files = wire.Files(self.outside, request["prefix"])
            args = [wire.decode(a, files, self.proxy) for a in request["args"]]
            value = function(*args)
            encoder = wire.Encoder(wire.Files(self.outside, request["prefix"] + "r"), self.callbacks, self.remote_id)
            return __import__("json").dumps({"value": encoder(value)})
        except Exception as exc:
            return __import__("json").dumps({"error": f"{type(exc).__name__}: {exc}"})

    # ---- proxies (proxies.py) ----

    def remote_id(self, x):
        """The kernel's id of `x` if it is a proxy for one of this connection's objects, else None."""
        return proxies.remote_id(self, x)

    def proxy(self, d: dict):
        """A proxy for a kernel object described by the agent: {"id", "kind", "name", "sig"}."""
        return proxies.make(self, d)

    def call(self, object_id: int, args: tuple, kwargs: dict):
        files = self.new_files()
        encoder = wire.Encoder(files, self.callbacks, self.remote_id)
        with self._exchange():
            payload = {"op": "call", "target": object_id, "args": [encoder(a) for a in args],
                       "kwargs": {k: encoder(v) for k, v in kwargs.items()}}
        answer = self.request(payload, files)
        reply_files = wire.Files(self.outside, f"r{files.prefix[1:]}")
        proxies.raise_if_error(answer)
        for original, after in zip(args, answer.get("args", [])):
            wire.copy_back(original, after, reply_files, self.proxy)
        for obj, after in zip(encoder.namespaces, answer.get("namespaces", [])):
            wire.update_namespace(obj, after, reply_files, self.proxy)
        return wire.decode(answer.get("value", {}), reply_files, self.proxy)

    def simple(self, payload: dict, value=None):
        files = self.new_files()
        if value is not None:
            with self._exchange():
                payload["value"] = wire.Encoder(files, self.callbacks, self.remote_id)(value[0])
        answer = self.request(payload, files)
        proxies.raise_if_error(answer)
        return wire.decode(answer["value"], wire.Files(self.outside, f"r{files.prefix[1:]}"), self.proxy) if "value" in answer else None

    def agent_request(self, payload: dict, seconds: float):
        """One of the agent's own requests (no learner object involved): its plain value.
        Raises GradingAgentFailed if the agent could not answer."""
        files = self.new_files()
        answer = self.request(payload, files, seconds=seconds)
        if "error" in answer or "value" not in answer:
            raise GradingAgentFailed(f"the kernel could not answer the grader's {payload.get('op')!r} request")
        return wire.decode(answer["value"], wire.Files(self.outside, f"r{files.prefix[1:]}"), self.proxy)

    def lookup(self, name: str):
        """The learner's top-level object `name` as a proxy or plain value; None if it is not defined."""
        files = self.new_files()
        answer = self.request({"op": "lookup", "name": name}, files)
        if answer.get("missing") or "value" not in answer:
            return None
        return wire.decode(answer["value"], wire.Files(self.outside, f"r{files.prefix[1:]}"), self.proxy)
