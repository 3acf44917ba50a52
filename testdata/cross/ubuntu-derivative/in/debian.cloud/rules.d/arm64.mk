human_arch	= ARMv8
build_arch	= arm64
defconfig	= defconfig
flavours	= cloud
build_image	= Image.gz
kernel_file	= arch/$(build_arch)/boot/Image.gz
install_file	= vmlinuz
no_dumpfile	= true
