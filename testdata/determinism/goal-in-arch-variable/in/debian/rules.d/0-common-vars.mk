builddir := $(CURDIR)/debian/build
stamp_date := $(shell dpkg-parsechangelog -SDate)
kmake = make ARCH=$(build_arch) KBUILD_BUILD_TIMESTAMP="$(stamp_date)" \
	KBUILD_BUILD_USER=buildd KBUILD_BUILD_HOST=example.org
