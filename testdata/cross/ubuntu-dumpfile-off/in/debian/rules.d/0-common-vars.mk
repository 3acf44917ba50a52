# Common variables for every architecture (test tree for kpkg-lint).
arch     := $(shell dpkg-architecture -qDEB_HOST_ARCH)
pkgdir   := $(CURDIR)/debian/linux-image
builddir := $(CURDIR)/debian/build
