#!/bin/sh
# pi-forge container entrypoint (runs under tini).
#
# Default mode: the server runs as the user compose chose (user: PUID:PGID,
# no capabilities needed); a plain `docker run` that starts as root drops to
# pi with gosu.
#
# Sandbox mode (AGENT_TOOL_SANDBOX_ENABLED=1/true/yes/on): the server stays
# root so it can start tool children as AGENT_TOOL_UID:GID. Before it starts,
# the mounts get the ownership docs/agent-tool-sandbox.md describes. The
# workspace gets only its top level here: the server walks it once at
# start-up and hands every entry to the tool user (skipping entries that
# already are right), so a large workspace is not walked twice.
set -eu

is_true() {
	case "$(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]')" in
	1 | true | yes | on) return 0 ;;
	esac
	return 1
}

is_number() {
	case "${1:-}" in
	'' | *[!0-9]*) return 1 ;;
	esac
	return 0
}

if is_true "${AGENT_TOOL_SANDBOX_ENABLED:-false}"; then
	if [ "$(id -u)" != 0 ]; then
		echo "pi-forge-entrypoint: AGENT_TOOL_SANDBOX_ENABLED needs the container to start as root (user: \"0:0\")" >&2
		exit 1
	fi
	if ! is_number "${AGENT_TOOL_UID:-}" || ! is_number "${AGENT_TOOL_GID:-}"; then
		echo "pi-forge-entrypoint: AGENT_TOOL_SANDBOX_ENABLED needs numeric AGENT_TOOL_UID and AGENT_TOOL_GID" >&2
		exit 1
	fi
	ws=${WORKSPACE_PATH:-/workspace}
	data=${FORGE_DATA_DIR:-/home/pi/.pi-forge}
	cfg=${PI_CONFIG_DIR:-/home/pi/.pi/agent}
	tools_home=${AGENT_TOOL_HOME:-/home/pi-tools}
	mkdir -p "$ws" "$data" "$cfg" "$tools_home"
	# Root here holds CHOWN but neither FOWNER nor DAC_OVERRIDE: it may only
	# chmod what it owns, so every entry becomes root's before its mode
	# changes, and goes to the tool user last.
	# pi-forge's own data (JWT secret, password hash, MCP headers): root only.
	chown -R 0:0 "$data"
	chmod -R u+rwX,go-rwx "$data"
	# The workspace: the tool user owns it, the server reaches it through
	# group 0 (it has no DAC_OVERRIDE); setgid keeps new entries in group 0.
	chown 0:0 "$ws"
	chmod u+rwx,g+rwxs,o-rwx "$ws"
	chown "$AGENT_TOOL_UID:0" "$ws"
	# pi's config: the tool user may enter and read non-secret resources;
	# auth.json, models.json and settings.json stay root:root 0600.
	chown "0:$AGENT_TOOL_GID" "$cfg"
	chmod 0750 "$cfg"
	for f in auth.json models.json settings.json; do
		if [ -f "$cfg/$f" ]; then
			chown 0:0 "$cfg/$f"
			chmod 0600 "$cfg/$f"
		fi
	done
	# The tool user's HOME.
	chown -R 0:0 "$tools_home"
	chmod -R u+rwX,go-rwx "$tools_home"
	chown -R "$AGENT_TOOL_UID:$AGENT_TOOL_GID" "$tools_home"
	# Files the agent's shell creates stay writable for the server's group.
	umask 0002
	exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
	exec gosu pi "$@"
fi
exec "$@"
