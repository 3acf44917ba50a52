human_arch	= 64 bit x86
build_arch	= x86_64
flavours	= generic
build_image	= bzImage
kernel_file	= arch/$(build_arch)/boot/bzImage
install_file	= vmlinuz
no_dumpfile	= true
