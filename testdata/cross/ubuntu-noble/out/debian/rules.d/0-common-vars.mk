# Common variables for all architectures (test tree for kpkg-lint).

# Compiler used for the kernel and for the generated control file.
gcc ?= gcc-13
GCC_BUILD_DEPENDS = $(gcc), $(gcc)-x86-64-linux-gnu [amd64] <cross>, $(gcc)-aarch64-linux-gnu [arm64] <cross>

src_pkg_name := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -S Source)
release      := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -S Version | sed 's/-.*//')
revision     := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -S Version | sed 's/.*-//')
abinum       := $(firstword $(subst ., ,$(revision)))

arch      := $(shell dpkg-architecture -qDEB_HOST_ARCH)
build_dir := $(CURDIR)/debian/build
stampdir  := $(CURDIR)/debian/stamps
