#!/usr/bin/env bash
# Container smoke test (make container-test): builds the image from
# docker/Dockerfile, runs it the way docker/docker-compose.yml does, and checks
# it through the published loopback port, in three runs:
#   default   user 1000:1000, cap_drop ALL, no-new-privileges, pids/memory limits
#   sandbox   root with only CHOWN/SETUID/SETGID, AGENT_TOOL_SANDBOX_ENABLED=true
#   read-only default mode with --read-only and tmpfs mounts
# Each run: health, the SPA and a deep link, /api/docs/json, a prompt against
# the fake LLM (write, bash and read tool calls) reaching agent_end with the
# files owned by the expected uid, and the terminal WebSocket when the route
# is wired.
#
# With no Docker engine answering it starts a private dockerd (root; installs
# docker.io from apt if needed); with no registry answering it builds local
# stand-ins for the base images (debootstrap) under the names the Dockerfile
# uses. It removes every container, image and daemon it started.
# It prints "skipped: no docker engine" and exits 0 only when no engine can be
# had at all.
#
# Environment: SMOKE_SOURCE=head builds `git archive HEAD` instead of the work
# tree; SMOKE_BUILD_ARGS adds docker build flags; SMOKE_KEEP=1 keeps the work
# directory; SMOKE_CACHE caches the debootstrap tarball.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SMOKE_WORK=$(mktemp -d "${TMPDIR:-/tmp}/pi-forge-smoke.XXXXXX")
SMOKE_CACHE=${SMOKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pi-forge-smoke}
export SMOKE_WORK SMOKE_CACHE
SMOKE_CREATED_IMAGES=()
SMOKE_CONTAINERS=()
SMOKE_DOCKERD_PID=
DOCKER=
# shellcheck source=scripts/container/lib.sh
. "$ROOT/scripts/container/lib.sh"

API_KEY=smoke-api-key-0123456789
UI_PASSWORD=smoke-password-0123456789
IMAGE=pi-forge-smoke:$$
RESULTS=()
NOT_CHECKED=()

cleanup() {
	local rc=$?
	set +e
	if [ -n "$DOCKER" ]; then
		for c in "${SMOKE_CONTAINERS[@]}"; do
			[ "$rc" = 0 ] || { smoke_log "logs of $c:"; $DOCKER logs --tail 30 "$c" 2>&1 | sed 's/^/    /' >&2; }
			$DOCKER rm -f "$c" >/dev/null 2>&1
		done
		if [ -z "$SMOKE_DOCKERD_PID" ]; then # our images on someone else's engine
			$DOCKER rmi -f "$IMAGE" >/dev/null 2>&1
			for i in "${SMOKE_CREATED_IMAGES[@]}"; do $DOCKER rmi -f "$i" >/dev/null 2>&1; done
			$DOCKER builder prune -f >/dev/null 2>&1
		fi
	fi
	smoke_engine_down
	[ -n "${SMOKE_KEEP:-}" ] && { smoke_log "kept $SMOKE_WORK"; return; }
	rm -rf "$SMOKE_WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
result() { RESULTS+=("$*"); smoke_log "$*"; }

if ! smoke_engine_up; then
	echo "skipped: no docker engine (no engine answers and dockerd could not be installed or started)"
	exit 0
fi

# ---------- images ----------
dockerfile_default() { sed -n "s/^ARG $1=//p" "$ROOT/docker/Dockerfile" | head -1; }
GO_IMAGE=$(dockerfile_default GO_IMAGE)
RUNTIME_IMAGE=$(dockerfile_default RUNTIME_IMAGE)
t=$(now)
smoke_base_image "$GO_IMAGE"
smoke_base_image "$RUNTIME_IMAGE"
result "base images ready in $(since "$t") s (${SMOKE_CREATED_IMAGES[*]:-already present})"
build_args=()
if [ -n "${SMOKE_STANDINS:-}" ]; then
	# Stand-ins mean no registry: GitHub's apt repo and the tea release are
	# unreachable too.
	build_args+=(--build-arg INSTALL_GH=false --build-arg INSTALL_TEA=false)
fi
# shellcheck disable=SC2206
build_args+=(${SMOKE_BUILD_ARGS:-})

# Build from a snapshot, so the warm rebuild sees the same files even when
# the checkout changes meanwhile: the work tree (default) or HEAD.
context=$SMOKE_WORK/src
mkdir -p "$context"
if [ "${SMOKE_SOURCE:-worktree}" = head ]; then
	git -C "$ROOT" archive HEAD | tar -x -C "$context"
else
	(cd "$ROOT" && tar -cf - go.mod go.sum cmd internal web/embed.go web/dist docker) | tar -x -C "$context"
fi
build() { DOCKER_BUILDKIT=1 $DOCKER build -f "$context/docker/Dockerfile" "${build_args[@]}" -t "$IMAGE" "$context"; }
t=$(now)
build >"$SMOKE_WORK/build.log" 2>&1 || { tail -40 "$SMOKE_WORK/build.log" >&2; smoke_die "image build failed"; }
result "cold build: $(since "$t") s"
t=$(now)
build >"$SMOKE_WORK/build-warm.log" 2>&1 || smoke_die "warm rebuild failed"
result "warm rebuild (no change): $(since "$t") s"
size=$($DOCKER image inspect -f '{{.Size}}' "$IMAGE")
result "image size: $((size / 1000 / 1000)) MB"

# ---------- host-side helpers: the fake LLM and the probe ----------
mkdir -p "$SMOKE_WORK/bin"
(cd "$ROOT" && CGO_ENABLED=0 go build -o "$SMOKE_WORK/bin/fakellm" ./internal/ai/aitest/cmd/fakellm &&
	go build -o "$SMOKE_WORK/bin/probe" ./scripts/container/probe) || smoke_die "building the fake LLM or the probe failed"
cat >"$SMOKE_WORK/bin/script.json" <<'JSON'
{"responses":[
 {"blocks":[{"type":"toolCall","id":"call_w","name":"write","arguments":{"path":"agent-note.txt","content":"written by the agent\n"}}]},
 {"blocks":[{"type":"toolCall","id":"call_b","name":"bash","arguments":{"command":"echo uid=$(id -u) home=$HOME; cat /home/pi/.pi-forge/jwt-secret >/dev/null 2>&1 && echo jwt=readable || echo jwt=denied; touch bash-made.txt; git init -q . && echo git=initialised"}}]},
 {"blocks":[{"type":"toolCall","id":"call_r","name":"read","arguments":{"path":"/home/pi/.pi-forge/jwt-secret"}}]},
 {"blocks":[{"type":"text","text":"smoke done"}]}
],"fallback":{"mode":"echo","delayMs":1}}
JSON
PROBE=$SMOKE_WORK/bin/probe

# prepare_mounts DIR UID GID: workspace (with a project), pi config pointing
# at the fake LLM, forge data; owned as compose users would own them.
prepare_mounts() {
	mkdir -p "$1/ws/smoke" "$1/agent" "$1/data"
	cat >"$1/agent/models.json" <<-'JSON'
	{"providers":{"fake":{"baseUrl":"http://127.0.0.1:4010/v1","api":"openai-completions","apiKey":"fake-key",
	  "models":[{"id":"fake-model","input":["text"]}]}}}
	JSON
	echo '{"defaultProvider":"fake","defaultModel":"fake-model"}' >"$1/agent/settings.json"
	chown -R "$2:$3" "$1"
}

# start NAME FLAGS...: runs the image, records the container, sets PORT.
start() {
	local name=pi-forge-smoke-$1-$$
	shift
	SMOKE_CONTAINERS+=("$name")
	# --health-interval 2s only so the test need not wait 30 s for the first check.
	$DOCKER run -d --name "$name" --security-opt no-new-privileges:true --cap-drop ALL \
		--pids-limit 512 --memory 2g --cpus 1 -p 127.0.0.1::3000 --health-interval 2s \
		-e API_KEY="$API_KEY" -e UI_PASSWORD="$UI_PASSWORD" -e LOG_LEVEL=info \
		-v "$SMOKE_WORK/bin:/opt/smoke:ro" "$@" "$IMAGE" >/dev/null
	CONTAINER=$name
	PORT=$($DOCKER port "$name" 3000/tcp | head -1 | sed 's/.*://')
	URL=http://127.0.0.1:$PORT
	local t0 status i
	t0=$(now)
	for i in $(seq 1 120); do
		status=$($DOCKER inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null || echo gone)
		[ "$status" = healthy ] && break
		[ "$status" = gone ] || [ "$($DOCKER inspect -f '{{.State.Running}}' "$name")" = true ] || smoke_die "$name exited"
		sleep 0.5
	done
	[ "$status" = healthy ] || smoke_die "$name is $status after 60 s"
	result "$name healthy after $(since "$t0") s"
}

expect() { # expect DESCRIPTION COMMAND...
	local what=$1
	shift
	"$@" || smoke_die "$what"
}

check_http() {
	curl -fsS "$URL/api/v1/health" | grep -q '"status":"ok"' || smoke_die "health"
	local index deep
	index=$(curl -fsS "$URL/")
	deep=$(curl -fsS -H 'Accept: text/html' "$URL/projects/some/deep/link")
	expect "SPA index" grep -q '<div id=' <<<"$index"
	expect "deep link serves the SPA" test "$index" = "$deep"
	curl -fsS "$URL/api/docs/json" >"$SMOKE_WORK/openapi.json" || smoke_die "/api/docs/json"
	expect "OpenAPI document" grep -q '"openapi"' "$SMOKE_WORK/openapi.json"
	result "$1: health, SPA + deep link, /api/docs/json ok"
}

start_fakellm() {
	$DOCKER exec -d "$CONTAINER" /opt/smoke/fakellm --addr 127.0.0.1:4010 --script /opt/smoke/script.json
	local i
	for i in $(seq 1 50); do
		$DOCKER exec "$CONTAINER" bash -c 'exec 3<>/dev/tcp/127.0.0.1/4010' 2>/dev/null && return 0
		sleep 0.1
	done
	smoke_die "the fake LLM did not start"
}

# check_agent MODE DIR UID: a prompt runs write, bash and read; the files
# belong to UID; in sandbox mode the JWT secret stays unreadable.
check_agent() {
	local mode=$1 dir=$2 uid=$3 out
	if ! grep -q '"/api/v1/sessions/{id}/prompt"' "$SMOKE_WORK/openapi.json"; then
		NOT_CHECKED+=("$mode: prompt (session routes not wired)")
		return
	fi
	start_fakellm
	out=$("$PROBE" prompt -url "$URL" -token "$API_KEY" -project-path /workspace/smoke -text "smoke test") ||
		smoke_die "$mode: prompt did not reach agent_end: $out"
	# The read tool's output in default mode is the (throw-away) JWT secret: not for logs.
	printf '%s\n' "$out" | sed -e 's/^\(TOOL read false:\).*/\1 <content hidden>/' -e 's/^/    /' >&2
	expect "$mode: agent_end" grep -q '^AGENT_END$' <<<"$out"
	expect "$mode: write tool" grep -q '^TOOL write false: Successfully wrote' <<<"$out"
	expect "$mode: bash runs as $uid" grep -q "^TOOL bash false: uid=$uid " <<<"$out"
	local f owner
	for f in agent-note.txt bash-made.txt; do
		owner=$(stat -c %u "$dir/ws/smoke/$f") || smoke_die "$mode: $f missing"
		expect "$mode: $f owned by $uid (is $owner)" test "$owner" = "$uid"
	done
	# Editor saves and new folders through the files API, and git status in
	# the repository the agent's shell created.
	local ws
	ws=$("$PROBE" workspace -url "$URL" -token "$API_KEY" -project-path /workspace/smoke) || smoke_die "$mode: files API / git: $ws"
	for f in editor editor/saved.txt editor-dir; do
		owner=$(stat -c %u "$dir/ws/smoke/$f") || smoke_die "$mode: $f missing"
		expect "$mode: $f (files API) owned by $uid (is $owner)" test "$owner" = "$uid"
	done
	if [ "$mode" = sandbox ]; then
		expect "sandbox: bash cannot read the JWT secret" grep -q 'jwt=denied' <<<"$out"
		expect "sandbox: read tool refuses the JWT secret" grep -q '^TOOL read true: agent_tool_path_denied' <<<"$out"
		expect "sandbox: HOME is the tool home" grep -q 'home=/home/pi-tools' <<<"$out"
	fi
	result "$mode: prompt reached agent_end; files from write/bash/files API owned by uid $uid; git status ok"
}

check_terminal() {
	local mode=$1 uid=$2 out
	if ! grep -q '"/api/v1/terminal"' "$SMOKE_WORK/openapi.json"; then
		NOT_CHECKED+=("$mode: terminal WebSocket (route not wired)")
		return
	fi
	out=$("$PROBE" terminal -url "$URL" -token "$API_KEY" -project-path /workspace/smoke) || smoke_die "$mode: terminal: $out"
	expect "$mode: terminal runs as $uid ($out)" test "$out" = "TERMINAL uid=$uid"
	result "$mode: terminal WebSocket echo as uid $uid"
}

server_rss() { $DOCKER exec "$CONTAINER" ps -o rss= -C pi-forge | head -1 | tr -d ' '; }

# ---------- default mode (compose) ----------
D=$SMOKE_WORK/default
prepare_mounts "$D" 1000 1000
start default --user 1000:1000 \
	-v "$D/ws:/workspace" -v "$D/agent:/home/pi/.pi/agent" -v "$D/data:/home/pi/.pi-forge"
result "default: server RSS idle $(server_rss) KiB"
expect "default: server runs as pi" test "$($DOCKER exec "$CONTAINER" ps -o user= -C pi-forge | head -1)" = pi
check_http default
check_agent default "$D" 1000
check_terminal default 1000
result "default: server RSS after a prompt $(server_rss) KiB"

# ---------- plain `docker run` as root: the entrypoint drops to pi ----------
G=$SMOKE_WORK/gosu
prepare_mounts "$G" 1000 1000
start gosu --cap-add SETUID --cap-add SETGID \
	-v "$G/ws:/workspace" -v "$G/agent:/home/pi/.pi/agent" -v "$G/data:/home/pi/.pi-forge"
expect "root start: the server runs as pi" test "$($DOCKER exec "$CONTAINER" ps -o user= -C pi-forge | head -1)" = pi
result "root start without --user: the entrypoint dropped to pi"

# ---------- sandbox mode (compose + docker-compose.sandbox.yml) ----------
S=$SMOKE_WORK/sandbox
prepare_mounts "$S" 1000 1000
start sandbox --user 0:0 --cap-add CHOWN --cap-add SETUID --cap-add SETGID --cap-add KILL \
	-e AGENT_TOOL_SANDBOX_ENABLED=true -e AGENT_TOOL_UID=1001 -e AGENT_TOOL_GID=1001 -e AGENT_TOOL_HOME=/home/pi-tools \
	-v "$S/ws:/workspace" -v "$S/agent:/home/pi/.pi/agent" -v "$S/data:/home/pi/.pi-forge"
expect "sandbox: JWT secret is root:root 0600" test "$(stat -c '%u:%g %a' "$S/data/jwt-secret")" = "0:0 600"
expect "sandbox: workspace handed to 1001:0" test "$(stat -c '%u:%g' "$S/ws/smoke")" = "1001:0"
check_http sandbox
check_agent sandbox "$S" 1001
check_terminal sandbox 1001

# ---------- read-only root filesystem ----------
R=$SMOKE_WORK/readonly
prepare_mounts "$R" 1000 1000
start readonly --user 1000:1000 --read-only --tmpfs /tmp \
	--tmpfs /home/pi/.config:uid=1000,gid=1000 --tmpfs /home/pi/.cache:uid=1000,gid=1000 \
	--tmpfs /home/pi/.npm:uid=1000,gid=1000 --tmpfs /home/pi/.local:uid=1000,gid=1000 \
	-v "$R/ws:/workspace" -v "$R/agent:/home/pi/.pi/agent" -v "$R/data:/home/pi/.pi-forge"
check_http readonly
check_agent readonly "$R" 1000
check_terminal readonly 1000

echo
echo "container smoke test passed"
for r in "${RESULTS[@]}"; do echo "  $r"; done
for n in "${NOT_CHECKED[@]}"; do echo "  NOT CHECKED: $n"; done
