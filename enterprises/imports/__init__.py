"""Bulk import of filings and verified values from .xlsx or .csv: read safely, validate in bulk, write all or nothing.

- ``reader``: bytes → header and rows of text (openpyxl read-only over defusedxml; CSV in UTF-8 or GBK). Formulas are
  never evaluated: a cell holding one is read as its formula text and refused by the validator.
- ``validation``: vectorised checks (pandas) collecting every problem as (row, column, message).
- ``writer``: inserts new filings and updates existing ones in bulk, with one audit entry per changed filing.
"""
