#!/usr/bin/env bash
# Vendors Swagger UI (npm swagger-ui-dist) into internal/server/docsui/files so
# /api/docs works offline and loads nothing from a CDN. Run after changing VERSION.
set -euo pipefail
VERSION=5.35.0
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
dest="$here/internal/server/docsui/files"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do
  cp "$tmp/package/$f" "$dest/$f"
done
echo "swagger-ui-dist $VERSION" > "$dest/VERSION"
