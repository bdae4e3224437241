"""`streamlit run`, with one function of the app replaced by one that raises: E2E_BREAK="module:function".

Used by test_broken_page.py only: `python -m tests.e2e.serve run app.py ...` starts the same app
as `python -m streamlit run app.py ...`; Streamlit runs the pages in this process, and the pages
look up chart functions on their module at call time (`charts.drivers_waterfall(...)`), so the
replacement is what they call. Nothing in the repository is changed.
"""
from __future__ import annotations

import importlib
import os
import sys


def break_function(target: str) -> None:
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    getattr(module, name)  # the function must exist: a typo would make the test prove nothing

    def broken(*args, **kwargs):
        raise RuntimeError(f"{target} broken on purpose by the e2e suite")

    setattr(module, name, broken)


def main() -> None:
    target = os.environ.get("E2E_BREAK")
    if target:
        break_function(target)
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
