# Common variables for all architectures (test tree for kpkg-lint).

# Compiler used for the kernel and for the generated control file.
gcc ?= gcc-9

src_pkg_name := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -S Source)
release      := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -S Version | sed 's/-.*//')
revision     := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -S Version | sed 's/.*-//')
abinum       := $(firstword $(subst ., ,$(revision)))

arch      := $(shell dpkg-architecture -qDEB_HOST_ARCH)
build_dir := $(CURDIR)/debian/build
stampdir  := $(CURDIR)/debian/stamps
