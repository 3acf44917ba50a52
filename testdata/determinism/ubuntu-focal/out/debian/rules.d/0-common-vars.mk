# Values every build step shares.
release := 5.4.0
revision := 200.220
abinum := 200
uploadnum := 220
build_arch := x86
builddir := $(CURDIR)/debian/build
stampdir := $(CURDIR)/debian/stamps

CONCURRENCY_LEVEL := $(shell getconf _NPROCESSORS_ONLN)
conc_level = -j$(CONCURRENCY_LEVEL)

# ccache speeds up rebuilds on the build farm.
CC = ccache $(CROSS_COMPILE)gcc-9

kmake = make KBUILD_BUILD_USER=buildd KBUILD_BUILD_HOST=ubuntu KBUILD_BUILD_TIMESTAMP=@$(SOURCE_DATE_EPOCH) KCFLAGS=-fdebug-prefix-map=$(CURDIR)/= ARCH=$(build_arch) CROSS_COMPILE=$(CROSS_COMPILE) CC="$(CC)" \
	KERNELVERSION=$(release)-$(abinum)-$(target_flavour) \
	KBUILD_BUILD_VERSION="$(uploadnum)" LOCALVERSION= localver-extra=

lockme = flock -w 60 $(CURDIR)/debian/.LOCK
