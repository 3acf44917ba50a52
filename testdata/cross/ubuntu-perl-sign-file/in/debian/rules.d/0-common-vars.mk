# Shared variables of the test tree.
arch := $(shell dpkg-architecture -qDEB_HOST_ARCH)
kmake = make ARCH=$(build_arch) KBUILD_BUILD_VERSION=1 KBUILD_BUILD_TIMESTAMP=@0 KBUILD_BUILD_USER=buildd KBUILD_BUILD_HOST=example
