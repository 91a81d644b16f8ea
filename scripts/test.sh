#!/usr/bin/env bash
# The whole test suite: system packages, build, lint, layer rules, unit tests, end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
npm run build
npx biome check .
npx depcruise packages --config .dependency-cruiser.cjs
# Unit tests sit beside the code; end-to-end tests (real Chromium, real peers) under packages/server/dist/e2e/.
# Reporters: TAP as before, then a digest of the failures with their messages at the very end.
reporters=(--test-reporter=tap --test-reporter-destination=stdout --test-reporter=./scripts/failure-digest.mjs --test-reporter-destination=stdout)
node --test "${reporters[@]}" --test-concurrency=2 packages/protocol/dist packages/client/dist packages/web/dist $(find packages/server/dist -name '*.test.js' -not -path '*/dist/e2e/*' | sort)
node --test "${reporters[@]}" --test-concurrency=1 packages/server/dist/e2e/
