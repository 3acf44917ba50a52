# Common variables for all architectures (test tree for kpkg-lint).
src_pkg_name := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -S Source)
arch         := $(shell dpkg-architecture -qDEB_HOST_ARCH)
build_dir    := $(CURDIR)/debian/build
