"""Alert policies for the deployed API: one catalogue, applied to App Platform, written as Prometheus rules.

- :mod:`backend.alerts.policies` — the seed's five policies (CPU, memory, restarts, 5xx rate, p95 latency).
- :mod:`backend.alerts.do_client` — the DigitalOcean App Platform calls (httpx, retries, clear errors).
- :mod:`backend.alerts.reconcile` — what to create, update or leave, and doing it.
- :mod:`backend.alerts.cli` — ``themesystem-api alerts plan|apply``.
"""
