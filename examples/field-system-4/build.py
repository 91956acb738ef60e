#!/usr/bin/env python3
"""Build the field-system-4 package as FIELD.md system 4 ships it, into OUT:

  OUT/package/            the package directory: the app, passenger_wsgi.py, config,
                          requirements.txt, vendor/ (the pinned packages with their
                          *.dist-info metadata), data/app.db (preseeded), build_info.json
  OUT/deploy.zip          the same tree, zipped
  OUT/deploy.zip.sha256   its SHA-256 (sha256sum format)
  OUT/deployed/           a "production" copy: deploy.zip extracted, plus what production
                          adds (.env, logs/, tmp/restart.txt, a changed database)

--broken plants three defects: deploy.zip changed after its checksum was written, one
vendored package one version off its pin, and a config that makes the app log an ERROR.

Standard library only.  Usage: build.py --out DIR [--broken]
"""

import argparse
import base64
import datetime
import hashlib
import os
import platform
import shutil
import sqlite3
import subprocess
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
# (distribution name as its metadata writes it, version, module directory in vendor-src)
VENDORED = [("tiny-jsonlog", "1.2.0", "tiny_jsonlog"), ("health-checks", "0.3.1", "health_checks")]


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def vendor(pkg, broken):
    for name, version, module in VENDORED:
        if broken and module == "health_checks":
            version = "0.3.2"  # one version off the pin
        dest = os.path.join(pkg, "vendor", module)
        shutil.copytree(os.path.join(HERE, "vendor-src", module), dest, ignore=shutil.ignore_patterns("__pycache__"))
        info = os.path.join(pkg, "vendor", f"{module}-{version}.dist-info")
        os.makedirs(info)
        files = {
            "METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: vendored for field-system-4\n\n",
            "INSTALLER": "pip\n",
        }
        for fname, text in files.items():
            with open(os.path.join(info, fname), "w", encoding="utf-8") as f:
                f.write(text)
        rows = []
        for root, _, names in os.walk(dest):
            for n in sorted(names):
                p = os.path.join(root, n)
                with open(p, "rb") as f:
                    data = f.read()
                rows.append(f"{os.path.relpath(p, os.path.join(pkg, 'vendor'))},{record_hash(data)},{len(data)}")
        rows += [f"{module}-{version}.dist-info/{n},," for n in (*files, "RECORD")]
        with open(os.path.join(info, "RECORD"), "w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")


def database(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    db = sqlite3.connect(path)
    salt = b"field-system-4"
    admin_hash = hashlib.pbkdf2_hmac("sha256", os.environ.get("APP_ADMIN_PASSWORD", "unset").encode(), salt, 100_000).hex()
    db.executescript(
        """
        CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
                            password_hash TEXT NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users,
                            body TEXT NOT NULL);
        """
    )
    db.execute("INSERT INTO users (username, password_hash, is_admin) VALUES ('admin', ?, 1)", (admin_hash,))
    db.commit()
    db.close()


def commit():
    if os.environ.get("GIT_COMMIT"):
        return os.environ["GIT_COMMIT"]
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def zip_tree(tree, out):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for root, dirs, names in os.walk(tree):
            dirs.sort()
            for n in sorted(names):
                p = os.path.join(root, n)
                z.write(p, os.path.relpath(p, tree))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--broken", action="store_true")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    pkg = os.path.join(out, "package")
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(os.path.join(HERE, "src"), pkg, ignore=shutil.ignore_patterns("__pycache__"))
    if args.broken:
        with open(os.path.join(pkg, "config.json"), "w", encoding="utf-8") as f:
            f.write('{"cache_dir": "/nonexistent/field-system-4-cache"}\n')
    vendor(pkg, args.broken)
    database(os.path.join(pkg, "data", "app.db"))
    stamp = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    info = {"timestamp": stamp, "commit": commit(), "build_type": "release", "runtime_version": platform.python_version()}
    with open(os.path.join(pkg, "build_info.json"), "w", encoding="utf-8") as f:
        f.write(__import__("json").dumps(info, indent=2) + "\n")
    archive = os.path.join(out, "deploy.zip")
    zip_tree(pkg, archive)
    with open(archive + ".sha256", "w", encoding="utf-8") as f:
        f.write(f"{sha256_file(archive)}  deploy.zip\n")
    if args.broken:
        with zipfile.ZipFile(archive, "a") as z:  # rebuilt after the checksum was written
            z.comment = b"rebuilt"
    deployed = os.path.join(out, "deployed")
    with zipfile.ZipFile(archive) as z:
        z.extractall(deployed)
    os.makedirs(os.path.join(deployed, "logs"))
    os.makedirs(os.path.join(deployed, "tmp"))
    with open(os.path.join(deployed, ".env"), "w", encoding="utf-8") as f:
        f.write("ENV=production\n")
    with open(os.path.join(deployed, "logs", "app.log"), "w", encoding="utf-8") as f:
        f.write('{"timestamp": "2026-01-01T00:00:00Z", "level": "INFO", "msg": "previous release"}\n')
    open(os.path.join(deployed, "tmp", "restart.txt"), "w").close()
    db = sqlite3.connect(os.path.join(deployed, "data", "app.db"))
    db.execute("INSERT INTO notes (user_id, body) VALUES (1, 'written in production')")
    db.commit()
    db.close()
    print(f"built {pkg}, {archive} and {deployed}")


if __name__ == "__main__":
    main()
