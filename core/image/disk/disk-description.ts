export interface DiskDescription { readonly name: string }
