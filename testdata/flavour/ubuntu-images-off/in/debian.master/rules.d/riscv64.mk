human_arch	= riscv64
build_arch	= riscv
defconfig	= defconfig
flavours	= generic
build_image	= Image
kernel_file	= arch/$(build_arch)/boot/Image
install_file	= vmlinuz
no_dumpfile	= true
# Only linux-libc-dev is built here; the list stays for the config tooling.
do_flavour_image_package = false
do_tools	= false
