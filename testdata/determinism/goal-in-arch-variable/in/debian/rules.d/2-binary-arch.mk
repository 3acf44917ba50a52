headers_tmp := $(CURDIR)/debian/tmp-headers

# The userspace headers: a configuration and headers_install, no compile.
hmake := $(MAKE) -C $(CURDIR) O=$(headers_tmp) INSTALL_HDR_PATH=$(headers_tmp)/install

install-arch-headers:
	rm -rf $(headers_tmp)
	$(hmake) ARCH=$(header_arch) $(defconfig)
	$(hmake) ARCH=$(header_arch) headers_install

build-arch:
	$(kmake) O=$(builddir) -j$(words $(shell seq $(shell nproc))) $(build_image) modules

binary-arch: build-arch install-arch-headers
	dh_gencontrol
	dh_builddeb
.PHONY: install-arch-headers build-arch binary-arch
