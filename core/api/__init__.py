"""Shared API plumbing: token authentication and the service account a client writes as (auth), the error format
(errors), cursor pagination with one set of id bounds (pagination), the schema hooks (schema)."""
