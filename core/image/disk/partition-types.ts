// Partition type names users write, and what goes into the table.
// GPT type GUIDs: UEFI 2.10 §5.3.3 (EFI system), Microsoft (basic data),
// and the Discoverable Partitions Specification (uapi-group.org) for
// Linux data, root per architecture, swap and XBOOTLDR. MBR type bytes:
// the values fdisk and sfdisk use.

interface PartitionType {
  readonly gpt: string;
  readonly mbr: number;
}

export const PARTITION_TYPES: Record<string, PartitionType> = {
  linux: { gpt: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', mbr: 0x83 },
  esp: { gpt: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', mbr: 0xef },
  'basic-data': { gpt: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7', mbr: 0x0c },
  swap: { gpt: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', mbr: 0x82 },
  xbootldr: { gpt: 'BC13C2FF-59E6-4262-A352-B275FD55B6AE', mbr: 0xea },
  'bios-boot': { gpt: '21686148-6449-6E6F-744E-656564454649', mbr: 0xef },
  'root-arm64': { gpt: 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE', mbr: 0x83 },
  'root-arm': { gpt: '69DAD710-2CE4-4E3C-B16C-21A1D49ABED3', mbr: 0x83 },
  'root-x86-64': { gpt: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709', mbr: 0x83 },
  'root-riscv64': { gpt: '72EC70A6-CF74-40E6-BD49-4BDA08E8F224', mbr: 0x83 },
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BYTE = /^0x[0-9a-f]{1,2}$/i;

/** The type for a table, or undefined when the text names none. */
export function partitionType(name: string, table: 'gpt' | 'mbr'): string | number | undefined {
  const known = PARTITION_TYPES[name];
  if (known) return table === 'gpt' ? known.gpt : known.mbr;
  if (table === 'gpt' && GUID.test(name)) return name.toUpperCase();
  if (table === 'mbr' && BYTE.test(name)) return parseInt(name, 16);
  return undefined;
}

/** FAT partitions default to "basic data" (0x0c), which U-Boot and every OS read; others to Linux data. */
export const defaultType = (fs: string): string => (fs === 'vfat' ? 'basic-data' : 'linux');
