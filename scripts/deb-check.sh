#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The package check of make check: `make deb`, then dpkg unpacks the four
# packages into a fresh, empty root, and each is checked there against what
# this script expects of it (not against deb.sh's own lists): its files, its
# control fields, no file in two packages, every file `make install` stages
# packaged, libexo0's SONAME, exo-dkms's dkms.conf version and maintainer
# scripts, and a program built through libexo.pc in that root, shared and
# static, that reports a clean error without /dev/exo. Prints TAP with a
# "# Totals:" line.
# Usage: scripts/deb-check.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

n=0 pass=0 fail=0
result() {	# result <ok: 0|1> <name> [why]
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		pass=$((pass + 1))
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2${3:+ # $3}"
	fi
}
# check <name> <command...>: one test; the command's output is its diagnosis.
check() {
	local name=$1 why
	shift
	if why=$("$@" 2>&1); then
		result 1 "$name"
	else
		result 0 "$name" "$(echo "$why" | head -1)"
		echo "# ${why//$'\n'/$'\n'# }"
	fi
}
finish() {
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
	[ "$fail" = 0 ]
}

version=$(sed -n 's/^LIBEXO_VERSION := //p' Makefile)
soname=$(sed -n 's/^LIBEXO_SONAME := //p' Makefile)
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
lib=usr/lib/$multiarch
pkgs=(exo-dkms libexo0 libexo-dev exo-tools)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

echo "TAP version 13"
if ! make -s deb >"$work/deb.log" 2>&1; then
	result 0 deb.make_deb_builds "make deb failed"
	sed 's/^/# /' "$work/deb.log" | tail -20
	finish
	exit 1
fi
result 1 deb.make_deb_builds
debs=()
for pkg in "${pkgs[@]}"; do
	pkg_arch=$arch
	[ "$pkg" != exo-dkms ] || pkg_arch=all
	debs+=("build/deb/${pkg}_${version}_$pkg_arch.deb")
done

# dpkg itself refuses a file that two packages ship, and a package whose
# control file it cannot read. Unpacked only: configuring would run
# exo-dkms's postinst, dkms and all, on this machine.
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg_unpacks() {
	local out
	out=$(dpkg --root="$root" --force-not-root --no-triggers --unpack "${debs[@]}" 2>&1) ||
		{ grep -i 'error\|overwrite' <<<"$out"; return 1; }
}
check deb.dpkg_unpacks_all_four_into_an_empty_root dpkg_unpacks

# ---- each package's files --------------------------------------------------

# What each package must hold, written here from the tree, not from deb.sh.
expected() {	# expected <package>: its paths, one a line
	local t
	case $1 in
	exo-dkms)
		echo "usr/src/exo-$version/dkms.conf"
		git ls-files -- Kbuild uapi/linux/exo.h 'module/*.[ch]' 'module/**/Kbuild' module/Kbuild |
			sed "s|^|usr/src/exo-$version/|"
		;;
	libexo0)
		echo "$lib/libexo.so.$version"
		echo "$lib/$soname"
		;;
	libexo-dev)
		printf '%s\n' usr/include/exo/exo.h usr/include/linux/exo.h \
			"$lib/libexo.a" "$lib/libexo.so" "$lib/pkgconfig/libexo.pc"
		;;
	exo-tools)
		echo usr/bin/exo-bench
		# Each tools/<name>/ is a tool, with its man pages and completion.
		for t in tools/*/; do
			[ -d "$t" ] || continue
			t=${t%/}
			echo "usr/bin/${t#tools/}"
		done
		for t in tools/*/*.[1-8]; do
			[ -f "$t" ] && echo "usr/share/man/man${t##*.}/${t##*/}.gz"
		done
		for t in tools/*/*.bash; do
			[ -f "$t" ] || continue
			t=${t##*/}
			echo "usr/share/bash-completion/completions/${t%.bash}"
		done
		;;
	esac
	echo "usr/share/doc/$1/copyright"
}

# The files (not folders) a package's .deb holds, one a line, no "./".
deb_files() {	# deb_files <deb>
	dpkg-deb --fsys-tarfile "$1" | tar -tvf - | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./||' | sort
}

for i in "${!pkgs[@]}"; do
	pkg=${pkgs[i]} deb=${debs[i]}
	deb_files "$deb" >"$work/$pkg.files"
	expected "$pkg" | sort >"$work/$pkg.expected"
	has_its_files() {
		local missing
		missing=$(comm -13 "$work/$pkg.files" "$work/$pkg.expected")
		[ -z "$missing" ] || { echo "$pkg lacks: ${missing//$'\n'/ }"; return 1; }
		# In the root too, where dpkg put them.
		while read -r f; do
			[ -e "$root/$f" ] || [ -L "$root/$f" ] || { echo "$f not in the unpacked root"; return 1; }
		done <"$work/$pkg.expected"
	}
	check "deb.$pkg.has_its_files" has_its_files
	owned_by_root() {
		local others
		others=$(dpkg-deb --fsys-tarfile "$deb" | tar -tvf - | awk '$2 != "root/root" { print $2, $6 }')
		[ -z "$others" ] || { echo "not root:root: ${others//$'\n'/, }"; return 1; }
	}
	check "deb.$pkg.files_owned_by_root" owned_by_root
	control_fields() {
		local field want got deps=()
		case $pkg in
		exo-dkms) deps=(dkms) ;;
		libexo0) deps=(libc6 libnl-3-200 libnl-genl-3-200) ;;
		libexo-dev) deps=("libexo0 (= $version)" libnl-genl-3-dev) ;;
		exo-tools) deps=(libc6) ;;
		esac
		for field in Package Version Architecture; do
			case $field in
			Package) want=$pkg ;;
			Version) want=$version ;;
			Architecture) want=$arch; [ "$pkg" != exo-dkms ] || want=all ;;
			esac
			got=$(dpkg-deb -f "$deb" "$field")
			[ "$got" = "$want" ] || { echo "$field is '$got', not '$want'"; return 1; }
		done
		for field in Maintainer Section Priority Description Installed-Size; do
			[ -n "$(dpkg-deb -f "$deb" "$field")" ] || { echo "no $field"; return 1; }
		done
		# Each dependency a whole entry of the list, with or without a version.
		got=", $(dpkg-deb -f "$deb" Depends),"
		for want in "${deps[@]}"; do
			case $got in
			*", $want,"* | *", $want ("*) ;;
			*) echo "Depends '${got:2:${#got}-3}' lacks $want"; return 1 ;;
			esac
		done
	}
	check "deb.$pkg.control_fields" control_fields
done

in_two_packages() {
	local twice
	twice=$(cat "$work"/*.files | sort | uniq -d)
	[ -z "$twice" ] || { echo "in two packages: ${twice//$'\n'/ }"; return 1; }
}
check deb.no_file_in_two_packages in_two_packages

every_installed_file_packaged() {
	local dest=$work/install lost
	make -s install-lib install-tools install-dkms-source DESTDIR="$dest" \
		PREFIX=/usr LIBDIR="/$lib" >"$work/install.log" 2>&1 || { cat "$work/install.log"; return 1; }
	# deb.sh gzips man pages, so a staged page is packaged as page.gz.
	lost=$( (cd "$dest" && find . \( -type f -o -type l \) -printf '%P\n' |
		sed 's|^\(usr/share/man/.*\)$|\1.gz|') | sort | comm -23 - <(cat "$work"/*.files | sort))
	[ -z "$lost" ] || { echo "make install stages, no package holds: ${lost//$'\n'/ }"; return 1; }
}
check deb.every_installed_file_packaged every_installed_file_packaged

# ---- libexo0: the SONAME -----------------------------------------------------

soname_matches() {
	local real=$root/$lib/libexo.so.$version got target
	got=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	[ "$got" = "$soname" ] || { echo "libexo.so.$version has SONAME '$got', not $soname"; return 1; }
	# Debian's rule: libfoo.so.N is package libfooN.
	[ "libexo${soname##*.so.}" = libexo0 ] || { echo "SONAME $soname belongs in package libexo${soname##*.so.}"; return 1; }
	target=$(readlink "$root/$lib/$soname")
	[ "$target" = "libexo.so.$version" ] || { echo "$soname points to '$target'"; return 1; }
	grep -qx "$lib/$soname" "$work/libexo0.files" || { echo "$soname is not in libexo0"; return 1; }
	dpkg-deb --ctrl-tarfile "${debs[1]}" | tar -xOf - ./shlibs >"$work/shlibs" ||
		{ echo "libexo0 has no shlibs file"; return 1; }
	grep -qx "libexo ${soname##*.so.} libexo0 (>= $version)" "$work/shlibs" ||
		{ echo "shlibs says: $(cat "$work/shlibs")"; return 1; }
}
check deb.libexo0_soname_and_file_agree soname_matches

# ---- exo-dkms: dkms.conf and the maintainer scripts -----------------------------

dkms_conf_version() {
	local got
	got=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/usr/src/exo-$version/dkms.conf")
	[ "$got" = "$(dpkg-deb -f "${debs[0]}" Version)" ] ||
		{ echo "dkms.conf says '$got', the package $(dpkg-deb -f "${debs[0]}" Version)"; return 1; }
}
check deb.exo-dkms.dkms_conf_version_is_the_package_version dkms_conf_version

scripts_valid_shell() {
	local deb s found=0
	for deb in "${debs[@]}"; do
		rm -rf "$work/ctrl"
		dpkg-deb -e "$deb" "$work/ctrl"
		for s in preinst postinst prerm postrm; do
			[ -e "$work/ctrl/$s" ] || continue
			found=$((found + 1))
			[ -x "$work/ctrl/$s" ] || { echo "$deb: $s is not executable"; return 1; }
			sh -n "$work/ctrl/$s" || { echo "$deb: $s is not valid sh"; return 1; }
			! grep -n '@[A-Z]*@' "$work/ctrl/$s" || { echo "$deb: $s has an unsubstituted name"; return 1; }
		done
	done
	[ "$found" -ge 2 ] || { echo "only $found maintainer scripts (exo-dkms needs postinst and prerm)"; return 1; }
}
check deb.maintainer_scripts_are_valid_shell scripts_valid_shell

# The scripts against a fake dkms that logs its calls, as dpkg calls them.
fake_dkms() {	# fake_dkms <added: 0|1>
	mkdir -p "$work/fakebin"
	cat >"$work/fakebin/dkms" <<-EOF
	#!/bin/sh
	echo "dkms \$*" >>"$work/dkms.calls"
	[ "\$1" != status ] || [ "$1" = 0 ] || echo "exo/$version: added"
	EOF
	chmod +x "$work/fakebin/dkms"
	: >"$work/dkms.calls"
}
postinst_adds_and_prerm_removes() {
	rm -rf "$work/ctrl"
	dpkg-deb -e "${debs[0]}" "$work/ctrl"
	fake_dkms 0
	PATH=$work/fakebin:$PATH sh "$work/ctrl/postinst" configure >"$work/postinst.out" 2>&1 ||
		{ echo "postinst configure exited $?:"; cat "$work/postinst.out"; return 1; }
	grep -qx "dkms add -m exo -v $version" "$work/dkms.calls" ||
		{ echo "postinst did not dkms add:"; cat "$work/dkms.calls"; return 1; }
	# This machine has no headers for its own kernel (see README: the host
	# kernel takes no modules), so there is no build, and a hint instead.
	if [ -e "/lib/modules/$(uname -r)/build" ]; then
		grep -q "^dkms install -m exo -v $version -k $(uname -r)" "$work/dkms.calls" ||
			{ echo "postinst did not dkms install:"; cat "$work/dkms.calls"; return 1; }
	else
		grep -q "linux-headers-$(uname -r)" "$work/postinst.out" ||
			{ echo "postinst said no word of the missing headers"; return 1; }
	fi
	fake_dkms 1
	PATH=$work/fakebin:$PATH sh "$work/ctrl/postinst" configure >/dev/null 2>&1
	! grep -q "^dkms add" "$work/dkms.calls" || { echo "postinst added exo twice"; return 1; }
	PATH=$work/fakebin:$PATH sh "$work/ctrl/prerm" remove ||
		{ echo "prerm remove exited $?"; return 1; }
	grep -qx "dkms remove -m exo -v $version --all" "$work/dkms.calls" ||
		{ echo "prerm did not dkms remove:"; cat "$work/dkms.calls"; return 1; }
}
check deb.exo-dkms.postinst_adds_and_prerm_removes postinst_adds_and_prerm_removes

# ---- libexo-dev: a program built through libexo.pc in the root -------------

cat >"$work/uses-libexo.c" <<'EOF'
/* Built against the unpacked libexo-dev; run where exo.ko is not loaded. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <exo/exo.h>

int main(int argc, char **argv)
{
	struct exo_open_opts opts = { .sz = sizeof(opts) };
	struct exo *exo;

	opts.path = argc > 1 ? argv[1] : NULL;
	exo = exo_open(&opts);
	if (exo) {
		exo_close(exo);
		printf("opened, API %d\n", EXO_API_VERSION);
		return 0;
	}
	printf("exo_open: %s\n", strerror(errno));
	if (errno != ENOENT)
		return 1;
	/* The netlink half, through libnl: no exo family without exo.ko. */
	if (exo_monitor_open())
		return 1;
	return 3;
}
EOF

# pkg-config sees only the root's libexo.pc (and the host's libnl, which
# the root's Depends would bring); the sysroot prefixes its -I and -L.
root_pkg_config() {
	PKG_CONFIG_SYSROOT_DIR=$root \
		PKG_CONFIG_LIBDIR=$root/$lib/pkgconfig:$(pkg-config --variable pc_path pkg-config) \
		pkg-config "$@"
}

# builds_and_runs <shared|static>
builds_and_runs() {
	local how=$1 exe=$work/uses-libexo-$1 cflags libs ldd out rc=0 path=()
	local static=''
	[ "$how" = shared ] || static=--static
	[ "$(root_pkg_config --path libexo)" = "$root/$lib/pkgconfig/libexo.pc" ] ||
		{ echo "pkg-config finds libexo.pc at '$(root_pkg_config --path libexo 2>&1)'"; return 1; }
	cflags=$(root_pkg_config --cflags libexo) || { echo "pkg-config --cflags fails in the root"; return 1; }
	# shellcheck disable=SC2086 # empty or one word
	libs=$(root_pkg_config $static --libs libexo) || { echo "pkg-config $static --libs fails in the root"; return 1; }
	# shellcheck disable=SC2086 # the flags are words
	gcc -Wall -Werror ${static:+-static} $cflags -MD -MF "$exe.d" "$work/uses-libexo.c" \
		-o "$exe" $libs -Wl,--trace >"$exe.link" 2>&1 || { echo "gcc $cflags ... $libs:"; cat "$exe.link"; return 1; }
	for h in usr/include/exo/exo.h usr/include/linux/exo.h; do
		grep -q "$root/$h" "$exe.d" || { echo "$h did not come from the root"; return 1; }
	done
	if [ "$how" = shared ]; then
		grep -q "$root/$lib/libexo.so" "$exe.link" || { echo "libexo.so did not come from the root"; return 1; }
		grep -q "NEEDED.*\[$soname\]" <<<"$(readelf -d "$exe")" || { echo "it does not need $soname"; return 1; }
		ldd=$(LD_LIBRARY_PATH=$root/$lib ldd "$exe")
		grep -q "$soname => $root/$lib/$soname" <<<"$ldd" ||
			{ echo "the loader does not find the root's $soname:"; echo "$ldd"; return 1; }
	else
		grep -q "$root/$lib/libexo.a" "$exe.link" || { echo "libexo.a did not come from the root"; return 1; }
		! grep -q NEEDED <<<"$(readelf -d "$exe" 2>/dev/null)" || { echo "a -static link needs shared libraries"; return 1; }
	fi
	# The default path when this machine has no /dev/exo, as here.
	[ ! -e /dev/exo ] || path=("$work/no-exo")
	out=$(LD_LIBRARY_PATH=$root/$lib "$exe" "${path[@]}" 2>&1) || rc=$?
	if [ "$rc" != 3 ] || ! grep -q 'exo.ko is not loaded' <<<"$out"; then
		echo "without /dev/exo it exited $rc and said: $out"
		return 1
	fi
}
check deb.libexo-dev.pkg_config_builds_shared_and_runs builds_and_runs shared
check deb.libexo-dev.pkg_config_builds_static_and_runs builds_and_runs static

finish
