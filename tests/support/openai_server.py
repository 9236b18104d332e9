"""A real OpenAI-compatible HTTP server on 127.0.0.1 that streams SSE and can really break the connection.

Run it alone to point the app's sidebar at it: `python -m tests.support.openai_server --port 8765`.
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Fault = Literal["none", "cut", "reset", "stall", "early_end", "status", "html", "hang"]
DEFAULT_TOKENS = ["Hello", ",", " this", " is", " a", " real", " SSE", " stream", "."]


@dataclass
class Script:
    """What the next responses do: the tokens, their pace and the fault to inflict."""

    tokens: list[str] = field(default_factory=lambda: list(DEFAULT_TOKENS))
    delay_s: float = 0.0
    fault: Fault = "none"
    after: int = 0
    """For cut / reset / stall / early_end: how many content chunks go out first."""
    stall_s: float = 5.0
    """For stall and hang (no headers at all for that long): how long the server is silent."""
    status: int = 500
    models: tuple[str, ...] = ("fake-model",)
    api_key: str | None = None
    """When set, requests with another bearer token get a 401 like OpenAI's."""
    faulty_requests: int = 1_000_000
    """Only the first N requests get the fault; later ones succeed (a transient fault)."""
    resume_repeat: int = 0
    """Asked to continue a cut-off reply, first repeat its last N characters (a sloppy real model)."""


@dataclass
class Record:
    """What the server saw of one request, for tests to assert on."""

    payload: dict[str, Any]
    authorization: str = ""
    """The Authorization header as received (tests check whose key reached this server)."""
    chunks_sent: int = 0
    client_closed: bool = False
    finished: bool = False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeOpenAIServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read records instead
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": m, "object": "model"}
                                                        for m in self.server.script.models]})
        else:
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}", "code": "not_found"}})
            return
        if payload.get("model") not in self.server.script.models:
            self._json(404, {"error": {"message": f"The model `{payload.get('model')}` does not "
                                       "exist", "type": "invalid_request_error",
                                       "code": "model_not_found"}})
            return
        record = Record(payload, authorization=self.headers.get("Authorization") or "")
        script, faulty = self.server.begin(record)
        if script.api_key is not None and self.headers.get("Authorization") != f"Bearer {script.api_key}":
            self._json(401, {"error": {"message": "Incorrect API key provided.",
                                       "type": "invalid_request_error", "code": "invalid_api_key"}})
            return
        fault = script.fault if faulty else "none"
        if fault == "hang":  # a server that accepts and then says nothing, not even headers
            time.sleep(script.stall_s)
            self.close_connection = True
            return
        if fault == "html":  # a misconfigured proxy's login page, with a 200
            body = b"<!DOCTYPE html><html><body>Sign in to continue</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if fault == "status":
            self._json(script.status, {"error": {"message": f"injected {script.status}",
                                                 "type": "server_error"}})
            return
        tokens = _answer_tokens(payload, script)
        if not payload.get("stream"):
            self._complete(payload, script, record)
            return
        self._stream(payload, script, fault, record, tokens)

    # --- responses ---------------------------------------------------------------------------
    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _complete(self, payload: dict[str, Any], script: Script, record: Record) -> None:
        time.sleep(script.delay_s * len(script.tokens))
        self._json(200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": payload.get("model", "fake-model"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "".join(script.tokens)}}],
            "usage": _usage(script),
        })
        record.finished = True

    def _stream(self, payload: dict[str, Any], script: Script, fault: Fault,
                record: Record, tokens: list[str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        model = payload.get("model", "fake-model")
        try:
            self._event(_chunk(model, {"role": "assistant", "content": ""}))
            for i, token in enumerate(tokens):
                if fault != "none" and i == script.after and self._inflict(fault, script):
                    return
                time.sleep(script.delay_s)
                self._event(_chunk(model, {"content": token}))
                record.chunks_sent += 1
            self._event(_chunk(model, {}, finish_reason="stop"))
            if (payload.get("stream_options") or {}).get("include_usage"):
                self._event({**_chunk(model, {}), "choices": [], "usage": _usage(script)})
            self._write_chunk(b"data: [DONE]\n\n")
            self._write_chunk(b"")
            record.finished = True
        except (BrokenPipeError, ConnectionResetError):
            record.client_closed = True

    def _inflict(self, fault: Fault, script: Script) -> bool:
        """Do the fault to the live connection; True when the response is over."""
        if fault == "stall":
            time.sleep(script.stall_s)
            return False
        if fault == "early_end":  # a clean, well-formed end of the body, but no finish and no [DONE]
            self._write_chunk(b"")
            return True
        if fault == "reset":  # RST: the peer sees ECONNRESET
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        # cut: half an event, then the TCP connection closes under it
        self.wfile.write(b'1f\r\ndata: {"id": "chatcmpl-fake", "ob')
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()
        self.close_connection = True
        return True

    def _event(self, body: dict[str, Any]) -> None:
        self._write_chunk(f"data: {json.dumps(body)}\n\n".encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


CONTINUE_PREFIX = "Your previous reply was cut off."


def _answer_tokens(payload: dict[str, Any], script: Script) -> list[str]:
    """The script's tokens, or, asked to continue a cut-off reply, the rest of them."""
    messages = payload.get("messages") or []
    if (len(messages) < 2 or messages[-2].get("role") != "assistant"
            or not str(messages[-1].get("content", "")).startswith(CONTINUE_PREFIX)):
        return list(script.tokens)
    partial, sent = str(messages[-2].get("content", "")), 0
    for i, token in enumerate(script.tokens):
        if sent == len(partial):
            repeat = partial[len(partial) - script.resume_repeat:] if script.resume_repeat else ""
            return ([repeat] if repeat else []) + list(script.tokens[i:])
        sent += len(token)
    return list(script.tokens)


def _chunk(model: str, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "delta": delta,
                                         "finish_reason": finish_reason}]}


def _usage(script: Script) -> dict[str, int]:
    return {"prompt_tokens": 5, "completion_tokens": len(script.tokens),
            "total_tokens": 5 + len(script.tokens)}


class FakeOpenAIServer(ThreadingHTTPServer):
    """The server plus its script and the records of what it served."""

    daemon_threads = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.script = Script()
        self.records: list[Record] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is part of the tests, not an error worth a traceback."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    @property
    def app_env(self) -> dict[str, str]:
        """The environment that points `streamlit run app.py` at this server, with a key of its own."""
        return {"STREAMING_LAB_PROVIDER": "openai", "OPENAI_BASE_URL": self.base_url,
                "STREAMING_LAB_MODEL": "fake-model", "OPENAI_API_KEY": "test"}

    def begin(self, record: Record) -> tuple[Script, bool]:
        """Register a request; returns the script and whether this request gets the fault."""
        with self._lock:
            self.records.append(record)
            return self.script, len(self.records) <= self.script.faulty_requests

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds between tokens")
    args = parser.parse_args()
    server = FakeOpenAIServer(args.port)
    server.script.delay_s = args.delay
    print(f"OpenAI-compatible server on {server.base_url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
