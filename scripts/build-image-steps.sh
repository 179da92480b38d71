#!/usr/bin/env bash
# The install and build steps of the container image, shared by the Dockerfile's RUN lines and
# CI (.ci/run), so the image is built the way CI builds and tests the checkout.
#
#   bash scripts/build-image-steps.sh [--dry-run] STEP...
#
#   deps   npm ci with the repository's install-script policy: package.json's allowScripts (which
#          npm honours from 11.19; older npm would run every dependency's install script) and
#          ONNXRUNTIME_NODE_INSTALL=skip (onnxruntime-node's postinstall would download CUDA
#          libraries if it ran)
#   build  next build: the production web app in .next (NEXT_DIST_DIR)
#   prune  drops the devDependencies and Next's build cache (the image's runtime stage only)
#
# --dry-run checks the same and prints each command instead of running it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MIN_NPM="11.19.0"
usage="usage: bash scripts/build-image-steps.sh [--dry-run] deps|build|prune..."

dry=0
steps=()
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry=1 ;;
    deps | build | prune) steps+=("$arg") ;;
    *)
      echo "build-image-steps: unknown step '$arg'; $usage" >&2
      exit 2
      ;;
  esac
done
if [ "${#steps[@]}" -eq 0 ]; then
  echo "build-image-steps: no step given; $usage" >&2
  exit 2
fi

step() {
  echo "+ $*"
  if [ "$dry" = 0 ]; then "$@"; fi
}

# a.b.c >= MIN_NPM (numeric, part by part)
npm_new_enough() {
  local IFS=.
  local -a have=($1) want=($MIN_NPM)
  for i in 0 1 2; do
    if [ "${have[$i]:-0}" -gt "${want[$i]:-0}" ]; then return 0; fi
    if [ "${have[$i]:-0}" -lt "${want[$i]:-0}" ]; then return 1; fi
  done
  return 0
}

for s in "${steps[@]}"; do
  case "$s" in
    deps)
      npm_version="$(npm --version)"
      if ! npm_new_enough "$npm_version"; then
        echo "build-image-steps: npm $npm_version would run the install scripts that package.json's allowScripts denies; npm $MIN_NPM or newer is needed (npm install -g npm@$MIN_NPM)" >&2
        exit 1
      fi
      step env ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
      ;;
    build)
      step env NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build
      ;;
    prune)
      step npm prune --omit=dev --no-audit --no-fund
      step rm -rf "${NEXT_DIST_DIR:-.next}/cache"
      ;;
  esac
done
