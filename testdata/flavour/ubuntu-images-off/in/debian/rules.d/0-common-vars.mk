# Shared variables of the test tree.
arch := $(shell dpkg-architecture -qDEB_HOST_ARCH)
stampdir := $(CURDIR)/debian/stamps

# Everything is on unless an arch file turns it off.
do_flavour_image_package = true
