#!/usr/bin/env bash
# Installs what the test suite needs and runs all of it: the command the README gives and .ci/run calls.
# Every step runs even when an earlier one fails, so one run shows every failure; the exit code is non-zero if any did.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

results=()
failed=0
tests_passed=0
tests_failed=0
report_dir=$(mktemp -d)
trap 'rm -rf "$report_dir"' EXIT

step() {
  local name=$1
  shift
  echo
  echo "=== $name"
  local started=$SECONDS
  local runner=()
  # No step may hang the run: commands get a deadline (shell functions run as they are).
  [ "$(type -t "$1")" = function ] || runner=(timeout --kill-after=30 "${STEP_TIMEOUT_SECONDS:-900}")
  if "${runner[@]}" "$@"; then
    results+=("PASS  $name ($((SECONDS - started)) s)")
  else
    results+=("FAIL  $name ($((SECONDS - started)) s)")
    failed=$((failed + 1))
  fi
}

# Adds the "# pass N" / "# fail N" lines of node's test runner to the totals printed at the end.
count_node() {
  [ -f "$1" ] || return 0
  local passed failed_tests
  passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$1" | tail -1)
  failed_tests=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$1" | tail -1)
  tests_passed=$((tests_passed + ${passed:-0}))
  tests_failed=$((tests_failed + ${failed_tests:-0}))
}

# Adds the contract suite's "contract: N passed, N failed" to the totals.
count_contract() {
  [ -f "$1" ] || return 0
  local line
  line=$(grep -E '^contract: [0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  [ -n "$line" ] || return 0
  tests_passed=$((tests_passed + $(sed -E 's/^contract: ([0-9]+) passed.*/\1/' <<<"$line")))
  tests_failed=$((tests_failed + $(sed -E 's/^contract: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")))
}

# Adds a jest JSON report's counts to the totals printed at the end.
count_jest() {
  [ -f "$1" ] || return 0
  read -r passed failed_tests < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests)' "$1")
  tests_passed=$((tests_passed + passed))
  tests_failed=$((tests_failed + failed_tests))
}

# Debian packages the service tests and the executed runbook need; installed only when missing.
system_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
  # The harness's 504 test holds a connection in a listener that never accepts (tests/harness/grafanaProxy.test.ts).
  command -v python3 >/dev/null || missing+=(python3)
  # The runbook checker runs shellcheck over every shell block; the database runbook's dump path runs on a
  # throwaway PostgreSQL (tests/runbooks/databaseRecovery.test.ts).
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

step "system packages (redis-server, jq, curl, chromium, prometheus, python3, shellcheck, postgresql)" system_packages
step "install (npm ci)" npm ci --no-audit --no-fund
step "event-bus: install (npm ci)" npm --prefix event-bus ci --no-audit --no-fund
step "typecheck" npm run typecheck
step "typecheck e2e specs" npm run typecheck:e2e
step "lint workflows" npm run lint:workflows
step "typecheck scripts" npm run typecheck:scripts
step "lint" npm run lint
step "unit and component tests (jest)" npx jest --ci --maxWorkers 2 --json --outputFile "$report_dir/jest.json"
count_jest "$report_dir/jest.json"
step "Grafana stand-ins: proxy, API, frontend (node:test)" bash -o pipefail -c "npm run --silent test:harness | tee $report_dir/harness.tap"
count_node "$report_dir/harness.tap"
step "runbooks checker (its rules, and shellcheck over every shell block)" npm run check:runbooks
step "event-bus: typecheck" npm --prefix event-bus run typecheck
step "event-bus: lint" npm --prefix event-bus run lint
step "event-bus: build" npm --prefix event-bus run build
step "event-bus: tests on a real redis-server (node:test)" bash -o pipefail -c "npm --prefix event-bus run --silent test | tee $report_dir/event-bus.tap"
count_node "$report_dir/event-bus.tap"
step "event-bus: contract suite against the reference service" bash -o pipefail -c "npm --prefix event-bus run --silent contract:local | tee $report_dir/contract.log"
count_contract "$report_dir/contract.log"
step "event-bus: benchmark smoke run" npm --prefix event-bus run --silent bench:smoke
step "provisioning: dashboards, alert rules, runbook links, generated files current" npm run --silent check:provisioning
step "provisioning tests (node:test)" bash -o pipefail -c "npm run --silent test:provisioning | tee $report_dir/provisioning.tap"
count_node "$report_dir/provisioning.tap"
step "Prometheus rules (promtool check config, test rules)" npm run --silent test:prometheus-rules
step "local stack: every dashboard and rule query finds data" npm run --silent test:stack-metrics
step "runbooks: procedures executed (DLQ, database dump and restore, event-bus token), shellcheck, a folder of 500 outside the repository (node:test)" bash -o pipefail -c "npm run --silent test:runbook-procedure | tee $report_dir/procedure.tap"
count_node "$report_dir/procedure.tap"
step "production build" npm run build
# Grafana's plugin validator rejects a plugin whose source maps disagree with the repository (analyzer jsMap).
step "source maps in dist/ match the files under src/, byte for byte (node:test)" bash -o pipefail -c "npm run --silent test:source-maps | tee $report_dir/source-maps.tap"
count_node "$report_dir/source-maps.tap"
step "browser harness: host page build" npm run --silent build:harness
step "browser journeys in Chromium (node:test)" bash -o pipefail -c "npm run --silent test:browser | tee $report_dir/browser.tap"
count_node "$report_dir/browser.tap"
step "schemas (plugin.json, docker-compose.yaml)" node scripts/validate-schemas.mjs
step "bundle size" node scripts/bundle-size.mjs

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
echo "tests: $tests_passed passed, $tests_failed failed"
[ "$failed" -eq 0 ]
