# Shared set-up for tools/test and tools/demo: packages, hugepages, builds. Sourced, not run.
# Everything here is idempotent: a second run finds the work done and moves on.

TP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TP_NAME=${TP_NAME:-tickpipe}

# What a fresh Debian 12 machine lacks for building, testing and demoing tickpipe.
TP_PACKAGES=(gcc clang libclang-rt-14-dev meson ninja-build pkg-config
	libdpdk-dev dpdk libck-dev check libpcap-dev libhugetlbfs-dev libhugetlbfs-bin
	zlib1g-dev python3)

tp_say() { printf '%s: %s\n' "$TP_NAME" "$*" >&2; }
tp_die() { tp_say "$*"; exit 1; }

tp_install_packages() {
	local missing=() p
	for p in "${TP_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		tp_say "missing packages; as root run:"
		echo "apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	tp_say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || tp_die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		tp_die "apt-get install ${missing[*]} failed"
}

# Reserves 2 MiB hugepages and mounts hugetlbfs where we may; sets TP_HUGE=1 when usable.
# Without them everything still runs: rings fall back to ordinary pages, DPDK to --no-huge.
tp_setup_hugepages() {
	local want=${TP_HUGEPAGES:-512} cur free
	TP_HUGE=0
	if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
		cur=$(cat /proc/sys/vm/nr_hugepages)
		if [ "$cur" -lt "$want" ]; then
			echo "$want" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
		fi
		if ! awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
			mkdir -p /dev/hugepages 2>/dev/null &&
				mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
		fi
	fi
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	if [ "${free:-0}" -gt 0 ] &&
		awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
		TP_HUGE=1
		tp_say "hugepages: ${free} free 2 MiB pages"
	else
		tp_say "hugepages: none usable here, falling back to ordinary pages and --no-huge"
	fi
	export TP_HUGE
}

# tp_build DIR [meson options...]: configures once, then builds (ninja re-runs meson itself
# when a meson.build changed). A directory left half-configured is configured anew.
tp_build() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		rm -rf "$dir"
		meson setup "$dir" "$TP_ROOT" "$@" >"$dir.setup.log" 2>&1 ||
			{ cat "$dir.setup.log" >&2; tp_die "meson setup $dir failed"; }
	fi
	ninja -C "$dir" >"$dir.build.log" 2>&1 ||
		{ grep -E -B2 -A8 'error|FAILED' "$dir.build.log" | head -80 >&2; tp_die "build in $dir failed (log: $dir.build.log)"; }
}

tp_setup_all() {
	tp_install_packages
	tp_setup_hugepages
	mkdir -p "$TP_ROOT/build"
	tp_say "building (release)"
	tp_build "$TP_ROOT/build/release" --buildtype=release
}
