import type { DeviceDecl, GroupDecl, UserDecl } from '../metadata/declarations.js';

// What the package task knows about each package it wrote, kept beside the
// .ipk as `<name>.json` (Yocto calls this pkgdata): the control fields, every
// file with its owner, mode and hash, the sonames it provides and why each
// run-time dependency is there. Dependent recipes' package tasks read it to
// resolve their shared libraries; the rootfs reads it to compute the install
// closure, then installs the .ipk files themselves.

export interface PackageFile {
  /** Absolute path inside the image ("/usr/bin/app"). */
  readonly path: string;
  readonly type: 'dir' | 'file' | 'symlink';
  /** Permission bits only. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly owner: string;
  readonly group: string;
  readonly size?: number;
  /** For files: sha256 of the content. */
  readonly sha256?: string;
  /** For symlinks. */
  readonly target?: string;
}

/** One run-time dependency and why it is there. */
export interface DependsReason {
  readonly package: string;
  /** 'declared' (rdepends:), 'shlib' (a DT_NEEDED library), 'interpreter' (PT_INTERP), 'modules.dep' (a kernel module needs another). */
  readonly why: 'declared' | 'shlib' | 'interpreter' | 'modules.dep';
  /** For shlib, interpreter and modules.dep: the binary (module) that needs it and what it needs. */
  readonly binary?: string;
  readonly needs?: string;
}

export interface PackageData {
  readonly format: 1;
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly recipe: string;
  readonly license: string;
  readonly summary: string;
  readonly homepage?: string;
  readonly maintainer: string;
  /** Run-time dependencies, sorted, each once. */
  readonly depends: readonly string[];
  readonly dependsWhy: readonly DependsReason[];
  /** Sonames this package provides (DT_SONAME of its libraries, or names of files in lib folders). */
  readonly sonames: readonly string[];
  readonly conffiles: readonly string[];
  readonly files: readonly PackageFile[];
  readonly users: readonly Omit<UserDecl, 'loc'>[];
  readonly groups: readonly Omit<GroupDecl, 'loc'>[];
  readonly devices: readonly Omit<DeviceDecl, 'loc'>[];
  /** The .ipk written for it. */
  readonly ipk: { readonly file: string; readonly sha256: string; readonly size: number };
}

/** opkg's file name: `<package>_<version>_<arch>.ipk`. */
export const ipkName = (name: string, version: string, arch: string): string => `${name}_${version}_${arch}.ipk`;
