"""tiny_jsonlog: one JSON object per log line (an example-local vendored package)."""

import datetime
import json

__version__ = "1.2.0"


class Logger:
    def __init__(self, path=None):
        self.path = path

    def log(self, level, msg, **fields):
        stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
        line = json.dumps({"timestamp": stamp.replace("+00:00", "Z"), "level": level, "msg": msg, **fields})
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        else:
            print(line, flush=True)
