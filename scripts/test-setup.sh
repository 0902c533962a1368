#!/usr/bin/env bash
# Make sure the machine has what the tests need; install it from Debian's packages when it does not.
# PostgreSQL: tests use $OMOTENASHI_TEST_POSTGRES_URL, else a server on 127.0.0.1:5432, else a throwaway
# server that the test setup starts from Debian's postgresql binaries (installed here when missing).
set -euo pipefail

need=()
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if [ -z "${OMOTENASHI_TEST_POSTGRES_URL:-}" ] && ! pg_up && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
# Browser tests drive Debian's Chromium through Playwright (never `playwright install`); Japanese pages need a CJK font.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -i ipa >/dev/null || need+=(fonts-ipafont-gothic)  # no -q: an early exit would SIGPIPE fc-list under pipefail

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-setup: missing ${need[*]}; run as root or install them: apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "test-setup: installing ${need[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
