// Linux's device numbers (include/linux/kdev_t.h): 12 bits of major and
// 20 of minor. squashfs and ext4 store a device packed in 32 bits that way,
// so a larger number would silently become another device; declarations
// and the image writers' shared checks both refuse it.

export const MAX_MAJOR = 0xfff;
export const MAX_MINOR = 0xfffff;
