// The name of the bytes Strata's squashfs writer makes for a given tree.
// Change it with any change to those bytes: it is part of the image task's
// inputs, so images written by the old code are not restored from the
// cache. Its own file, so the composition root can name it without loading
// the writer.

export const SQUASHFS_FORMAT = 'strata-squashfs-1';
