"""health_checks: run named checks, report ok/failing (an example-local vendored package)."""

__version__ = "0.3.1"


def run(checks):
    results = {}
    for name, fn in checks.items():
        try:
            fn()
            results[name] = "ok"
        except Exception as e:  # noqa: BLE001 - a health check reports any failure
            results[name] = f"failing: {e}"
    return all(v == "ok" for v in results.values()), results
