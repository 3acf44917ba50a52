# Test tree written for kpkg-lint only.
human_arch   = ARMv8
build_arch   = arm64
defconfig    = defconfig
flavours     = generic generic-64k
build_image  = Image.gz
kernel_file  = arch/$(build_arch)/boot/Image.gz
install_file = vmlinuz
vdso         = vdso_install
uefi_signed  = true
do_dtbs      = true

do_tools_perf     = true
do_tools_cpupower = true
do_tools_bpftool  = true
