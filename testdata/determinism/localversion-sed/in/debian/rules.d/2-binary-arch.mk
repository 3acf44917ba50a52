# Ubuntu-style: the flavour config is assembled, then the option forced off.
$(builddir)/build-%/.config: $(DEBIAN)/config/config.common.ubuntu
	mkdir -p $(dir $@)
	cat $^ | sed -e 's/.*CONFIG_LOCALVERSION_AUTO.*/# CONFIG_LOCALVERSION_AUTO is not set/' > $@
