# Test tree written for kpkg-lint only.
# Fallback values; make-kpkg, /etc/kernel-pkg.conf or the environment
# normally provide the real ones.

maintainer   ?= Local Kernel Builder
email        ?= kbuild@example.org
pgp          ?= $(maintainer)
root_cmd     ?= -rfakeroot
debian       ?= 1.0-custom
INT_STEM     ?= linux
KPKG_SUBARCH ?=
EXTRAVERSION ?=
FLAVOUR      ?=
