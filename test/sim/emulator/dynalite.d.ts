// dynalite ships no type declarations; this is the part of its API the emulator uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  export interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** A directory for a LevelDB store; absent = in memory. */
    path?: string;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}
