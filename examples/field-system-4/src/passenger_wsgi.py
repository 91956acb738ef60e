"""Passenger's entry point: the vendored packages first on the path, then the app."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))

from app import create_app  # noqa: E402

application = create_app()
