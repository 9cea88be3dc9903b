declare module 'pidusage' {
  interface Stat {
    /** Percent of one core since the previous call. */
    cpu: number;
    /** Resident set size in bytes. */
    memory: number;
    ppid: number;
    pid: number;
    /** User + system CPU time in milliseconds. */
    ctime: number;
    elapsed: number;
    timestamp: number;
  }
  function pidusage(pid: number | string): Promise<Stat>;
  namespace pidusage {
    function clear(): void;
  }
  export = pidusage;
}
