"""Storage: the schema, migrations, engines, the single writer and one repository module per capability.

All SQL lives here.
"""
