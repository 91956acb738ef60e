#!/usr/bin/env python3
"""Writes the Helm release fixtures in tests/fixtures/, as `kubectl get secret|configmap
-l owner=helm -o json` prints them, with the field names and encoding Helm's storage
drivers use (pkg/storage/driver: JSON, gzip at best compression, base64 — and for a
Secret the API's own base64 around that). Deterministic: rerun to regenerate.

  python3 crates/shipcheck_helm/tests/make_fixtures.py

Releases:
  shop    Helm 3 fields, Secret driver: rev 1 install, rev 2 upgrade (pre-upgrade migration
          hook Succeeded), rev 3 "Rollback to 1" (deployed); its values hold a password.
  worker  Helm 4 fields (apply_method, rollback_revision, zero times omitted), Secret
          driver: rev 1 deployed, rev 2 failed (its pre-upgrade hook Job Failed).
  legacy  a release stored without gzip (plain base64 JSON), Secret driver.
  cache   Helm 3 fields, ConfigMap driver (one base64 layer).
"""

import base64
import gzip
import json
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
ZERO = "0001-01-01T00:00:00Z"  # how Helm 3 writes an unset time.Time


def chart(name, version, app_version, helm4=False):
    tpl = base64.b64encode(b"apiVersion: apps/v1\nkind: Deployment\n").decode()
    c = {
        "metadata": {
            "name": name,
            "version": version,
            "description": f"{name} service",
            "apiVersion": "v2",
            "appVersion": app_version,
            "type": "application",
        },
        "lock": None,
        "templates": [{"name": "templates/deployment.yaml", "data": tpl}],
        "values": {"replicas": 1, "image": {"repository": f"ghcr.io/acme/{name}"}},
        "schema": None,
        "files": [],
    }
    if helm4:
        c["templates"][0]["modtime"] = "2026-11-30T08:00:00Z"
    else:
        c["schemamodtime"] = ZERO
    return c


def hook(name, events, phase, started, completed, helm4=False):
    last_run = {"phase": phase}
    if helm4:
        # Helm 4 omits zero times (`omitzero`).
        if started:
            last_run["started_at"] = started
        if completed:
            last_run["completed_at"] = completed
    else:
        last_run["started_at"] = started or ZERO
        last_run["completed_at"] = completed or ZERO
    h = {
        "name": name,
        "kind": "Job",
        "path": f"{name.split('-')[0]}/templates/migrate-job.yaml",
        "manifest": f"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n",
        "events": events,
        "last_run": last_run,
        "delete_policies": ["before-hook-creation"],
    }
    if helm4:
        h["output_log_policies"] = ["hook-failed"]
    return h


def release(name, ns, rev, status, desc, first, last, chart_, config, hooks, helm4=False,
            rollback_to=None):
    info = {"first_deployed": first, "last_deployed": last, "description": desc,
            "status": status, "notes": f"{name} is installed."}
    if not helm4:
        info["deleted"] = ""
    if helm4 and rollback_to:
        info["rollback_revision"] = rollback_to
    r = {"name": name, "info": info, "chart": chart_, "manifest":
         f"---\n# Source: {name}/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\n",
         "version": rev, "namespace": ns}
    if config:
        r["config"] = config
    if hooks:
        r["hooks"] = hooks
    if helm4:
        r["apply_method"] = "ssa"
    return r


def helm_payload(rel, gzipped=True):
    """What Helm stores under `release`: base64 of gzip (best compression) of JSON."""
    raw = json.dumps(rel, separators=(",", ":")).encode()
    if gzipped:
        raw = gzip.compress(raw, compresslevel=9, mtime=0)
    return base64.b64encode(raw).decode()


def labels(rel, created):
    return {"createdAt": created, "name": rel["name"], "owner": "helm",
            "status": rel["info"]["status"], "version": str(rel["version"])}


def meta(rel, created, uid):
    return {"name": f"sh.helm.release.v1.{rel['name']}.v{rel['version']}",
            "namespace": rel["namespace"], "labels": labels(rel, created),
            "creationTimestamp": rel["info"]["last_deployed"][:19] + "Z",
            "resourceVersion": str(1000 + uid), "uid": f"00000000-0000-4000-8000-{uid:012d}"}


def secret(rel, created, uid, gzipped=True):
    payload = helm_payload(rel, gzipped)
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta(rel, created, uid),
            "type": "helm.sh/release.v1",
            # The API's own base64 of Helm's base64 text.
            "data": {"release": base64.b64encode(payload.encode()).decode()}}


def configmap(rel, created, uid):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(rel, created, uid),
            "data": {"release": helm_payload(rel)}}


def listing(items):
    return {"apiVersion": "v1", "kind": "List", "items": items,
            "metadata": {"resourceVersion": ""}}


def write(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def shop():
    ns, first = "shop", "2026-11-30T09:00:03.412895+01:00"
    v1 = {"image": {"tag": "1.4.2"}, "replicas": 3,
          "db": {"host": "db.internal", "password": "hunter2-s3cr3t-shop"}}
    v2 = {"image": {"tag": "1.5.0"}, "replicas": 3,
          "db": {"host": "db.internal", "password": "hunter2-s3cr3t-shop"}}
    migrate = lambda phase, s, c: hook("shop-migrate", ["pre-install", "pre-upgrade"], phase, s, c)
    h1 = [migrate("Succeeded", "2026-11-30T09:00:04.100000+01:00", "2026-11-30T09:00:16.350000+01:00")]
    h2 = [migrate("Succeeded", "2026-12-02T14:10:01.000000+01:00", "2026-12-02T14:10:43.500000+01:00")]
    r1 = release("shop", ns, 1, "superseded", "Install complete", first, first,
                 chart("shop", "0.7.0", "1.4.2"), v1, h1)
    r2 = release("shop", ns, 2, "superseded", "Upgrade complete", first,
                 "2026-12-02T14:10:44.019283+01:00", chart("shop", "0.8.0", "1.5.0"), v2, h2)
    # A rollback copies the target revision's chart, config and hooks.
    r3 = release("shop", ns, 3, "deployed", "Rollback to 1", first,
                 "2026-12-03T08:30:12.771002+01:00", chart("shop", "0.7.0", "1.4.2"), v1, h1)
    # The API lists by name, so rev 3 may come before rev 1: order is not revision order.
    write("shop.secrets.json", listing([secret(r3, "1764750612", 3), secret(r1, "1764489603", 1),
                                        secret(r2, "1764681044", 2)]))


def worker():
    ns, first = "jobs", "2026-12-01T10:00:00.5Z"
    cfg = {"queue": {"url": "amqp://worker:hunter2-s3cr3t-worker@mq:5672"}, "concurrency": 4}
    pre = lambda phase, s, c: hook("worker-migrate", ["pre-upgrade"], phase, s, c, helm4=True)
    r1 = release("worker", ns, 1, "deployed", "Install complete", first, first,
                 chart("worker", "2.0.0", "2.0.0", helm4=True), cfg,
                 [pre("", None, None)], helm4=True)
    cfg2 = dict(cfg, concurrency=8)
    r2 = release("worker", ns, 2, "failed",
                 'Upgrade "worker" failed: pre-upgrade hooks failed: 1 error occurred:\n\t* job worker-migrate failed: BackoffLimitExceeded',
                 first, "2026-12-04T07:15:30Z", chart("worker", "2.1.0", "2.1.0", helm4=True), cfg2,
                 [pre("Failed", "2026-12-04T07:14:02Z", "2026-12-04T07:15:29.25Z")], helm4=True)
    write("worker.secrets.json", listing([secret(r1, "1764583200", 11), secret(r2, "1764832530", 12)]))


def legacy():
    r = release("legacy", "default", 1, "deployed", "Install complete",
                "2020-03-02T12:00:00Z", "2020-03-02T12:00:00Z", chart("legacy", "1.0.0", "1.0"),
                None, [])
    write("legacy.secrets.json", listing([secret(r, "1583150400", 21, gzipped=False)]))


def cache():
    ns, first = "cache", "2026-11-20T12:00:00Z"
    cfg = {"memory": "2Gi"}
    r1 = release("cache", ns, 1, "superseded", "Install complete", first, first,
                 chart("cache", "7.2.0", "7.2.4"), cfg, [])
    r2 = release("cache", ns, 2, "deployed", "Upgrade complete", first, "2026-11-25T12:00:00Z",
                 chart("cache", "7.2.1", "7.2.5"), cfg, [])
    write("cache.configmaps.json", listing([configmap(r1, "1763640000", 31),
                                            configmap(r2, "1764072000", 32)]))


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    shop()
    worker()
    legacy()
    cache()
