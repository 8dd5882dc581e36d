"""Synthetic demo data: a correlated national-scale population and the organisations and users around it."""
