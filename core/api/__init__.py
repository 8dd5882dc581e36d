"""Shared API plumbing: token authentication and audiences (auth), the error format (errors), cursor pagination
with one set of id bounds (pagination), the schema hooks (schema)."""
