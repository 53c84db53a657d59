"""PostgreSQL access: the connection pool and one query module per feature (raw SQL, psycopg 3)."""
