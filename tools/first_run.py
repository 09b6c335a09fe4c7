"""The README's launch command, run literally as a new user would, then every endpoint called once.

    python -m tools.first_run [--keep]

1. The tree (tracked and untracked, not ignored files: a fresh clone) is copied to a temporary
   folder, with no virtual environment, no data and an empty home folder.
2. The README's launch command (the bash block after `<!-- launch -->`) runs there line by line:
   every line but the last (the install) to its end; the last (`python app.py`) in the background.
3. Once its port answers (at most --limit seconds), every named endpoint is called once with its
   example input (demos.examples()) over plain HTTP, and must complete.
4. The server is stopped by its PID (its process group). Printed as JSON; the exit status is 1 if
   anything failed.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.serve import REPO_ROOT, free_port, http_call, wait_for_port

MARK = "<!-- launch -->"


def launch_lines(readme: str) -> list[str]:
    """The README's launch command: the lines of the first bash block after MARK."""
    after = readme.split(MARK, 1)
    block = re.search(r"```bash\n(.*?)\n```", after[1], re.S) if len(after) == 2 else None
    if block is None:
        raise SystemExit(f"README.md has no ```bash block after {MARK}")
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def copy_tree(to: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = REPO_ROOT / name
        if source.is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / name)


def named_endpoints(port: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/gradio_api/info")
    return sorted(name.lstrip("/") for name in json.loads(conn.getresponse().read())["named_endpoints"])


def call_each(port: int, examples: dict[str, list]) -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    results = {}
    for name in named_endpoints(port):
        if name not in examples:
            results[name] = "no example input declared"
            continue
        start = time.perf_counter()
        try:
            http_call(conn, name, examples[name])
            results[name] = f"ok in {time.perf_counter() - start:.2f} s"
        except Exception as error:  # noqa: BLE001 - reported, and the run fails
            results[name] = f"failed: {str(error)[:300]}"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.first_run", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=60, help="seconds from `python app.py` to its port answering")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    import demos

    lines = launch_lines((REPO_ROOT / "README.md").read_text())
    work = Path(tempfile.mkdtemp(prefix="first-run-"))
    tree, home, data = work / "repo", work / "home", work / "data"
    for folder in (tree, home, data):
        folder.mkdir()
    copy_tree(tree)
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON", "GEN_CORE_", "HF_"))}
    env = {**clean, "HOME": str(home), "GEN_CORE_DATA_DIR": str(data), "GRADIO_SERVER_PORT": str(port),
           "GRADIO_SERVER_NAME": "127.0.0.1", "PATH": os.environ["PATH"]}
    report: dict = {"command": lines, "folder": str(work)}
    start = time.perf_counter()
    for line in lines[:-1]:
        done = subprocess.run(["bash", "-c", line], cwd=tree, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            report["install"] = f"`{line}` failed ({done.returncode}): {done.stderr[-2000:]}"
            print(json.dumps(report, indent=2))
            return 1
    report["install_s"] = round(time.perf_counter() - start, 1)
    log = (work / "app.log").open("wb")
    server = subprocess.Popen(["bash", "-c", f"exec {lines[-1]}"], cwd=tree, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    report["server_pid"] = server.pid
    try:
        try:
            report["start_s"] = round(wait_for_port(port, server, args.limit), 1)
            report["endpoints"] = call_each(port, demos.examples())
        except RuntimeError as error:   # exited, or no answer within the limit
            report["start_s"], report["start_error"] = None, str(error)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    report["data_folder_left_empty"] = not any(data.iterdir())
    ok = (report["start_s"] is not None and report["data_folder_left_empty"]
          and all(result.startswith("ok") for result in report.get("endpoints", {}).values()))
    if not ok:
        report["app_log_tail"] = (work / "app.log").read_text(errors="replace")[-3000:]
    print(json.dumps(report, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
