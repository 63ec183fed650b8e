# shellcheck shell=bash
# Helpers for scripts/container-smoke.sh: start a private Docker engine when
# none answers, and build local stand-ins for the Dockerfile's base images
# when no container registry is reachable. Sourced, not run.

# smoke_log prints a timestamped progress line on stderr.
smoke_log() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# smoke_die prints an error and exits 1 (the EXIT trap cleans up).
smoke_die() { smoke_log "FAIL: $*"; exit 1; }

# smoke_engine_up sets DOCKER (the CLI command) to an engine that answers:
# the one in DOCKER_HOST / the default socket when it runs, otherwise a
# private dockerd started under $SMOKE_WORK (its pid in SMOKE_DOCKERD_PID).
# Returns 1 when no engine can be had.
smoke_engine_up() {
	local cli
	# Debian's CLI has buildx/BuildKit; a static CLI first on PATH may not.
	if [ -x /usr/bin/docker ]; then cli=/usr/bin/docker; else cli=$(command -v docker || true); fi
	if [ -n "$cli" ] && [ -z "${SMOKE_PRIVATE_ENGINE:-}" ] && "$cli" info >/dev/null 2>&1; then
		DOCKER="$cli"
		smoke_log "using the running Docker engine"
		return 0
	fi
	if ! command -v dockerd >/dev/null 2>&1; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
			smoke_log "installing docker.io from apt"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >"$SMOKE_WORK/apt.log" 2>&1 ||
				{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >"$SMOKE_WORK/apt.log" 2>&1; } ||
				return 1
		else
			return 1
		fi
		cli=/usr/bin/docker
	fi
	[ "$(id -u)" = 0 ] || return 1
	local d="$SMOKE_WORK/engine"
	mkdir -p "$d/root" "$d/exec"
	dockerd --data-root "$d/root" --exec-root "$d/exec" -H "unix://$d/docker.sock" \
		--pidfile "$d/dockerd.pid" --storage-driver overlay2 >"$d/dockerd.log" 2>&1 &
	SMOKE_DOCKERD_PID=$!
	DOCKER="$cli -H unix://$d/docker.sock"
	local i
	for i in $(seq 1 100); do
		if $DOCKER info >/dev/null 2>&1; then
			smoke_log "started a private dockerd (pid $SMOKE_DOCKERD_PID, data in $d)"
			return 0
		fi
		kill -0 "$SMOKE_DOCKERD_PID" 2>/dev/null || break
		sleep 0.2
	done
	smoke_log "dockerd did not start; its log:"
	tail -20 "$d/dockerd.log" >&2 || true
	return 1
}

# smoke_engine_down stops the private dockerd (by pid) and removes its data.
smoke_engine_down() {
	[ -n "${SMOKE_DOCKERD_PID:-}" ] || return 0
	kill "$SMOKE_DOCKERD_PID" 2>/dev/null || true
	local i
	for i in $(seq 1 100); do
		kill -0 "$SMOKE_DOCKERD_PID" 2>/dev/null || break
		sleep 0.2
	done
	kill -9 "$SMOKE_DOCKERD_PID" 2>/dev/null || true
	SMOKE_DOCKERD_PID=
	# Overlay mounts of stopped containers are gone with the daemon; what is
	# left is plain files.
	rm -rf "$SMOKE_WORK/engine" 2>/dev/null || true
}

# smoke_have_image NAME reports whether the engine has the image.
smoke_have_image() { $DOCKER image inspect "$1" >/dev/null 2>&1; }

# smoke_base_image NAME makes sure the image exists: present, pulled, or
# built as a local stand-in. Stand-ins are recorded in SMOKE_CREATED_IMAGES.
smoke_base_image() {
	local name=$1
	smoke_have_image "$name" && return 0
	if [ -z "${SMOKE_NO_PULL:-}" ] && timeout 60 $DOCKER pull -q "$name" >/dev/null 2>&1; then
		SMOKE_CREATED_IMAGES+=("$name")
		return 0
	fi
	smoke_log "no registry answers for $name: building a local stand-in"
	smoke_rootfs_image
	case "$name" in
	golang:*) smoke_standin_golang "$name" ;;
	python:*) smoke_standin_python "$name" ;;
	*) smoke_die "no stand-in recipe for $name" ;;
	esac
	SMOKE_CREATED_IMAGES+=("$name")
	SMOKE_STANDINS=1
}

SMOKE_ROOTFS_IMAGE=pi-forge-smoke/bookworm-rootfs:local

# smoke_rootfs_image imports a debootstrapped Debian bookworm (minbase) as
# $SMOKE_ROOTFS_IMAGE. The tarball is cached in $SMOKE_CACHE between runs.
smoke_rootfs_image() {
	smoke_have_image "$SMOKE_ROOTFS_IMAGE" && return 0
	local tarball="$SMOKE_CACHE/bookworm-minbase.tar"
	if [ ! -s "$tarball" ]; then
		command -v debootstrap >/dev/null 2>&1 ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >>"$SMOKE_WORK/apt.log" 2>&1 ||
			smoke_die "debootstrap is not installed and could not be installed"
		local root="$SMOKE_WORK/rootfs"
		smoke_log "debootstrap bookworm (minbase) into $root"
		debootstrap --variant=minbase bookworm "$root" "${SMOKE_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
			>"$SMOKE_WORK/debootstrap.log" 2>&1 || { tail -20 "$SMOKE_WORK/debootstrap.log" >&2; smoke_die "debootstrap failed"; }
		rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/* \
			"$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
		mkdir -p "$SMOKE_CACHE"
		tar --numeric-owner -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
		rm -rf "$root"
	fi
	$DOCKER import "$tarball" "$SMOKE_ROOTFS_IMAGE" >/dev/null
	SMOKE_CREATED_IMAGES+=("$SMOKE_ROOTFS_IMAGE")
}

# smoke_standin_golang builds a Go builder image from the host's Go
# toolchain and the host's CA bundle (HTTPS to the module proxy may pass a
# TLS-inspecting proxy only the host trusts).
smoke_standin_golang() {
	local ctx="$SMOKE_WORK/golang-ctx" goroot
	goroot=$(go env GOROOT) || smoke_die "the golang stand-in needs Go on the host"
	rm -rf "$ctx" && mkdir -p "$ctx"
	cp -a "$goroot" "$ctx/go"
	rm -rf "$ctx/go/pkg/obj" "$ctx/go/.git"
	cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
	cat >"$ctx/Dockerfile" <<-DOCKERFILE
	FROM $SMOKE_ROOTFS_IMAGE
	RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates git gcc libc6-dev make >/dev/null \\
	 && rm -rf /var/lib/apt/lists/*
	COPY host-ca.crt /etc/ssl/certs/ca-certificates.crt
	COPY go /usr/local/go
	ENV GOLANG_VERSION=local PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin GOPATH=/go
	WORKDIR /go
	DOCKERFILE
	DOCKER_BUILDKIT=1 $DOCKER build -q -t "$1" "$ctx" >/dev/null || smoke_die "building the $1 stand-in failed"
	rm -rf "$ctx"
}

# smoke_standin_python builds a python:3.12-slim-bookworm stand-in from
# Debian's python3 (3.11 on bookworm) with pip, laid out where the real
# image has it (/usr/local/bin/python3, pip usable for --user installs).
smoke_standin_python() {
	local ctx="$SMOKE_WORK/python-ctx"
	rm -rf "$ctx" && mkdir -p "$ctx"
	cat >"$ctx/Dockerfile" <<-DOCKERFILE
	FROM $SMOKE_ROOTFS_IMAGE
	RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-pip ca-certificates >/dev/null \\
	 && rm -rf /var/lib/apt/lists/* /usr/lib/python3*/EXTERNALLY-MANAGED \\
	 && ln -s /usr/bin/python3 /usr/local/bin/python3 && ln -s /usr/bin/python3 /usr/local/bin/python \\
	 && ln -s /usr/bin/pip3 /usr/local/bin/pip
	ENV LANG=C.UTF-8
	CMD ["python3"]
	DOCKERFILE
	DOCKER_BUILDKIT=1 $DOCKER build -q -t "$1" "$ctx" >/dev/null || smoke_die "building the $1 stand-in failed"
	rm -rf "$ctx"
}
