"""I/O adapters without Qt: object store, keyring, backend and DigitalOcean API clients."""
