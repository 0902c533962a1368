#!/usr/bin/env bash
# Run the whole suite (slow tests included); pytest's "no tests collected" (5) is a failure of its own kind.
set -uo pipefail
.venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "run-tests: pytest collected no tests" >&2
  exit 1
fi
exit $rc
