build_arch = x86
header_arch = x86_64
defconfig = defconfig
build_image = bzImage
