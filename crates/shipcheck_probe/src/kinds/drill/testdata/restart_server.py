"""A Passenger-like app server for the drill tests: serves the release `current` points
to (its VERSION file in the X-Version header) and restarts — closing its listener, booting
for BOOT seconds, listening again — when tmp/restart.txt changes. Exits after LIFETIME."""

import os
import sys
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT, PORT = sys.argv[1], int(sys.argv[2])
BOOT, LIFETIME = 0.3, 60.0


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Reusing(WSGIServer):
    allow_reuse_address = True


def app_for(version):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Version", version)])
        return [b"ok\n"]

    return app


def mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return 0


def main():
    restart = os.path.join(ROOT, "tmp", "restart.txt")
    seen = mtime(restart)
    ends = time.monotonic() + LIFETIME
    while time.monotonic() < ends:
        with open(os.path.join(ROOT, "current", "VERSION")) as f:
            version = f.read().strip()
        server = make_server("127.0.0.1", PORT, app_for(version), server_class=Reusing, handler_class=Quiet)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        print("listening", version, flush=True)
        while time.monotonic() < ends and mtime(restart) == seen:
            time.sleep(0.02)
        seen = mtime(restart)
        server.shutdown()
        server.server_close()
        thread.join()
        time.sleep(BOOT)


main()
