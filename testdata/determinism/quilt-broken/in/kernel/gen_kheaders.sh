#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Test tree written for kpkg-lint: a shortened stand-in for the script that
# archives the kernel headers, with the cache key older kernels used.

set -e
sfile="$(readlink -f "$0")"
outdir="$(pwd)"
tarfile=$1

dir_list="
include/
arch/$SRCARCH/include/
"

# Key the archive on the headers and on this script; rebuild when either changes.
headers_md5="$(find $dir_list -name "*.h" |
		grep -v "include/generated/utsversion.h" |
		grep -v "include/generated/autoconf.h" |
		xargs ls -l | md5sum | cut -d ' ' -f1)"
this_file_md5="$(ls -l $sfile | md5sum | cut -d ' ' -f1)"

if [ -f $tarfile ] && [ -f kernel/kheaders.md5 ] &&
	[ "$(sed -n 1p kernel/kheaders.md5)" = "$headers_md5" ] &&
	[ "$(sed -n 2p kernel/kheaders.md5)" = "$this_file_md5" ]; then
	exit
fi

tar --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="$KBUILD_BUILD_TIMESTAMP" -cJf $tarfile $dir_list

echo "$headers_md5" > kernel/kheaders.md5
echo "$this_file_md5" >> kernel/kheaders.md5
