# Two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/sales.duckdb
PORT   ?= 8501

.PHONY: run test demo bench clean

# The venv is rebuilt only when requirements.txt changes.
$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DB): | $(VENV)/.installed
	$(PY) -m lib.cli demo --db $(DB)

run: $(VENV)/.installed $(DB)
	SALESDASH_DB=$(DB) $(PY) -m streamlit run app.py --server.headless true --server.port $(PORT) \
		--browser.gatherUsageStats false

test: $(VENV)/.installed
	$(PY) -m pytest -q

demo: $(VENV)/.installed
	$(PY) -m lib.cli demo --db $(DB)

bench: $(VENV)/.installed
	$(PY) bench/reports.py

clean:
	rm -rf $(VENV) .pytest_cache
