#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Test tree written for kpkg-lint: a packaging repository that carries the kernel's
# headers-archive script next to debian/, without the rest of the kernel source.

set -e
tarfile=$1
dir_list="include/ arch/$SRCARCH/include/"

key="$(find $dir_list -name "*.h" | xargs ls -l | md5sum | cut -d ' ' -f1)"

if [ -f $tarfile ] && [ "$(cat kernel/kheaders.md5)" = "$key" ]; then
	exit
fi
tar --sort=name --owner=0 --group=0 --numeric-owner -cJf $tarfile $dir_list
echo "$key" > kernel/kheaders.md5
