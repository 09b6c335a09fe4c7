"""A small HTTP fake of the Hub's file API on 127.0.0.1, enough for hf_hub_download.

It answers HEAD/GET /{org}/{name}/resolve/{revision}/{path} with the headers the real Hub sends
(X-Repo-Commit, ETag, Content-Length), 404 + X-Error-Code: EntryNotFound for a missing file,
404 + RevisionNotFound for an unknown revision and 401 + RepositoryNotFound for an unknown repo.
"""
from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote


class FakeHub:
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[tuple[str, str]] = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @staticmethod
    def commit_of(repo_id: str, revision: str) -> str:
        return hashlib.sha1(f"{repo_id}@{revision}".encode()).hexdigest()

    def publish(self, repo_id: str, revision: str, directory: Path) -> str:
        """Serve the files of `directory` as `repo_id` at `revision` (and at its commit)."""
        commit = self.commit_of(repo_id, revision)
        for rev in (revision, commit):
            target = self.root / repo_id / rev
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(directory, target)
            (target / ".commit").write_text(commit)
        return commit

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        self.requests.clear()

    def close(self) -> None:
        self.server.shutdown()

    def _handler(self):
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _error(self, status: int, code: str) -> None:
                self.send_response(status)
                self.send_header("X-Error-Code", code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _send(self, body: bool) -> None:
                path = unquote(self.path.split("?")[0])
                hub.requests.append((self.command, path))
                parts = path.lstrip("/").split("/")
                if len(parts) < 5 or parts[2] != "resolve":
                    return self._error(404, "EntryNotFound")
                repo_id, revision, file = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
                if not (hub.root / repo_id).is_dir():
                    return self._error(401, "RepositoryNotFound")
                snapshot = hub.root / repo_id / revision
                if not snapshot.is_dir():
                    return self._error(404, "RevisionNotFound")
                target = snapshot / file
                if file.startswith(".") or not target.is_file():
                    return self._error(404, "EntryNotFound")
                data = target.read_bytes()
                self.send_response(200)
                self.send_header("X-Repo-Commit", (snapshot / ".commit").read_text())
                self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if body:
                    self.wfile.write(data)

            def do_HEAD(self):
                self._send(False)

            def do_GET(self):
                self._send(True)

        return Handler
