"""Serve the package locally as Passenger would (standard library wsgiref) on $PORT."""

import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))

from app import create_app  # noqa: E402


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # the app logs its own requests
        pass


if __name__ == "__main__":
    app = create_app()
    port = int(os.environ.get("PORT", "8000"))
    with make_server("127.0.0.1", port, app, handler_class=Quiet) as server:
        print(f"serving on http://127.0.0.1:{port}", flush=True)
        server.serve_forever()
