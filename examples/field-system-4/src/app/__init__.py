"""The field-system-4 app: a tiny WSGI application (standard library plus its vendored
packages), deployed to shared hosting as a package and started by Passenger."""

import json
import os
import secrets
import sqlite3
import sys

import health_checks
import tiny_jsonlog

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSECURE_SECRETS = {"", "change-me", "changeme", "secret", "dev"}
WEAK_PASSWORDS = {"", "admin", "password", "changeme"}


def insecure_settings(env):
    """Every insecure default in a production environment, named (all at once)."""
    problems = []
    key = env.get("SECRET_KEY", "")
    if key in INSECURE_SECRETS or len(key) < 16:
        problems.append("SECRET_KEY is unset, a placeholder or shorter than 16 characters")
    if env.get("DEBUG", "0").lower() in ("1", "true", "yes"):
        problems.append("DEBUG is enabled")
    if env.get("ADMIN_PASSWORD", "") in WEAK_PASSWORDS:
        problems.append("ADMIN_PASSWORD is unset or a default password")
    if env.get("ALLOWED_HOSTS", "*") == "*":
        problems.append("ALLOWED_HOSTS is `*`")
    return problems


def create_app(env=None):
    env = dict(os.environ if env is None else env)
    if env.get("ENV") == "production":
        problems = insecure_settings(env)
        if problems:
            print("refusing to start in production with insecure defaults:", file=sys.stderr)
            for p in problems:
                print(f"  - {p}", file=sys.stderr)
            sys.exit(78)
    log = tiny_jsonlog.Logger(env.get("LOG_FILE"))
    with open(os.path.join(HERE, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    cache_dir = config.get("cache_dir")
    if cache_dir and not os.path.isdir(os.path.join(HERE, cache_dir)):
        log.log("ERROR", f"cache directory {cache_dir} is missing; caching disabled")
    db_path = os.path.join(HERE, "data", "app.db")

    def database():
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
            db.execute("SELECT count(*) FROM users").fetchone()

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "/")
        security = [
            ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
        ]
        if path == "/health":
            ok, results = health_checks.run({"database": database})
            status = "200 OK" if ok else "503 Service Unavailable"
            body = json.dumps({"status": "ok" if ok else "failing", "checks": results}).encode()
            headers = [("Content-Type", "application/json")]
        elif path == "/":
            status = "200 OK"
            body = b"<!doctype html><title>field system 4</title><h1>It works</h1>"
            token = secrets.token_urlsafe(24)
            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Set-Cookie", f"session={token}; Path=/; Secure; HttpOnly; SameSite=Lax"),
            ]
        else:
            status, body, headers = "404 Not Found", b"not found", [("Content-Type", "text/plain")]
        log.log("INFO", "request", path=path, status=int(status.split()[0]))
        start_response(status, headers + security + [("Content-Length", str(len(body)))])
        return [body]

    log.log("INFO", "started", env=env.get("ENV", "development"))
    return application
