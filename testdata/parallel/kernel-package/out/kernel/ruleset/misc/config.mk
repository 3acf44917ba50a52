# Test tree written for kpkg-lint only.
# Per-architecture image settings and extra arguments for the kernel make.

ifeq ($(DEB_HOST_ARCH),amd64)
  KERNEL_ARCH := x86_64
  target      := bzImage
  kimagesrc   := arch/x86/boot/bzImage
  kimagedest  := vmlinuz
endif
ifeq ($(DEB_HOST_ARCH),i386)
  KERNEL_ARCH := i386
  target      := bzImage
  kimagesrc   := arch/x86/boot/bzImage
  kimagedest  := vmlinuz
endif
ifeq ($(DEB_HOST_ARCH),arm64)
  KERNEL_ARCH := arm64
  target      := Image.gz
  kimagesrc   := arch/arm64/boot/Image.gz
  kimagedest  := vmlinuz
endif
ifeq ($(DEB_HOST_ARCH),ppc64el)
  KERNEL_ARCH := powerpc
  target      := vmlinux
  kimagesrc   := vmlinux
  kimagedest  := vmlinux
endif

ifneq ($(strip $(EXTRAVERSION)),)
  EXTRAV_ARG := EXTRAVERSION=$(EXTRAVERSION)
endif
ifneq ($(strip $(FLAVOUR)),)
  FLAV_ARG := FLAVOUR=$(FLAVOUR)
endif
ifneq ($(strip $(CROSS_COMPILE)),)
  CROSS_ARG := CROSS_COMPILE=$(CROSS_COMPILE)
endif

# make-kpkg --jobs N exports CONCURRENCY_LEVEL=N
ifneq ($(strip $(CONCURRENCY_LEVEL)),)
  do_parallel = -j$(CONCURRENCY_LEVEL)
endif
