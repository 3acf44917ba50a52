# Flavours are built only where the arch file lets image packages be built: the
# stamps go into the `-true` or the `-false` list and only `-true` is made.
$(stampdir)/stamp-build-%:
	@echo "build flavour $* for $(arch)"
	touch $@

binary-%: $(stampdir)/stamp-build-%
	@echo "package flavour $*"

build-arch-deps-$(do_flavour_image_package) += $(addprefix $(stampdir)/stamp-build-,$(flavours))
build-arch: $(build-arch-deps-true)
	@echo "built $(build-arch-deps-true)"

binary-arch-deps-$(do_flavour_image_package) += $(addprefix binary-,$(flavours))
binary-arch: build-arch $(binary-arch-deps-true)
	@echo "packaged $(binary-arch-deps-true)"
