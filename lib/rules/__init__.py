"""One module per business rule of domain.md §3 (R1-R13).

Every rule function takes (con, rules, scope, **period) and returns a small DataFrame with the
columns of cli.md. The work is done in DuckDB SQL (lib/queries/*.sql) with bound parameters and
the scope applied inside the SQL. No streamlit here.
"""
