#!/bin/sh
# Creates (or updates) the pi-forge-secret the Deployment reads UI_PASSWORD
# and API_KEY from. Values come from the environment, so they stay out of
# shell history when exported from a file:
#   UI_PASSWORD='choose-one' API_KEY="$(openssl rand -hex 32)" ./kube/secret.sh
# Leave both empty and auth stays off (only safe behind other access control).
# JWT_SECRET is not needed: pi-forge generates one on the data volume.
set -eu
NAMESPACE=${NAMESPACE:-pi-forge}
kubectl -n "$NAMESPACE" create secret generic pi-forge-secret \
	--from-literal=UI_PASSWORD="${UI_PASSWORD:-}" \
	--from-literal=API_KEY="${API_KEY:-}" \
	--dry-run=client -o yaml | kubectl apply -f -
