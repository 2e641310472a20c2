#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make deb: four Debian packages in build/deb/, built with plain dpkg-deb.
#   exo-dkms    exo.ko's sources in /usr/src/exo-<version> for DKMS
#   libexo0     the shared library (libexo.so.<version> and its SONAME link)
#   libexo-dev  headers, libexo.a, the libexo.so link, libexo.pc
#   exo-tools   exo-bench and each tools/<name>, their man pages, completions
# The files come from `make install-lib install-tools install-dkms-source`
# into a staging DESTDIR; each staged file is claimed by exactly one package
# below, and one nobody claims stops the build. Run it through `make deb`,
# which builds what is installed first.
# Environment: DEB_MAINTAINER overrides the Maintainer field.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

version=$(sed -n 's/^LIBEXO_VERSION := //p' Makefile)
soname=$(sed -n 's/^LIBEXO_SONAME := //p' Makefile)
soversion=${soname##*.so.}
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
maintainer=${DEB_MAINTAINER:-"exo maintainers <maintainers@users.noreply.r-seed-71b7a613.example>"}
libdir=usr/lib/$multiarch
out=build/deb
# dpkg-shlibdeps finds the packages being built, and libexo0's shlibs
# file, under debian/<package>/ of the folder it runs in.
stage=$out/stage
pkgs=(exo-dkms libexo0 libexo-dev exo-tools)

die() { echo "deb: $*" >&2; exit 1; }
{ [ -n "$version" ] && [ -n "$soversion" ]; } || die "no LIBEXO_VERSION or LIBEXO_SONAME in the Makefile"
[ "libexo$soversion" = libexo0 ] || die "the SONAME is now $soname: rename the libexo0 package to libexo$soversion"

rm -rf "$stage" "$out"/*.deb
mkdir -p "$stage/debian"
make -s install-lib install-tools install-dkms-source DESTDIR="$top/$stage/install" \
	PREFIX=/usr LIBDIR="/$libdir" >"$stage/install.log"

# Which package a staged path belongs to; empty for none.
owner() {
	case $1 in
	usr/src/exo-"$version"/*) echo exo-dkms ;;
	"$libdir"/libexo.so.*) echo libexo0 ;;
	usr/include/* | "$libdir"/libexo.a | "$libdir"/libexo.so | "$libdir"/pkgconfig/libexo.pc) echo libexo-dev ;;
	usr/bin/* | usr/share/man/* | usr/share/bash-completion/*) echo exo-tools ;;
	esac
}

while IFS= read -r -d '' path; do
	rel=${path#"$stage/install/"}
	pkg=$(owner "$rel")
	[ -n "$pkg" ] || die "make install staged $rel, which no package claims (add it to owner() in $0)"
	mkdir -p "$stage/debian/$pkg/$(dirname "$rel")"
	mv "$path" "$stage/debian/$pkg/$rel"
done < <(find "$stage/install" \( -type f -o -type l \) -print0 | sort -z)

# Debian policy: shared libraries not executable, binaries stripped (the
# static library keeps its debug information).
chmod 644 "$stage/debian/libexo0/$libdir"/libexo.so.*.*
strip --strip-unneeded --remove-section=.comment "$stage/debian/libexo0/$libdir"/libexo.so.*.*
find "$stage/debian/exo-tools/usr/bin" -type f -exec strip --remove-section=.comment {} +

for pkg in "${pkgs[@]}"; do
	root=$stage/debian/$pkg
	mkdir -p "$root/DEBIAN" "$root/usr/share/doc/$pkg"
	# Debian policy: man pages gzipped, no timestamp in the gzip header.
	if [ -d "$root/usr/share/man" ]; then
		find "$root/usr/share/man" -type f ! -name '*.gz' -exec gzip -9n {} +
	fi
	cat >"$root/usr/share/doc/$pkg/copyright" <<-EOF
	Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
	Upstream-Name: exo

	Files: module/* Kbuild dkms.conf
	License: GPL-2.0

	Files: uapi/*
	License: GPL-2.0 WITH Linux-syscall-note

	Files: libexo/* samples/* tools/*
	License: LGPL-2.1 OR MIT

	License: GPL-2.0
	 On Debian systems the GPL 2 is in /usr/share/common-licenses/GPL-2.
	EOF
done

# Depends of the ELF files a package holds: dpkg-shlibdeps where dpkg-dev is
# installed (scripts/deps.sh installs it), else their NEEDED libraries
# named by hand, without versions.
elf_depends() {	# elf_depends <package>
	local pkg=$1 elves=() f
	while IFS= read -r -d '' f; do
		[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && elves+=("$f")
	done < <(find "$stage/debian/$pkg" -path "*/DEBIAN" -prune -o -type f -print0)
	((${#elves[@]})) || return 0
	if command -v dpkg-shlibdeps >/dev/null; then
		(cd "$stage" && dpkg-shlibdeps -O "${elves[@]#"$stage/"}") | sed -n 's/^shlibs:Depends=//p'
	else
		needed_packages "${elves[@]}"
	fi
}

needed_packages() {	# needed_packages <elf>...
	local so
	readelf -d "$@" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u | while read -r so; do
		case $so in
		libc.so.6 | libm.so.6 | libpthread.so.0 | libdl.so.2 | ld-linux*) echo libc6 ;;
		libnl-3.so.200) echo libnl-3-200 ;;
		libnl-genl-3.so.200) echo libnl-genl-3-200 ;;
		"$soname") echo "libexo$soversion (>= $version)" ;;
		*) die "no package known for $so (install dpkg-dev for dpkg-shlibdeps)" ;;
		esac
	done | sort -u | paste -sd, | sed 's/,/, /g'
}

# The SONAME's package, for binaries that link libexo.so.N themselves.
echo "libexo $soversion libexo$soversion (>= $version)" >"$stage/debian/libexo0/DEBIAN/shlibs"
echo "activate-noawait ldconfig" >"$stage/debian/libexo0/DEBIAN/triggers"
# dpkg-shlibdeps reads the package names from a source package's control.
{
	echo "Source: exo"
	for pkg in "${pkgs[@]}"; do printf '\nPackage: %s\nArchitecture: any\n' "$pkg"; done
} >"$stage/debian/control"
libexo0_depends=$(elf_depends libexo0)
tools_depends=$(elf_depends exo-tools)

for script in postinst prerm; do
	sed "s/@VERSION@/$version/g" "scripts/deb/exo-dkms.$script" >"$stage/debian/exo-dkms/DEBIAN/$script"
	chmod 755 "$stage/debian/exo-dkms/DEBIAN/$script"
done

control() {	# control <package> <architecture> <section> <depends> <summary> [field...]
	local pkg=$1 pkg_arch=$2 section=$3 depends=$4 summary=$5
	shift 5
	{
		echo "Package: $pkg"
		echo "Version: $version"
		echo "Architecture: $pkg_arch"
		echo "Maintainer: $maintainer"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$stage/debian/$pkg" | cut -f1)"
		[ -z "$depends" ] || echo "Depends: $depends"
		local field
		for field in "$@"; do echo "$field"; done
		echo "Section: $section"
		echo "Priority: optional"
		echo "Description: $summary"
		# The long description: stdin, each line indented by one space.
		sed 's/^/ /'
	} >"$stage/debian/$pkg/DEBIAN/control"
}

control exo-dkms all kernel dkms "exokernel-style resource bindings for Linux (DKMS module)" <<-EOF
	exo.ko exposes /dev/exo, through which library operating systems bind
	physical frames, CPU time slots, packet filters and disk blocks.
	This package holds the module's sources; DKMS builds and installs
	exo.ko for the running kernel and for each kernel installed later.
	EOF
control libexo0 "$arch" libs "$libexo0_depends" \
	"library operating systems on exo.ko (shared library)" "Multi-Arch: same" <<-EOF
	libexo wraps exo.ko's ioctls and builds libOS layers on them: a
	coloured page allocator, a slot scheduler, packet rings with a small
	UDP/IP, and exofs, a file system on XN.
	EOF
control libexo-dev "$arch" libdevel "libexo0 (= $version), libnl-genl-3-dev" \
	"library operating systems on exo.ko (development files)" <<-EOF
	The headers <exo/exo.h> and <linux/exo.h>, the static library, and
	libexo.pc for pkg-config.
	EOF
control exo-tools "$arch" admin "$tools_depends" \
	"library operating systems on exo.ko (tools)" "Recommends: exo-dkms" <<-EOF
	exo-bench, which times each exo path against the plain system call
	doing the same work, and the other tools of exo.
	EOF

for pkg in "${pkgs[@]}"; do
	root=$stage/debian/$pkg
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
		xargs -0r md5sum) >"$root/DEBIAN/md5sums"
	pkg_arch=$(sed -n 's/^Architecture: //p' "$root/DEBIAN/control")
	deb=$out/${pkg}_${version}_$pkg_arch.deb
	dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
	echo "  DEB     $deb"
done

if command -v lintian >/dev/null; then
	lintian --no-tag-display-limit "$out"/*.deb || die "lintian found errors"
fi
