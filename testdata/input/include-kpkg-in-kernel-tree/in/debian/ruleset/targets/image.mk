image:
	$(MAKE) -f $(DEBDIR)/ruleset/kernel_version.mk debian_VERSION
	dh_gencontrol
	dh_builddeb
.PHONY: image
