#!/usr/bin/env bash
# Rewrite constraints.txt: the exact versions the suite is tested with (README's two commands and
# .ci/run install with `-c constraints.txt`). Run it, then the tests, when moving to new releases.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)/venv
python3 -m venv "$venv"
"$venv/bin/pip" install -q -U pip
"$venv/bin/pip" install -q -e ".[dev,postgres,bench]"
{
  echo "# Exact versions the test suite passes with (python 3.11, Linux). Written by scripts/figer_dependances.sh;"
  echo "# used as \`pip install -c constraints.txt …\` by README.md and .ci/run. pyproject.toml keeps the ranges."
  "$venv/bin/pip" freeze --exclude-editable | grep -v '^#'
} > constraints.txt
rm -rf "$(dirname "$venv")"
echo "constraints.txt : $(grep -vc '^#' constraints.txt) paquets"
