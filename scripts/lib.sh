# shellcheck shell=bash disable=SC2034
# (SC2034: the IT_* variables set here are for the scripts that source this file.)
# scripts/lib.sh: helpers shared by the icmptrace scripts.  Source it, don't run it.
#
#   IT_ROOT          the repository (parent of scripts/)
#   IT_CACHE         ${ICMPTRACE_CACHE:-$HOME/.cache/icmptrace}: downloads and extracted
#                    kernels live here, outside the git tree
#   IT_LINUX_SRC     $IT_CACHE/linux-source: files taken from Debian's linux-source-6.1
#   IT_KSELFTEST_DIR $IT_LINUX_SRC/tools/testing/selftests (kselftest.h, kselftest_harness.h)
#   IT_CHECKPATCH    $IT_LINUX_SRC/scripts/checkpatch.pl
#   IT_VNG_DIR       $IT_CACHE/virtme-ng: Debian trixie's virtme-ng, extracted (not installed)
#
#   it_die MSG...              print "NAME: error: MSG" and exit 1
#   it_usage_error MSG...      print "NAME: error: MSG (NAME --help)" and exit 2
#   it_need_value "$@"         in an option's case branch: a usage error unless the
#                              option ($1) is followed by a value
#   it_no_args LINES "$@"      for a script that takes no argument: -h/--help prints
#                              LINES (sed -n range, e.g. 2,5) of it and exits 0; any
#                              other argument is a usage error
#   it_log MSG...              progress message on stderr
#   it_mirror                  the Debian mirror URI from the system's apt configuration
#   it_apt SUITE CMD ARGS...   run apt-get/apt-cache CMD against a private sources list
#                              holding only SUITE (main), e.g. it_apt trixie apt-get download X
#   it_apt_update SUITE        refresh SUITE's private package lists (at most once per hour)
#   it_kernel_dir TARGET       $IT_CACHE/kernels/TARGET
#   it_target_in_chroot TARGET true for targets built in their suite's chroot
#   IT_TARGETS                 the default kernel targets of the checks (kmod-check,
#                              dkms-check, and through dkms-check --list-targets make check)
#   it_copy_module DEST        DEST/kmod and DEST/include: the module source as Kbuild and
#                              DKMS build it, build products left out, only changes copied
#   ok/not_ok DESC, diag       TAP lines numbered in $n, failures counted in $failed;
#                              diag turns its stdin into "# " comment lines
#   vng ARGS...                run the cached virtme-ng with Debian's /usr/bin/python3
#
# No registry host name is written anywhere in this repository: the mirror always comes
# from the machine's apt configuration (or ICMPTRACE_MIRROR), so the scripts work
# wherever apt works.

IT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IT_CACHE=${ICMPTRACE_CACHE:-$HOME/.cache/icmptrace}
IT_LINUX_SRC=$IT_CACHE/linux-source
IT_KSELFTEST_DIR=$IT_LINUX_SRC/tools/testing/selftests
IT_CHECKPATCH=$IT_LINUX_SRC/scripts/checkpatch.pl
IT_VNG_DIR=$IT_CACHE/virtme-ng
IT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
IT_PROG=${IT_PROG:-$(basename "$0")}

it_die() { echo "$IT_PROG: error: $*" >&2; exit 1; }
# Exit 2, as the reader does for a wrong argument: not a failure of what was asked.
it_usage_error() { echo "$IT_PROG: error: $* (see $IT_PROG --help)" >&2; exit 2; }
# Instead of ${2:?}, whose message is bash's, not a usage error.
it_need_value() { (($# >= 2)) && [[ -n $2 && $2 != -* ]] || it_usage_error "$1 needs a value"; }
it_no_args() {
	local lines=$1; shift
	case ${1:-} in
	"") (($# == 0)) || it_usage_error "unexpected empty argument" ;;
	-h | --help) sed -n "${lines}p" "$0"; exit 0 ;;
	-*) it_usage_error "unknown option $1" ;;
	*) it_usage_error "unexpected argument $1" ;;
	esac
}
it_log() { echo "$IT_PROG: $*" >&2; }

# The URI of the main Debian archive as this machine's apt knows it.  deb822 files
# (*.sources) first, then the one-line sources.list; security archives are skipped
# because they carry only the -security suites.
it_mirror() {
	if [[ -n ${ICMPTRACE_MIRROR:-} ]]; then echo "$ICMPTRACE_MIRROR"; return; fi
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		# one paragraph per record: print the URIs of those whose Suites has a
		# suite without "-security" and that are of Types deb.
		uri=$(awk '
			function flush() { if (!done && deb && plain && uris != "") { print uris; done = 1; exit }
			                   deb = plain = 0; uris = "" }
			/^[[:space:]]*$/ { flush(); next }
			/^[[:space:]]*#/ { next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "uris:" { uris = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i !~ /-security|\/updates/) plain = 1 }
			tolower($1) == "enabled:" && tolower($2) == "no" { deb = 0 }
			END { flush() }' "$f")
		[[ -n $uri ]] && { echo "${uri%/}"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		uri=$(awk '$1 == "deb" {
				i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
				if ($(i + 1) !~ /-security|\/updates/) { print $i; exit } }' "$f")
		[[ -n $uri ]] && { echo "${uri%/}"; return; }
	done
	it_die "no Debian mirror found in /etc/apt/sources.list{,.d} (set ICMPTRACE_MIRROR=URI to override)"
}

# Private apt state for one suite, so that other suites (trixie, bullseye, backports)
# never reach the system's apt: packages are only downloaded and unpacked into the cache.
_it_apt_setup() {
	local suite=$1 d=$IT_CACHE/apt/$1
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/etc"
	[[ -e $d/status ]] || : >"$d/status"
	local mirror src
	mirror=$(it_mirror) || exit 1
	src="deb [signed-by=$IT_KEYRING] $mirror $suite main"
	[[ -f $d/etc/sources.list && $(cat "$d/etc/sources.list") == "$src" ]] ||
		echo "$src" >"$d/etc/sources.list"
	IT_APT_OPTS=(
		-o "Dir::Etc::sourcelist=$d/etc/sources.list" -o "Dir::Etc::sourceparts=-"
		-o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status"
		-o "Dir::Cache=$d" -o "Dir::Cache::archives=$d/archives"
		-o "Dir::Etc::preferences=/dev/null" -o "Dir::Etc::preferencesparts=$d/etc"
		-o "APT::Architectures=amd64" -o "Acquire::Languages=none"
		-o "Debug::NoLocking=1" -q)
	# apt drops to user _apt for downloads; it cannot write into root's cache dir.
	[[ $(id -u) == 0 ]] && IT_APT_OPTS+=(-o "APT::Sandbox::User=root")
	return 0
}

it_apt() {
	local suite=$1 cmd=$2; shift 2
	_it_apt_setup "$suite"
	"$cmd" "${IT_APT_OPTS[@]}" "$@"
}

it_apt_update() {
	local suite=$1 d=$IT_CACHE/apt/$1
	_it_apt_setup "$suite"
	if [[ -z $(find "$d/lists" -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null) ]]; then
		it_log "apt-get update for suite $suite"
		apt-get "${IT_APT_OPTS[@]}" update >&2 ||
			it_die "apt-get update for suite $suite failed (mirror $(it_mirror))"
	fi
}

# Download the named packages of SUITE into DIR (current versions, no dependencies).
it_apt_download() {
	local suite=$1 dir=$2; shift 2
	mkdir -p "$dir"
	(cd "$dir" && it_apt "$suite" apt-get download "$@" >&2) ||
		it_die "apt-get download $* (suite $suite) failed"
}

# Value of FIELD for package PKG in SUITE (the candidate version's record).  awk reads
# to the end: an early exit would kill apt-cache with SIGPIPE, fatal under pipefail.
it_apt_field() {
	local suite=$1 pkg=$2 field=$3
	it_apt "$suite" apt-cache show --no-all-versions "$pkg" 2>/dev/null |
		awk -v f="$field:" '!done && tolower($1) == tolower(f) { sub(/^[^:]*:[[:space:]]*/, ""); print; done = 1 }'
}

it_kernel_dir() { echo "$IT_CACHE/kernels/$1"; }

# it_target_in_chroot TARGET: true for the targets built with their suite's own compiler
# in a chroot (scripts/fetch-kernel), whose modules never see this host's /usr/src.
it_target_in_chroot() { case $1 in trixie | trixie-rt | sid) return 0 ;; esac; return 1; }

# Default targets: every Debian kernel target of scripts/fetch-kernel (make check's list).
IT_TARGETS=(bookworm bookworm-rt bookworm-backports bullseye trixie trixie-rt sid)

# Copy only what changed (mtimes kept, so make rebuilds only that).  Build products,
# as the .gitignore files name them, are neither copied nor deleted from the copy.
it_copy_module() {
	mkdir -p "$1"
	rsync -rlpt --delete --exclude-from="$IT_ROOT/.gitignore" --filter=':- .gitignore' \
		"$IT_ROOT/kmod" "$IT_ROOT/include" "$1/"
}

ok() { n=$((${n:-0} + 1)); echo "ok $n - $*"; }
not_ok() { n=$((${n:-0} + 1)); failed=$((${failed:-0} + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }

# virtme-ng from Debian trixie, unpacked by scripts/setup-host.  Debian's python
# packages (argcomplete, requests) belong to /usr/bin/python3, not to a pyenv python
# that may come first on PATH.
vng() {
	[[ -x $IT_VNG_DIR/usr/bin/vng ]] ||
		it_die "virtme-ng is not in $IT_VNG_DIR: run scripts/setup-host"
	PATH="$IT_VNG_DIR/usr/bin:$PATH" \
	PYTHONPATH="$IT_VNG_DIR/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}" \
		/usr/bin/python3 "$IT_VNG_DIR/usr/bin/vng" "$@"
}
