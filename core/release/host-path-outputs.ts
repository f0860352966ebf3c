/**
 * Task kinds whose captured output names this build's folders: the rootfs
 * manifest (rootfs.json, core/rootfs) records where each file's bytes are on
 * the host, so its output hash differs between two build folders even when
 * the image is byte-identical. The build manifest leaves their output hash
 * out (their signature stays) and `strata reproduce` compares their
 * signatures instead; the image files after them are compared byte for byte.
 */
export const OUTPUT_NAMES_HOST_PATHS: ReadonlySet<string> = new Set(['rootfs']);
