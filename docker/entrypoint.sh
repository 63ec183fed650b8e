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

# own_tree PATH OWNER MODE gives PATH and everything below it to OWNER
# (uid:gid) with chmod MODE, without following symlinks. Root here holds
# CHOWN but neither FOWNER nor DAC_OVERRIDE/DAC_READ_SEARCH: it can chmod
# and list only what it owns, so each entry becomes root's first and goes
# to OWNER after its children (chown -R would fail on a 0700 folder of
# another user). Used for the small trees only; the server hands the
# workspace over itself.
own_tree() {
	chown -h 0:0 "$1"
	if [ ! -L "$1" ]; then
		chmod "$3" "$1"
		if [ -d "$1" ]; then
			for child in "$1"/* "$1"/.[!.]* "$1"/..?*; do
				if [ -e "$child" ] || [ -L "$child" ]; then
					own_tree "$child" "$2" "$3"
				fi
			done
		fi
	fi
	chown -h "$2" "$1"
}

# owned_by_already PATH UID GID: true when nothing below PATH needs
# own_tree (the common case on every boot after the first; one find, no
# per-entry forks). An unreadable folder is not UID's and is reported.
owned_by_already() {
	[ -z "$(find "$1" \( ! -user "$2" -o ! -group "$3" -o -perm /077 \) ! -type l -print -quit 2>/dev/null || echo unreadable)" ]
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
	# pi-forge's own data (JWT secret, password hash, MCP headers): root only.
	owned_by_already "$data" 0 0 || own_tree "$data" 0:0 u+rwX,go-rwx
	# The workspace: the tool user owns it, the server reaches it through
	# group 0 (it has no DAC_OVERRIDE); setgid keeps new entries in group 0.
	chown 0:0 "$ws"
	chmod u+rwx,g+rwxs,o-rwx "$ws"
	chown "$AGENT_TOOL_UID:0" "$ws"
	# pi's config: the tool user may enter and read non-secret resources;
	# auth.json, models.json and settings.json stay root:root 0600.
	chown 0:0 "$cfg"
	chmod 0750 "$cfg"
	chown "0:$AGENT_TOOL_GID" "$cfg"
	for f in auth.json models.json settings.json; do
		if [ -f "$cfg/$f" ]; then
			chown 0:0 "$cfg/$f"
			chmod 0600 "$cfg/$f"
		fi
	done
	# The tool user's HOME.
	owned_by_already "$tools_home" "$AGENT_TOOL_UID" "$AGENT_TOOL_GID" ||
		own_tree "$tools_home" "$AGENT_TOOL_UID:$AGENT_TOOL_GID" u+rwX,go-rwx
	# Files the agent's shell creates stay writable for the server's group.
	umask 0002
	exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
	exec gosu pi "$@"
fi
exec "$@"
